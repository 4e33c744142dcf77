//! Web Storage behind [`Store`]. The tab's sessions and launches live in `sessionStorage`: scoped
//! to the tab, gone when it closes. The one thing written to `localStorage` is the tab relay's
//! sealed records ([`crate::core::relay`]): ciphertexts under a key only the tabs sharing a
//! session hold. Records are written with `JSON.stringify` and read with `JSON.parse`.

use js_sys::JSON;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use super::json::{from_js, stringify};
use super::{js_message, window};
use crate::core::{Error, Result};
use crate::driver::Store;

/// One of the page's storage areas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebStorage {
    /// The tab's `sessionStorage`.
    Session,
    /// The origin's `localStorage` (shared by every document of the origin).
    Shared,
}

fn fail(e: JsValue) -> Error {
    Error::Storage { message: js_message(&e) }
}

impl WebStorage {
    fn area(self) -> Result<web_sys::Storage> {
        let w = window()?;
        let area = match self {
            WebStorage::Session => w.session_storage(),
            WebStorage::Shared => w.local_storage(),
        };
        area.map_err(fail)?.ok_or_else(|| Error::Storage { message: "Web Storage is not available".into() })
    }

    /// The text stored under `key`.
    pub fn get_text(&self, key: &str) -> Result<Option<String>> {
        self.area()?.get_item(key).map_err(fail)
    }
}

impl Store for WebStorage {
    fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let Some(text) = self.get_text(key)? else { return Ok(None) };
        let value = JSON::parse(&text).unwrap_or(JsValue::UNDEFINED);
        from_js(value).map(Some).ok_or_else(|| Error::Storage { message: ["stored ", key, " is malformed"].concat() })
    }
    fn set<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let text = stringify(value).ok_or_else(|| Error::Storage { message: "record is not JSON".into() })?;
        self.area()?.set_item(key, &text).map_err(fail)
    }
    fn remove(&self, key: &str) -> Result<()> {
        self.area()?.remove_item(key).map_err(fail)
    }
    fn keys(&self) -> Result<Vec<String>> {
        let s = self.area()?;
        let n = s.length().map_err(fail)?;
        (0..n).map(|i| s.key(i).map(Option::unwrap_or_default).map_err(fail)).collect()
    }
}
