//! WebCrypto keys and IndexedDB in headless Chromium: both SMART algorithms, a private key that
//! cannot be exported, a key that survives IndexedDB and still signs, signatures that verify
//! against the exported public JWK, and the assertion the driver signs.
#![cfg(all(target_arch = "wasm32", feature = "identity"))]

use smart_wasm::core::binding::{AuthMethod, Binding};
use smart_wasm::core::jwt::{public_jwk, thumbprint_input, Alg};
use smart_wasm::core::registration::RegistrationRecord;
use smart_wasm::core::types::{ClientId, FhirBase, HttpUrl, Scope};
use smart_wasm::core::config::DeviceRegistration;
use smart_wasm::core::session::Session;
use smart_wasm::core::token::parse_token_response;
use smart_wasm::driver::identity::{register, sign_assertion};
use smart_wasm::web::fetch::Fetch;
use smart_wasm::web::json::JsBody;
use smart_wasm::driver::{Keys, Platform, Registrations};
use smart_wasm::web::idb::IndexedDb;
use smart_wasm::web::json::BrowserJson;
use smart_wasm::web::keys::{KeyPair, WebCryptoKeys};
use smart_wasm::web::platform::Browser;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// Test-side WebCrypto calls, independent of the library's adapter.
#[wasm_bindgen(inline_js = r#"
export const exportPrivate = (pair) => crypto.subtle.exportKey('jwk', pair.privateKey).then(() => 'exported', (e) => e.name);
export const privateExtractable = (pair) => pair.privateKey.extractable;
export async function verify(jwkText, alg, data, sig) {
  const jwk = JSON.parse(jwkText);
  const p = alg === 'ES384' ? { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' }
    : { name: 'RSASSA-PKCS1-v1_5', hash: alg === 'RS256' ? 'SHA-256' : 'SHA-384' };
  const key = await crypto.subtle.importKey('jwk', jwk, p, false, ['verify']);
  return crypto.subtle.verify(p, key, sig, data);
}
export const b64urlDecode = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
"#)]
extern "C" {
    #[wasm_bindgen(js_name = exportPrivate)]
    fn export_private(pair: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = privateExtractable)]
    fn private_extractable(pair: &JsValue) -> bool;
    fn verify(jwk: &str, alg: &str, data: &[u8], sig: &[u8]) -> js_sys::Promise;
    #[wasm_bindgen(js_name = b64urlDecode)]
    fn b64url_decode(s: &str) -> Vec<u8>;
}

async fn verifies(pair: &KeyPair, alg: Alg, data: &[u8], sig: &[u8]) -> bool {
    let public = public_jwk(alg, WebCryptoKeys.public_jwk(pair).await.unwrap()).unwrap();
    let jwk = thumbprint_input(&public, &BrowserJson);
    JsFuture::from(verify(&jwk, alg.name(), data, sig)).await.unwrap().as_bool().unwrap()
}

