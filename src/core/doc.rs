//! How protocol documents are read: the platform parses a response body as JSON (the browser's
//! `JSON.parse`; `serde_json` in native tests) and hands the core a [`Body`]; the core decodes the
//! `#[derive(Deserialize)]` document it expects from it.
//!
//! Each field of a server document is a [`Field`]: absent (or `null`), a value of the expected
//! type, or [`Field::Wrong`] — a value of another type, recorded instead of failing the whole
//! decode, so validation can say which field is wrong with the document's own error code.

use core::fmt;
use core::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// A response body the platform has parsed as JSON. The default is the empty object.
pub trait Body: Clone + Default {
    /// Decodes the body as the document `T`; `None` when the body is not a JSON object (not JSON
    /// at all, an array, a string, …) or does not decode as `T`.
    fn decode<T: DeserializeOwned>(&self) -> Option<T>;
    /// This object with the members of `newer` set over it (a shallow merge; a body that is not
    /// an object counts as empty).
    fn merged(&self, newer: &Self) -> Self;
    /// Decodes one base64url part of a JWS (RFC 7515 §2) and parses it as JSON (the browser's
    /// `atob` and `JSON.parse`); `None` when it is not base64url, UTF-8 and JSON.
    fn parse_b64url(part: &str) -> Option<Self>;
}

/// Writes a document as JSON text: the browser's `JSON.stringify` (of what serde-wasm-bindgen
/// made), serde_json in native tests. Struct members are written in declaration order, without
/// whitespace (RFC 7638 thumbprints rely on both).
pub trait JsonText {
    /// The JSON text of `value` (plain data: strings, integers, booleans, structs, lists).
    fn json<T: Serialize>(&self, value: &T) -> String;
    /// `value` read back from JSON text; `None` when it is not JSON or not a `T`.
    fn parse<T: DeserializeOwned>(&self, text: &str) -> Option<T>;
}

/// One member of a server's JSON object, read without failing the document.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Field<T> {
    /// Missing or `null`.
    #[default]
    Absent,
    /// Present with the expected type.
    Value(T),
    /// Present with another type.
    Wrong,
}

impl<T> Field<T> {
    /// `Ok(None)` when absent, `Ok(Some(v))` with a value, the error made by `wrong` otherwise.
    pub fn get<E>(self, wrong: impl FnOnce() -> E) -> Result<Option<T>, E> {
        match self {
            Field::Absent => Ok(None),
            Field::Value(v) => Ok(Some(v)),
            Field::Wrong => Err(wrong()),
        }
    }

    /// The value, if present with the expected type.
    pub fn value(self) -> Option<T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// A reference to the value, if present with the expected type.
    pub fn as_ref(&self) -> Field<&T> {
        match self {
            Field::Absent => Field::Absent,
            Field::Value(v) => Field::Value(v),
            Field::Wrong => Field::Wrong,
        }
    }
}

/// The JSON types a [`Field`] can expect. Each constructor returns `None` for a value of another
/// type; the defaults refuse everything (and drain what they refuse).
pub trait Lenient: Sized {
    /// From a JSON string.
    fn from_string(_: String) -> Option<Self> {
        None
    }
    /// From a JSON boolean.
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
    /// From a JSON number that is an integer (`JSON.parse` gives safe integers as such).
    fn from_i64(_: i64) -> Option<Self> {
        None
    }
    /// From an integer above `i64::MAX`.
    fn from_u64(_: u64) -> Option<Self> {
        None
    }
    /// From a JSON array.
    fn from_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Option<Self>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    /// From a JSON object.
    fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Option<Self>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

impl Lenient for String {
    fn from_string(s: String) -> Option<Self> {
        Some(s)
    }
}

impl Lenient for bool {
    fn from_bool(b: bool) -> Option<Self> {
        Some(b)
    }
}

/// A non-negative integer. (Fractions, exponents beyond integers and negatives are `Wrong`.)
impl Lenient for u64 {
    fn from_i64(n: i64) -> Option<Self> {
        u64::try_from(n).ok()
    }
    fn from_u64(n: u64) -> Option<Self> {
        Some(n)
    }
}

/// An array whose items all have the expected type.
impl<T: Lenient> Lenient for Vec<T> {
    fn from_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Option<Self>, A::Error> {
        let mut out = Some(Vec::new());
        while let Some(item) = seq.next_element::<Field<T>>()? {
            match (item, &mut out) {
                (Field::Value(v), Some(list)) => list.push(v),
                _ => out = None,
            }
        }
        Ok(out)
    }
}

/// Any JSON object, contents ignored (for "must be an object" rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnyObject;

impl Lenient for AnyObject {
    fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Option<Self>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Some(AnyObject))
    }
}

