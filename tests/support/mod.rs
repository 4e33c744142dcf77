//! Helpers shared by the native protocol tests: fixed randomness and clock, and in-memory stand-ins
//! for the driver's traits. These are fakes, named as such; the real adapters are tested in
//! headless Chromium (tests/web.rs) and end to end (tests/e2e/).
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use smart_wasm::core::config::OptionsDoc;
use smart_wasm::core::doc::{Body, JsonText};
use smart_wasm::core::http::HttpRequest;
use smart_wasm::core::{Error, Result};
use smart_wasm::driver::{Http, HttpResponse, Platform, Store};

pub const FHIR: &str = "https://ehr.example.org/fhir/R4";
pub const PAGE: &str = "https://app.example.org/portal/index.html";

/// Runs a future whose awaits all complete at once (the fakes never wait).
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("fake I/O never pends"),
    }
}

/// A parsed body, as the browser's `JSON.parse` would give it (serde_json here); text that is not
/// JSON becomes `null`, which decodes as no document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Doc(pub serde_json::Value);

impl Default for Doc {
    fn default() -> Self {
        Doc(serde_json::json!({}))
    }
}

impl Body for Doc {
    fn decode<T: DeserializeOwned>(&self) -> Option<T> {
        if self.0.is_object() {
            serde_json::from_value(self.0.clone()).ok()
        } else {
            None
        }
    }
    fn merged(&self, newer: &Self) -> Self {
        let mut out = self.0.as_object().cloned().unwrap_or_default();
        for (k, v) in newer.0.as_object().into_iter().flatten() {
            out.insert(k.clone(), v.clone());
        }
        Doc(serde_json::Value::Object(out))
    }
    fn parse_b64url(part: &str) -> Option<Self> {
        let text = String::from_utf8(smart_wasm::core::encode::b64url_decode(part)?).ok()?;
        serde_json::from_str(&text).ok().map(Doc)
    }
}

/// A body from JSON text.
pub fn j(text: &str) -> Doc {
    Doc(serde_json::from_str(text).unwrap_or(serde_json::Value::Null))
}

/// serde_json writes JSON text natively (the browser's `JSON.stringify` in wasm).
pub struct SerdeJson;

impl JsonText for SerdeJson {
    fn json<T: Serialize>(&self, value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }
    fn parse<T: DeserializeOwned>(&self, text: &str) -> Option<T> {
        serde_json::from_str(text).ok()
    }
}

/// The options document from JSON text.
pub fn options_doc(json: &str) -> OptionsDoc {
    serde_json::from_str(json).unwrap()
}

pub fn options(json: &str) -> smart_wasm::core::config::Options {
    smart_wasm::core::config::parse_options(&options_doc(json), PAGE).unwrap()
}

pub fn smart_config() -> String {
    r#"{"issuer":"https://auth.example.org","authorization_endpoint":"https://auth.example.org/authorize",
        "token_endpoint":"https://auth.example.org/token","code_challenge_methods_supported":["S256"],
        "authorization_response_iss_parameter_supported":true,"capabilities":["launch-ehr","client-public"]}"#
        .to_owned()
}

/// The authorization server's own metadata (OpenID Discovery), agreeing with [`smart_config`].
pub const ISSUER_METADATA_URL: &str = "https://auth.example.org/.well-known/openid-configuration";
pub fn issuer_metadata() -> String {
    r#"{"issuer":"https://auth.example.org","authorization_endpoint":"https://auth.example.org/authorize",
        "token_endpoint":"https://auth.example.org/token","jwks_uri":"https://auth.example.org/jwks"}"#
        .to_owned()
}

/// A stored launch (public or confidential client) whose code is being exchanged.
pub fn launch_record(confidential: bool) -> smart_wasm::core::authorize::LaunchRecord {
    serde_json::from_str(&format!(
        r#"{{"binding":{{"iss":"{FHIR}","clientId":"app","auth":"{}","tokenEndpoint":"https://auth.example.org/token","epicClientIdHeader":true,"refreshMargin":30,"timeoutMs":30000}},
        "redirectUri":"{PAGE}","scope":"launch/patient openid offline_access","issuer":"https://auth.example.org","issRequired":true,
        "verifier":"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk","createdAt":1}}"#,
        if confidential { "client_secret_basic" } else { "none" }
    ))
    .unwrap()
}

/// Fake HTTP: answers by URL from a table and records every request.
#[derive(Default)]
pub struct FakeHttp {
    pub answers: RefCell<BTreeMap<String, (u16, String)>>,
    pub sent: RefCell<Vec<HttpRequest>>,
}

impl FakeHttp {
    pub fn with(self, url: &str, status: u16, body: &str) -> Self {
        self.answers.borrow_mut().insert(url.to_owned(), (status, body.to_owned()));
        self
    }
}

impl Http for FakeHttp {
    type Body = Doc;
    async fn send(&self, req: &HttpRequest) -> Result<HttpResponse<Doc>> {
        self.sent.borrow_mut().push(req.clone());
        let (status, body) = self.answers.borrow().get(&req.url).cloned().unwrap_or((404, String::new()));
        let (what, limit) = req.expect;
        // Faults a table entry can name: status 0 is a fetch the page may not read (no answer, or
        // no CORS), status 1 one that did not end within its time limit.
        match status {
            0 => return Err(Error::Network { message: body }),
            1 => return Err(Error::Timeout { what, ms: req.timeout_ms }),
            _ => {}
        }
        if body.len() > limit {
            return Err(Error::ResponseTooLarge { what, limit });
        }
        Ok(HttpResponse { status, body: j(&body), www_authenticate: None, redirected: false })
    }
}

/// Fake sessionStorage (JSON text by serde_json).
#[derive(Default)]
pub struct FakeStore(pub RefCell<BTreeMap<String, String>>);

