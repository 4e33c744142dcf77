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
        Some(e) => [&String::from(e.name()), ": ", &String::from(e.message())].concat(),
        None => v.as_string().unwrap_or_else(|| "unknown JavaScript error".into()),
    }
}

/// The `window` object; this crate runs on pages, not in workers.
pub fn window() -> crate::core::Result<web_sys::Window> {
    web_sys::window().ok_or_else(|| crate::core::Error::Network { message: "no window: run on a page".into() })
}

/// The `name` of a thrown JS `Error` (`TimeoutError`, `AbortError`, …), or empty.
pub fn js_name(v: &JsValue) -> String {
    v.dyn_ref::<js_sys::Error>().map(|e| String::from(e.name())).unwrap_or_default()
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/web/browser.js")]
extern "C" {
    fn acquire(name: &str, ms: u32) -> js_sys::Promise;
}

/// Runs `f` holding the Web Lock `name` (one holder in all the origin's tabs), waiting for it at
/// most `ms`: [`Error::Timeout`](crate::core::Error::Timeout) naming `what` when another context
/// keeps it longer. A browser without Web Locks (or one that refuses the request) runs `f`
/// without it.
pub async fn with_lock<T>(
    name: &str,
    ms: u32,
    what: crate::core::error::What,
    f: impl core::future::Future<Output = crate::core::Result<T>>,
) -> crate::core::Result<T> {
    let release = match wasm_bindgen_futures::JsFuture::from(acquire(name, ms)).await {
        Ok(r) => r.dyn_into::<js_sys::Function>().ok(),
        Err(e) if js_name(&e) == "TimeoutError" => return Err(crate::core::Error::Timeout { what, ms }),
        Err(_) => None,
    };
    let out = f.await;
    if let Some(r) = release {
        let _ = r.call0(&JsValue::NULL);
    }
    out
}
