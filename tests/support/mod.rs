//! Helpers shared by the native protocol tests: fixed randomness and clock, and in-memory stand-ins
//! for the driver's traits. These are fakes, named as such; the real adapters are tested in
//! headless Chromium (tests/web.rs) and end to end (tests/e2e/).
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use sha2::{Digest, Sha256};
use smart_wasm::core::http::HttpRequest;
use smart_wasm::core::json::parse;
use smart_wasm::core::Result;
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

pub fn options(json: &str) -> smart_wasm::core::config::Options {
    smart_wasm::core::config::parse_options(&parse(json).unwrap(), PAGE).unwrap()
}

pub fn smart_config() -> String {
    r#"{"issuer":"https://auth.example.org","authorization_endpoint":"https://auth.example.org/authorize",
        "token_endpoint":"https://auth.example.org/token","code_challenge_methods_supported":["S256"],
        "authorization_response_iss_parameter_supported":true,"capabilities":["launch-ehr","client-public"]}"#
        .to_owned()
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
    async fn send(&self, req: &HttpRequest) -> Result<HttpResponse> {
        self.sent.borrow_mut().push(req.clone());
        let (status, body) = self.answers.borrow().get(&req.url).cloned().unwrap_or((404, String::new()));
        Ok(HttpResponse { status, body, www_authenticate: None, redirected: false })
    }
}

/// Fake sessionStorage.
#[derive(Default)]
pub struct FakeStore(pub RefCell<BTreeMap<String, String>>);

impl Store for FakeStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(self.0.borrow().get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<()> {
        self.0.borrow_mut().insert(key.into(), value.into());
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
}

/// The query pairs of a URL, as a map.
pub fn query(url: &str) -> BTreeMap<String, String> {
    smart_wasm::core::url::Url::parse(url).unwrap().query_pairs().into_iter().collect()
}

/// The form pairs of a request body, as a map.
pub fn form(body: &str) -> BTreeMap<String, String> {
    smart_wasm::core::url::parse_form(body).into_iter().collect()
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