impl Store for FakeStore {
    fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        match self.0.borrow().get(key) {
            None => Ok(None),
            Some(text) => serde_json::from_str(text).map(Some).map_err(|_| Error::Storage { message: format!("stored {key} is malformed") }),
        }
    }
    fn set<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        self.0.borrow_mut().insert(key.into(), serde_json::to_string(value).unwrap());
        Ok(())
    }
    fn remove(&self, key: &str) -> Result<()> {
        self.0.borrow_mut().remove(key);
        Ok(())
    }
    fn keys(&self) -> Result<Vec<String>> {
        Ok(self.0.borrow().keys().cloned().collect())
    }
}

/// Fixed clock; randomness counts up so each call differs; SHA-256 from the sha2 crate.
pub struct FakePlatform {
    pub now: u64,
    pub counter: RefCell<u8>,
}

impl FakePlatform {
    pub fn at(now: u64) -> Self {
        FakePlatform { now, counter: RefCell::new(0) }
    }
}

impl JsonText for FakePlatform {
    fn json<T: Serialize>(&self, value: &T) -> String {
        SerdeJson.json(value)
    }
    fn parse<T: DeserializeOwned>(&self, text: &str) -> Option<T> {
        SerdeJson.parse(text)
    }
}

impl Platform for FakePlatform {
    fn random32(&self) -> Result<[u8; 32]> {
        let mut c = self.counter.borrow_mut();
        *c += 1;
        Ok([*c; 32])
    }
    async fn sha256(&self, data: &[u8]) -> Result<[u8; 32]> {
        Ok(Sha256::digest(data).into())
    }
    fn now(&self) -> u64 {
        self.now
    }
    /// A hand-written fake (native tests have no WebCrypto; the real check runs in the browser
    /// tests): a signature is valid when it is the bytes `valid:` followed by the signing input.
    async fn verify<K: Serialize>(&self, _alg: &str, _jwk: &K, input: &[u8], signature: &str) -> Result<bool> {
        let signature = smart_wasm::core::encode::b64url_decode(signature).unwrap_or_default();
        Ok(signature.strip_prefix(b"valid:") == Some(input))
    }
    /// AES-256-GCM by the aes-gcm crate, the nonce from the counting randomness (WebCrypto's in the
    /// browser tests, which check the two agree).
    async fn seal(&self, key: &str, aad: &[u8], plain: &[u8]) -> Result<String> {
        use aes_gcm::aead::{Aead, KeyInit, Payload};
        use smart_wasm::core::encode::{b64url, b64url_decode};
        let key: [u8; 32] = b64url_decode(key).and_then(|k| k.try_into().ok()).ok_or(Error::Crypto { message: "key".into() })?;
        let iv: [u8; 12] = self.random32()?[..12].try_into().unwrap();
        let sealed = aes_gcm::Aes256Gcm::new(&key.into())
            .encrypt(&iv.into(), Payload { msg: plain, aad })
            .map_err(|_| Error::Crypto { message: "seal".into() })?;
        Ok(format!("{}.{}", b64url(&iv), b64url(&sealed)))
    }
    async fn open(&self, key: &str, aad: &[u8], sealed: &str) -> Result<Option<Vec<u8>>> {
        use aes_gcm::aead::{Aead, KeyInit, Payload};
        use smart_wasm::core::encode::b64url_decode;
        let Some(key) = b64url_decode(key).and_then(|k| <[u8; 32]>::try_from(k).ok()) else { return Ok(None) };
        let Some((iv, data)) = sealed.split_once('.') else { return Ok(None) };
        let (Some(iv), Some(data)) = (b64url_decode(iv).and_then(|v| <[u8; 12]>::try_from(v).ok()), b64url_decode(data)) else { return Ok(None) };
        Ok(aes_gcm::Aes256Gcm::new(&key.into()).decrypt(&iv.into(), Payload { msg: &data, aad }).ok())
    }
}

/// The query pairs of a URL, as a map.
pub fn query(url: &str) -> BTreeMap<String, String> {
    url::Url::parse(url).unwrap().query_pairs().into_owned().collect()
}

/// The form pairs of a request body, as a map.
pub fn form(body: &str) -> BTreeMap<String, String> {
    form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

/// Deterministic fuzz inputs: `n` variants of the `seeds`, each with 1..=`max_edits` random byte
/// replacements, deletions or insertions from `alphabet` (xorshift64, fixed seed: reproducible).
pub fn mutations<'a>(seeds: &'a [&'a str], alphabet: &'a [u8], n: usize, max_edits: u64) -> impl Iterator<Item = Vec<u8>> + 'a {
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    (0..n).map(move |i| {
        let mut s = seeds[i % seeds.len()].as_bytes().to_vec();
        for _ in 0..1 + next() % max_edits {
            let pos = (next() as usize) % (s.len() + 1);
            let c = alphabet[(next() as usize) % alphabet.len()];
            match next() % 3 {
                0 if pos < s.len() => s[pos] = c,
                1 if pos < s.len() => {
                    s.remove(pos);
                }
                _ => s.insert(pos, c),
            }
        }
        s
    })
}

/// A hostile token response: about 1 MiB of 100k distinct keys around a valid token; and a scope
/// of 40k tokens, 30k distinct.
pub fn hostile_token_response_and_scope() -> (String, String) {
    let mut body = String::from(r#"{"access_token":"a","token_type":"bearer""#);
    for i in 0..100_000 {
        body.push_str(&format!(r#","{i:x}":0"#));
    }
    body.push('}');
    assert!(body.len() <= 1024 * 1024);
    let scope: Vec<String> = (0..40_000).map(|i| format!("patient/R{}.rs", i % 30_000)).collect();
    (body, scope.join(" "))
}
