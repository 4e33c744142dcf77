//! `sessionStorage` behind [`Store`]: scoped to the tab, gone when it closes. Records are written
//! with `JSON.stringify` and read with `JSON.parse`. Nothing of this crate is ever written to
//! `localStorage`.

use js_sys::JSON;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use super::json::{from_js, stringify};
use super::{js_message, window};
use crate::core::{Error, Result};
use crate::driver::Store;

/// The tab's `sessionStorage`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SessionStore;

fn storage() -> Result<web_sys::Storage> {
    window()?
        .session_storage()
        .map_err(fail)?
        .ok_or_else(|| Error::Storage { message: "sessionStorage is not available".into() })
}

fn fail(e: JsValue) -> Error {
    Error::Storage { message: js_message(&e) }
}

impl SessionStore {
    /// The text stored under `key`.
    pub fn get_text(&self, key: &str) -> Result<Option<String>> {
        storage()?.get_item(key).map_err(fail)
    }
}

impl Store for SessionStore {
    fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let Some(text) = self.get_text(key)? else { return Ok(None) };
        let value = JSON::parse(&text).unwrap_or(JsValue::UNDEFINED);
        from_js(value).map(Some).ok_or_else(|| Error::Storage { message: crate::core::cat(&["stored ", key, " is malformed"]) })
    }
    fn set<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let text = stringify(value).ok_or_else(|| Error::Storage { message: "record is not JSON".into() })?;
        storage()?.set_item(key, &text).map_err(fail)
    }
    fn remove(&self, key: &str) -> Result<()> {
        storage()?.remove_item(key).map_err(fail)
    }
    fn keys(&self) -> Result<Vec<String>> {
        let s = storage()?;
        let n = s.length().map_err(fail)?;
        (0..n).map(|i| s.key(i).map(Option::unwrap_or_default).map_err(fail)).collect()
    }
}
