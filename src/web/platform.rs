//! Randomness (`crypto.getRandomValues` through getrandom), SHA-256 (`crypto.subtle.digest`) and
//! the clock (`Date.now`) behind [`Platform`], and JSON text by `JSON.stringify`. No crypto is implemented in this crate.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::json::BrowserJson;
use super::{js_message, window};
use crate::core::doc::JsonText;
use crate::core::{Error, Result};
use crate::driver::Platform;

/// The browser's crypto and clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct Browser;

fn crypto_err(e: wasm_bindgen::JsValue) -> Error {
    Error::Crypto { message: js_message(&e) }
}

impl Platform for Browser {
    fn random32(&self) -> Result<[u8; 32]> {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).map_err(|_| Error::Crypto { message: "crypto.getRandomValues failed".into() })?;
        Ok(b)
    }

    async fn sha256(&self, data: &[u8]) -> Result<[u8; 32]> {
        let subtle = window()?.crypto().map_err(crypto_err)?.subtle();
        let input = Uint8Array::from(data);
        let promise = subtle.digest_with_str_and_buffer_source("SHA-256", &input).map_err(crypto_err)?;
        let buf: ArrayBuffer = JsFuture::from(promise).await.map_err(crypto_err)?.unchecked_into();
        let mut out = [0u8; 32];
        let bytes = Uint8Array::new(&buf);
        if bytes.length() != 32 {
            return Err(Error::Crypto { message: "SHA-256 digest is not 32 bytes".into() });
        }
        bytes.copy_to(&mut out);
        Ok(out)
    }

    fn now(&self) -> u64 {
        (js_sys::Date::now() / 1000.0) as u64
    }

    async fn verify<K: serde::Serialize>(&self, alg: &str, jwk: &K, input: &[u8], signature: &str) -> Result<bool> {
        let promise = verify_jws(alg, &super::json::to_js(jwk), &Uint8Array::from(input), signature);
        Ok(JsFuture::from(promise).await.map_err(crypto_err)?.is_truthy())
    }

    async fn seal(&self, key: &str, aad: &[u8], plain: &[u8]) -> Result<String> {
        let out = JsFuture::from(seal_js(key, &Uint8Array::from(aad), &Uint8Array::from(plain))).await.map_err(crypto_err)?;
        out.as_string().ok_or_else(|| Error::Crypto { message: "AES-GCM encryption failed".into() })
    }

    async fn open(&self, key: &str, aad: &[u8], sealed: &str) -> Result<Option<Vec<u8>>> {
        let out = JsFuture::from(open_js(key, &Uint8Array::from(aad), sealed)).await.map_err(crypto_err)?;
        Ok(out.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec))
    }
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/web/browser.js")]
extern "C" {
    #[wasm_bindgen(js_name = verifyJws)]
    fn verify_jws(alg: &str, jwk: &wasm_bindgen::JsValue, data: &Uint8Array, signature: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = seal)]
    fn seal_js(key: &str, aad: &Uint8Array, plain: &Uint8Array) -> js_sys::Promise;
    #[wasm_bindgen(js_name = open)]
    fn open_js(key: &str, aad: &Uint8Array, sealed: &str) -> js_sys::Promise;
}

impl JsonText for Browser {
    fn json<T: serde::Serialize>(&self, value: &T) -> String {
        BrowserJson.json(value)
    }
    fn parse<T: serde::de::DeserializeOwned>(&self, text: &str) -> Option<T> {
        BrowserJson.parse(text)
    }
}
