//! The browser adapters with the real APIs in headless Chromium (wasm-bindgen-test): fetch against
//! the running sandbox, sessionStorage, WebCrypto's SHA-256, getrandom, and the driver over them.
//! Run by scripts/test.sh with the sandbox started.
#![cfg(target_arch = "wasm32")]

use smart_wasm::core::config::parse_options;
use smart_wasm::core::http::HttpRequest;
use smart_wasm::core::json::parse;
use smart_wasm::core::url::Url;
use smart_wasm::core::Error;
use smart_wasm::driver::{begin_launch, Http, NoIdentity, Platform, Store, LAUNCH_PREFIX};
use smart_wasm::web::fetch::Fetch;
use smart_wasm::web::platform::Browser;
use smart_wasm::web::storage::SessionStore;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FHIR: &str = "http://127.0.0.1:9001/4_0_0";
const CONTROL: &str = "http://127.0.0.1:8080/_sandbox";

fn page_url() -> String {
    web_sys::window().unwrap().location().href().unwrap()
}

#[wasm_bindgen_test]
async fn fetch_sends_method_headers_and_body_as_built() {
    let req = HttpRequest::form_post(format!("{CONTROL}/echo"), "grant_type=x&code=y".into())
        .header("Authorization", "Basic YTpi")
        .header("Epic-Client-ID", "abc");
    let resp = Fetch.send(&req).await.unwrap();
    assert_eq!(resp.status, 200);
    let echo = parse(&resp.body).unwrap();
    let echo = echo.as_object().unwrap();
    assert_eq!(echo.get("method").and_then(|v| v.as_str()), Some("POST"));
    assert_eq!(echo.get("body").and_then(|v| v.as_str()), Some("grant_type=x&code=y"));
    let h = echo.get("headers").and_then(|v| v.as_object()).unwrap();
    assert_eq!(h.get("authorization").and_then(|v| v.as_str()), Some("Basic YTpi"));
    assert_eq!(h.get("epic-client-id").and_then(|v| v.as_str()), Some("abc"));
    assert_eq!(h.get("content-type").and_then(|v| v.as_str()), Some("application/x-www-form-urlencoded"));
}

#[wasm_bindgen_test]
async fn fetch_reports_status_and_exposed_www_authenticate() {
    let resp = Fetch.send(&HttpRequest::get(format!("{FHIR}/Patient/amy"))).await.unwrap();
    assert_eq!(resp.status, 401);
    assert_eq!(resp.www_authenticate.as_deref(), Some("Bearer realm=\"sandbox\""));
    assert!(resp.body.contains("OperationOutcome"));
}

#[wasm_bindgen_test]
async fn fetch_does_not_follow_redirects() {
    let resp = Fetch.send(&HttpRequest::get(format!("{CONTROL}/redirect"))).await.unwrap();
    assert!(resp.redirected);
    assert_eq!(resp.status, 0);
}

#[wasm_bindgen_test]
async fn fetch_failure_is_a_network_error() {
    let err = Fetch.send(&HttpRequest::get("http://127.0.0.1:9/nothing".into())).await.unwrap_err();
    assert_eq!(err.code(), "network_error");
    assert!(matches!(err, Error::Network { ref message } if message.starts_with("TypeError")), "{err:?}");
}

#[wasm_bindgen_test]
fn session_storage_round_trips() {
    let s = SessionStore;
    s.set("smart-wasm:test:a", "1 ünï").unwrap();
    assert_eq!(s.get("smart-wasm:test:a").unwrap().as_deref(), Some("1 ünï"));
    assert!(s.keys().unwrap().contains(&"smart-wasm:test:a".to_owned()));
    s.remove("smart-wasm:test:a").unwrap();
    assert_eq!(s.get("smart-wasm:test:a").unwrap(), None);
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert_eq!(local.get_item("smart-wasm:test:a").unwrap(), None, "never localStorage");
}

#[wasm_bindgen_test]
async fn webcrypto_sha256_matches_the_fips_vector() {
    let d = Browser.sha256(b"abc").await.unwrap();
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

#[wasm_bindgen_test]
fn randomness_and_clock_are_real() {
    let (a, b) = (Browser.random32().unwrap(), Browser.random32().unwrap());
    assert_ne!(a, b);
    assert_ne!(a, [0; 32]);
    let now = Browser.now();
    let js_now = (js_sys::Date::now() / 1000.0) as u64;
    assert!(now.abs_diff(js_now) <= 1);
    assert!(now > 1_700_000_000);
}

#[wasm_bindgen_test]
async fn the_driver_starts_a_launch_with_the_real_adapters() {
    let opts = parse(&format!(r#"{{"iss":"{FHIR}","clientId":"demo-public","scope":"openid launch/patient","redirectUri":"http://127.0.0.1:8080/index.html"}}"#)).unwrap();
    let opts = parse_options(&opts, &page_url()).unwrap();
    let url = begin_launch(&Fetch, &SessionStore, &Browser, &NoIdentity, &opts, &page_url()).await.unwrap();
    assert!(url.starts_with("http://127.0.0.1:9000/auth?"));
    let q: std::collections::BTreeMap<_, _> = Url::parse(&url).unwrap().query_pairs().into_iter().collect();
    let key = format!("{LAUNCH_PREFIX}{}", q["state"]);
    let record = SessionStore.get(&key).unwrap().expect("launch record stored under the state");
    let verifier = parse(&record).unwrap().as_object().unwrap().get("verifier").and_then(|v| v.as_str()).unwrap().to_owned();
    let digest = Browser.sha256(verifier.as_bytes()).await.unwrap();
    assert_eq!(q["code_challenge"], smart_wasm::core::types::PkceChallenge::from_sha256(&digest).as_str());
    SessionStore.remove(&key).unwrap();
}
