//! `sessionStorage` behind [`Store`]: scoped to the tab, gone when it closes. Nothing of this crate
//! is ever written to `localStorage`.

use super::{js_message, window};
use crate::core::{Error, Result};
use crate::driver::Store;

/// The tab's `sessionStorage`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SessionStore;

fn storage() -> Result<web_sys::Storage> {
    window()?
        .session_storage()
        .map_err(|e| Error::Storage { message: js_message(&e) })?
        .ok_or_else(|| Error::Storage { message: "sessionStorage is not available".into() })
}

fn fail(e: wasm_bindgen::JsValue) -> Error {
    Error::Storage { message: js_message(&e) }
}

impl Store for SessionStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        storage()?.get_item(key).map_err(fail)
    }
    fn set(&self, key: &str, value: &str) -> Result<()> {
        storage()?.set_item(key, value).map_err(fail)
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
