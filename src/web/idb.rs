//! IndexedDB behind [`Registrations`]: one entry per FHIR server, `{ iss, record, keys }`, where
//! `record` is the core's record (a plain object made by serde-wasm-bindgen) and `keys` the
//! `CryptoKeyPair` itself — stored by structured clone, so the private key is never exported.
//! Database `smart-wasm`, store `registrations`.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js_message;
use super::json::{from_js, to_js};
use super::keys::KeyPair;
use crate::core::registration::RegistrationRecord;
use crate::core::types::FhirBase;
use crate::core::{Error, Result};
use crate::driver::Registrations;

#[wasm_bindgen(module = "/src/web/identity.js")]
extern "C" {
    fn put(iss: &str, record: &JsValue, keys: &JsValue) -> js_sys::Promise;
    fn get(iss: &str) -> js_sys::Promise;
    fn remove(iss: &str) -> js_sys::Promise;
    fn touch(iss: &str, at: f64) -> js_sys::Promise;
    fn all() -> js_sys::Promise;
    fn field(entry: &JsValue, name: &str) -> JsValue;
}

fn storage_err(e: JsValue) -> Error {
    Error::Storage { message: js_message(&e) }
}

fn record_of(entry: &JsValue) -> Result<RegistrationRecord> {
    from_js(field(entry, "record")).ok_or_else(|| Error::Storage { message: "stored registration is malformed".into() })
}

/// The browser's IndexedDB.
#[derive(Clone, Copy, Debug, Default)]
pub struct IndexedDb;

impl Registrations for IndexedDb {
    type Pair = KeyPair;

    async fn put(&self, record: &RegistrationRecord, pair: &KeyPair) -> Result<()> {
        JsFuture::from(put(record.iss().as_str(), &to_js(record), &pair.0)).await.map(|_| ()).map_err(storage_err)
    }

    async fn get(&self, iss: &FhirBase) -> Result<Option<(RegistrationRecord, KeyPair)>> {
        let entry = JsFuture::from(get(iss.as_str())).await.map_err(storage_err)?;
        if entry.is_undefined() || entry.is_null() {
            return Ok(None);
        }
        Ok(Some((record_of(&entry)?, KeyPair(field(&entry, "keys")))))
    }

    async fn delete(&self, iss: &FhirBase) -> Result<()> {
        JsFuture::from(remove(iss.as_str())).await.map(|_| ()).map_err(storage_err)
    }

    async fn touch(&self, iss: &FhirBase, at: u64) -> Result<()> {
        JsFuture::from(touch(iss.as_str(), at as f64)).await.map(|_| ()).map_err(storage_err)
    }

    async fn list(&self) -> Result<Vec<RegistrationRecord>> {
        let entries = JsFuture::from(all()).await.map_err(storage_err)?;
        js_sys::Array::from(&entries).iter().map(|e| record_of(&e)).collect()
    }
}
