//! Encodings the protocol needs: base64url (RFC 4648 §5), `application/x-www-form-urlencoded`
//! bodies and HTTP Basic client authentication (RFC 6749 §2.3.1), and bounded JSON object parsing.

use super::error::{Error, Result, What};
use super::json::{self, Json, Obj};
use super::types::{ClientId, ClientSecret};
use super::url::{form_encode, form_serialize_into};

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64 (RFC 4648 §4 with `=` padding, or §5 base64url without).
fn b64(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Unpadded base64url.
pub fn b64url(bytes: &[u8]) -> String {
    b64(bytes, B64URL, false)
}

/// Builds an `application/x-www-form-urlencoded` body from name/value pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = String::new();
    form_serialize_into(pairs, &mut s);
    s
}

/// `Authorization: Basic base64(urlencode(client_id) ":" urlencode(client_secret))`.
/// RFC 6749 §2.3.1 requires the form-urlencoding before base64; seed 004 shows the effect on a `/`.
pub fn basic_auth(id: &ClientId, secret: &ClientSecret) -> String {
    let pair = crate::core::cat(&[&form_encode(id.as_str()), ":", &form_encode(secret.secret())]);
    crate::core::cat(&["Basic ", &b64(pair.as_bytes(), B64, true)])
}

/// HTTP Basic credentials as RFC 7617 defines them for any server: `base64(id ":" secret)`, with
/// no form-encoding (that is OAuth's addition, [`basic_auth`]). For FHIR servers that take client
/// credentials directly (seed 002).
pub fn basic_credentials(id: &ClientId, secret: &ClientSecret) -> String {
    b64(crate::core::cat(&[id.as_str(), ":", secret.secret()]).as_bytes(), B64, true)
}

/// Parses a response body that must be one JSON object, refusing bodies over `limit` bytes before
/// parsing them.
pub fn json_object(what: What, body: &str, limit: usize) -> Result<Obj> {
    if body.len() > limit {
        return Err(Error::ResponseTooLarge { what, limit });
    }
    match json::parse(body) {
        Ok(Json::Obj(m)) => Ok(m),
        _ => Err(Error::InvalidJson { what }),
    }
}

/// Reads an optional string member; present with another type is an error made by `bad`.
pub fn opt_str<'a>(m: &'a Obj, key: &str, bad: impl FnOnce() -> Error) -> Result<Option<&'a str>> {
    match m.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s)),
        Some(_) => Err(bad()),
    }
}

/// A JSON object this crate wrote to storage and reads back; anything missing or mistyped is an
/// [`Error::Storage`] naming the record.
pub struct Stored {
    obj: Obj,
    what: What,
}

impl Stored {
    /// Parses a stored record (at most `limit` bytes).
    pub fn parse(what: What, text: &str, limit: usize) -> Result<Self> {
        let obj = json_object(what, text, limit).map_err(|_| Self::corrupt_err(what))?;
        Ok(Stored { obj, what })
    }
    fn corrupt_err(what: What) -> Error {
        Error::Storage { message: crate::core::cat(&["stored ", what, " is malformed"]) }
    }
    /// The error for a malformed record.
    pub fn corrupt(&self) -> Error {
        Self::corrupt_err(self.what)
    }
    /// A required string.
    pub fn str(&self, key: &str) -> Result<&str> {
        self.opt_str(key)?.ok_or_else(|| self.corrupt())
    }
    /// An optional string.
    pub fn opt_str(&self, key: &str) -> Result<Option<&str>> {
        opt_str(&self.obj, key, || self.corrupt())
    }
    /// A required boolean.
    pub fn bool(&self, key: &str) -> Result<bool> {
        opt_bool(&self.obj, key, || self.corrupt())?.ok_or_else(|| self.corrupt())
    }
    /// An optional non-negative integer.
    pub fn opt_u64(&self, key: &str) -> Result<Option<u64>> {
        match self.obj.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| self.corrupt()),
        }
    }
    /// A required non-negative integer.
    pub fn u64(&self, key: &str) -> Result<u64> {
        self.opt_u64(key)?.ok_or_else(|| self.corrupt())
    }
    /// A required object.
    pub fn obj(&self, key: &str) -> Result<Obj> {
        self.obj.get(key).and_then(Json::as_object).cloned().ok_or_else(|| self.corrupt())
    }
}

/// Reads an optional boolean member; present with another type is an error made by `bad`.
pub fn opt_bool(m: &Obj, key: &str, bad: impl FnOnce() -> Error) -> Result<Option<bool>> {
    match m.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(bad()),
    }
}