#[wasm_bindgen_test]
async fn keys_for_each_algorithm_sign_and_never_export_the_private_half() {
    for alg in [Alg::RS384, Alg::ES384, Alg::RS256] {
        let pair = WebCryptoKeys.generate(alg).await.unwrap();
        assert!(!private_extractable(&pair.0), "{alg:?}");
        let refused = JsFuture::from(export_private(&pair.0)).await.unwrap().as_string().unwrap();
        assert_eq!(refused, "InvalidAccessError", "{alg:?}: exportKey on the private key must fail");
        let exported = WebCryptoKeys.public_jwk(&pair).await.unwrap();
        let public = public_jwk(alg, exported).unwrap();
        let members = if alg == Alg::ES384 { r#"{"crv":"P-384","kty":"EC","x":""# } else { r#"{"e":"AQAB","kty":"RSA","n":""# };
        assert!(thumbprint_input(&public, &BrowserJson).starts_with(members), "RFC 7638 member order from JSON.stringify");
        let sig = WebCryptoKeys.sign(&pair, alg, b"signing input").await.unwrap();
        assert_eq!(sig.len(), if alg == Alg::ES384 { 96 } else { 256 }, "{alg:?}: JWS-form signature");
        assert!(verifies(&pair, alg, b"signing input", &sig).await, "{alg:?}");
        assert!(!verifies(&pair, alg, b"other input", &sig).await, "{alg:?}: a signature is for its input only");
    }
}

fn record(iss: &str, alg: Alg) -> RegistrationRecord {
    RegistrationRecord {
        binding: Binding {
            iss: FhirBase::parse("iss", iss).unwrap(),
            client_id: ClientId::new("dyn-client"),
            auth: AuthMethod::PrivateKeyJwt,
            token_endpoint: HttpUrl::parse("t", "https://auth.example.org/token").unwrap(),
            epic_client_id_header: false,
            refresh_margin: 30,
            timeout_ms: 30_000,
            require_id_token_signature: false,
        },
        software_id: ClientId::new("app"),
        kid: "kid-1".into(),
        alg,
        scope: Scope::parse("launch/patient patient/Patient.rs"),
        created_at: 1,
        last_used_at: 1,
    }
}

#[wasm_bindgen_test]
async fn a_key_survives_indexeddb_and_still_signs_assertions_that_verify() {
    let db = IndexedDb;
    let rec = record("https://one.example.org/R4", Alg::ES384);
    let pair = WebCryptoKeys.generate(Alg::ES384).await.unwrap();
    db.put(&rec, &pair).await.unwrap();
    drop(pair);
    let (back, pair) = db.get(rec.iss()).await.unwrap().expect("stored");
    assert_eq!(back, rec);
    assert!(!private_extractable(&pair.0), "still non-extractable after structured clone");
    let jwt = sign_assertion(&WebCryptoKeys, &Browser, &pair, &back, Browser.now()).await.unwrap();
    let (input, sig) = jwt.rsplit_once('.').unwrap();
    assert!(verifies(&pair, Alg::ES384, input.as_bytes(), &b64url_decode(sig)).await);
    db.delete(rec.iss()).await.unwrap();
    assert!(db.get(rec.iss()).await.unwrap().is_none());
}

#[wasm_bindgen_test]
async fn registrations_for_several_servers_stay_apart() {
    let db = IndexedDb;
    let (a, b) = (record("https://a.example.org/R4", Alg::RS384), record("https://b.example.org/R4", Alg::ES384));
    db.put(&a, &WebCryptoKeys.generate(Alg::RS384).await.unwrap()).await.unwrap();
    db.put(&b, &WebCryptoKeys.generate(Alg::ES384).await.unwrap()).await.unwrap();
    let mut listed: Vec<String> = db.list().await.unwrap().iter().map(|r| r.iss().as_str().to_owned()).collect();
    listed.sort();
    assert!(listed.contains(&"https://a.example.org/R4".to_owned()) && listed.contains(&"https://b.example.org/R4".to_owned()));
    assert_eq!(db.get(a.iss()).await.unwrap().unwrap().0.alg, Alg::RS384);
    assert_eq!(db.get(b.iss()).await.unwrap().unwrap().0.alg, Alg::ES384);
    db.delete(a.iss()).await.unwrap();
    assert!(db.get(a.iss()).await.unwrap().is_none());
    assert!(db.get(b.iss()).await.unwrap().is_some(), "deleting one leaves the other");
    db.delete(b.iss()).await.unwrap();
}

/// Registration against a stock RFC 7591 server (oidc-provider without the sandbox's glue; where
/// it listens is exported by `scripts/test.sh`): the RFC 7591 body registers; seed 004's minimal body is refused, as such a
/// server requires `redirect_uris`.
#[wasm_bindgen_test]
async fn registration_against_a_stock_rfc7591_server() {
    let stock = match option_env!("SANDBOX_STOCK") { Some(v) => v, None => "http://127.0.0.1:9002" };
    let demo = match option_env!("SANDBOX_DEMO") { Some(v) => v, None => "http://127.0.0.1:8080" };
    let iss = &format!("{stock}/fhir");
    let body = JsBody(js_sys::JSON::parse(r#"{"access_token":"launch-token","token_type":"bearer"}"#).unwrap());
    let binding = Binding {
        iss: FhirBase::parse("iss", iss).unwrap(),
        client_id: ClientId::new("stock-app"),
        auth: AuthMethod::None,
        token_endpoint: HttpUrl::parse("t", &format!("{stock}/token")).unwrap(),
        epic_client_id_header: false,
        refresh_margin: 30,
        timeout_ms: 30_000,
        require_id_token_signature: false,
    };
    let mut session = Session::from_token(binding, &Scope::parse("openid"), parse_token_response(200, &body).unwrap(), body, Browser.now());
    session.redirect_uri = Some(HttpUrl::parse("r", &format!("{demo}/index.html")).unwrap());
    let record = register(&Fetch, &WebCryptoKeys, &IndexedDb, &Browser, &session, DeviceRegistration { alg: Alg::ES384, minimal: false }).await.unwrap();
    assert!(!record.binding.client_id.as_str().is_empty());
    assert_eq!(record.binding.auth, AuthMethod::PrivateKeyJwt);
    assert_eq!(record.software_id.as_str(), "stock-app");
    IndexedDb.delete(record.iss()).await.unwrap();
    let refused = register(&Fetch, &WebCryptoKeys, &IndexedDb, &Browser, &session, DeviceRegistration { alg: Alg::ES384, minimal: true }).await.unwrap_err();
    assert_eq!(refused.code(), "registration_error");
    assert_eq!(refused.oauth_error().map(|(e, _)| e), Some("invalid_redirect_uri"));
    assert!(IndexedDb.get(&FhirBase::parse("iss", iss).unwrap()).await.unwrap().is_none(), "nothing stored for a refused registration");
}
