//! Thin browser adapters (after gloo): each file wraps one web API behind a trait of
//! [`crate::driver`], and converts JS errors once, here, keeping their name and message.

pub mod fetch;
#[cfg(feature = "identity")]
pub mod idb;
#[cfg(feature = "identity")]
pub mod keys;
pub mod json;
pub mod platform;
pub mod read;
pub mod storage;

use wasm_bindgen::{JsCast, JsValue};

/// The message of a thrown JS value (`name: message` for `Error` objects).
pub fn js_message(v: &JsValue) -> String {
    match v.dyn_ref::<js_sys::Error>() {
        Some(e) => crate::core::cat(&[&String::from(e.name()), ": ", &String::from(e.message())]),
        None => v.as_string().unwrap_or_else(|| "unknown JavaScript error".into()),
    }
}

/// The `window` object; this crate runs on pages, not in workers.
pub fn window() -> crate::core::Result<web_sys::Window> {
    web_sys::window().ok_or_else(|| crate::core::Error::Network { message: "no window: run on a page".into() })
}