struct FieldVisitor<T>(PhantomData<T>);

fn field<T>(v: Option<T>) -> Field<T> {
    v.map_or(Field::Wrong, Field::Value)
}

impl<'de, T: Lenient> Visitor<'de> for FieldVisitor<T> {
    type Value = Field<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Field<T>, E> {
        Ok(Field::Absent)
    }
    fn visit_none<E: de::Error>(self) -> Result<Field<T>, E> {
        Ok(Field::Absent)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Field<T>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Field<T>, E> {
        Ok(field(T::from_bool(b)))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Field<T>, E> {
        Ok(field(T::from_i64(n)))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Field<T>, E> {
        Ok(field(T::from_u64(n)))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Field<T>, E> {
        Ok(Field::Wrong)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Field<T>, E> {
        Ok(field(T::from_string(s.to_owned())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Field<T>, E> {
        Ok(field(T::from_string(s)))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Field<T>, E> {
        Ok(Field::Wrong)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Field<T>, A::Error> {
        Ok(field(T::from_seq(seq)?))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Field<T>, A::Error> {
        Ok(field(T::from_map(map)?))
    }
}

impl<'de, T: Lenient> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FieldVisitor(PhantomData))
    }
}

/// Declares a document read member by member from a JSON object (for the app's options): each
/// named member into its [`Field`], members of one nested document (`+ name: Type`) merged in at
/// the same level, and the first member of any other name kept in `unknown`, so the caller can
/// refuse it by name. Reads every member once (serde's `MapAccess`), without buffering.
macro_rules! object_doc {
    (
        $(#[$m:meta])*
        pub struct $name:ident {
            $( $(#[$fm:meta])* $key:literal => $field:ident: $ty:ty, )*
        }
        $( + $(#[$nm:meta])* $nested:ident: $nty:ty )?
    ) => {
        $(#[$m])*
        #[derive(Default, Debug)]
        pub struct $name {
            $( $(#[$fm])* pub $field: $crate::core::doc::Field<$ty>, )*
            $( $(#[$nm])* pub $nested: $nty, )?
            /// The first member of a name this library does not know.
            pub unknown: Option<String>,
        }

        impl $name {
            /// Reads member `key` into its field; `false` when the name is not one of this document's.
            pub fn member<'de, A: serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> core::result::Result<bool, A::Error> {
                match key {
                    $( $key => self.$field = map.next_value()?, )*
                    _ => return Ok(false $( || self.$nested.member(key, map)? )?),
                }
                Ok(true)
            }
        }

        impl $crate::core::doc::Lenient for $name {
            fn from_map<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> core::result::Result<Option<Self>, A::Error> {
                let mut d = Self::default();
                while let Some(key) = map.next_key::<String>()? {
                    if !d.member(&key, &mut map)? {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        d.unknown.get_or_insert(key);
                    }
                }
                Ok(Some(d))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
                match <$crate::core::doc::Field<$name> as serde::Deserialize>::deserialize(d)? {
                    $crate::core::doc::Field::Value(v) => Ok(v),
                    _ => Err(<D::Error as serde::de::Error>::custom("expected an object")),
                }
            }
        }
    };
}
pub(crate) use object_doc;
