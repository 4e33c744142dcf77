//! WebCrypto key pairs behind [`Keys`]: generated with a non-extractable private key (script can
//! sign with it, never read it), the public half exported as a JWK, signatures in JWS form.
//! The calls are one level down, in a few lines of JavaScript.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js_message;
use super::json::from_js;
use crate::core::jwt::{Alg, ExportedJwk};
use crate::core::{Error, Result};
use crate::driver::Keys;

#[wasm_bindgen(module = "/src/web/identity.js")]
extern "C" {
    fn generate(alg: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = exportPublic)]
    fn export_public(pair: &JsValue) -> js_sys::Promise;
    fn sign(pair: &JsValue, alg: &str, data: &[u8]) -> js_sys::Promise;
    #[wasm_bindgen(js_name = importPair)]
    fn import_pair(jwk: &JsValue, alg: &str) -> js_sys::Promise;
}

impl WebCryptoKeys {
    /// Imports a private JWK the app provides as a non-extractable key pair (for tools and tests:
    /// a key that existed outside WebCrypto is only as safe as wherever it was).
    pub async fn import(&self, jwk: &JsValue, alg: Alg) -> Result<KeyPair> {
        JsFuture::from(import_pair(jwk, alg.name())).await.map(KeyPair).map_err(crypto_err)
    }
}

fn crypto_err(e: JsValue) -> Error {
    Error::Crypto { message: js_message(&e) }
}

/// A WebCrypto `CryptoKeyPair`; the private key inside is not extractable.
#[derive(Clone, Debug)]
pub struct KeyPair(pub JsValue);

/// The browser's WebCrypto.
#[derive(Clone, Copy, Debug, Default)]
pub struct WebCryptoKeys;

impl Keys for WebCryptoKeys {
    type Pair = KeyPair;

    async fn generate(&self, alg: Alg) -> Result<KeyPair> {
        JsFuture::from(generate(alg.name())).await.map(KeyPair).map_err(crypto_err)
    }

    async fn public_jwk(&self, pair: &KeyPair) -> Result<ExportedJwk> {
        let jwk = JsFuture::from(export_public(&pair.0)).await.map_err(crypto_err)?;
        from_js(jwk).ok_or_else(|| Error::Crypto { message: "exported key is not a JWK".into() })
    }

    async fn sign(&self, pair: &KeyPair, alg: Alg, data: &[u8]) -> Result<Vec<u8>> {
        let sig = JsFuture::from(sign(&pair.0, alg.name(), data)).await.map_err(crypto_err)?;
        Ok(Uint8Array::new(&sig).to_vec())
    }
}
