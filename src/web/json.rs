//! JSON in the browser: the browser parses and writes the text (`JSON.parse`, `Response`'s body,
//! `JSON.stringify`), serde-wasm-bindgen moves the values across the boundary. No JSON text is
//! parsed in wasm.

use js_sys::{Array, Object, JSON};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::doc::{Body, JsonText};

/// serde-wasm-bindgen's JSON-compatible settings: plain objects for maps, `null` for `None`.
const TO_JS: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::json_compatible();

/// A Rust value as a JS value (plain objects, `null` for `None`).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    // Plain data (strings, integers, booleans, structs, lists) always converts.
    value.serialize(&TO_JS).unwrap_or(JsValue::NULL)
}

/// A JS value as a Rust value; `None` when it does not decode.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Option<T> {
    serde_wasm_bindgen::from_value(value).ok()
}

/// Whether `v` is a plain object (not an array, not `null`).
pub fn is_object(v: &JsValue) -> bool {
    v.is_object() && !Array::is_array(v)
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/web/browser.js")]
extern "C" {
    #[wasm_bindgen(js_name = b64json)]
    fn b64_json(part: &str) -> JsValue;
}

/// A body parsed by the browser (`undefined` when it is not JSON). The default is `{}`.
#[derive(Clone, Debug, PartialEq)]
pub struct JsBody(pub JsValue);

impl Default for JsBody {
    fn default() -> Self {
        JsBody(Object::new().into())
    }
}

impl Body for JsBody {
    fn decode<T: DeserializeOwned>(&self) -> Option<T> {
        if is_object(&self.0) {
            from_js(self.0.clone())
        } else {
            None
        }
    }

    fn merged(&self, newer: &Self) -> Self {
        let out = Object::new();
        for v in [&self.0, &newer.0] {
            if is_object(v) {
                Object::assign(&out, v.unchecked_ref());
            }
        }
        JsBody(out.into())
    }

    fn parse_b64url(part: &str) -> Option<Self> {
        Some(JsBody(b64_json(part))).filter(|b| !b.0.is_undefined())
    }
}

/// Kept as the JS value itself across serde-wasm-bindgen (a stored session holds the token
/// response as the server sent it).
impl Serialize for JsBody {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_wasm_bindgen::preserve::serialize(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for JsBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_wasm_bindgen::preserve::deserialize(d).map(JsBody)
    }
}

/// `JSON.stringify` of a Rust value.
pub fn stringify<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    JSON::stringify(&to_js(value)).ok().and_then(|s| s.as_string())
}

/// The browser writes the JSON text.
#[derive(Clone, Copy, Debug, Default)]
pub struct BrowserJson;

impl JsonText for BrowserJson {
    fn json<T: Serialize>(&self, value: &T) -> String {
        stringify(value).unwrap_or_default()
    }
    fn parse<T: DeserializeOwned>(&self, text: &str) -> Option<T> {
        JSON::parse(text).ok().and_then(from_js)
    }
}
