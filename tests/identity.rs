//! Browser-bound identity, the native half: JWK thumbprints (RFC 7638 §3.1 vector), JWT assertion
//! header and claims (seed 004's body), registration request and response, the jwt-bearer,
//! client-assertion and client-credentials token requests, and the per-issuer record.
//! Signing itself is WebCrypto's and is tested in headless Chromium (tests/web.rs) and end to end.

mod support;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use serde_json::Value;
use smart_wasm::core::binding::Binding;
use smart_wasm::core::jwt::{assertion_claims, compact, kid_from_digest, public_jwk, registered_jwk, signing_input, thumbprint_input, Alg, ExportedJwk, PublicJwk};
use smart_wasm::core::registration::{parse_registration_response, registration_request, ClientMetadata, RegistrationRecord};
use smart_wasm::core::token::{client_credentials_request, jwt_bearer_request, refresh_request, ClientAuth, CLIENT_ASSERTION_TYPE, JWT_BEARER};
use smart_wasm::core::types::{AccessToken, ClientId, ClientSecret, FhirBase, HttpUrl, RefreshToken, Scope};
use smart_wasm::core::Error;
use support::{form, j, SerdeJson};

const RFC7638_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

fn exported(json: &str) -> ExportedJwk {
    serde_json::from_str(json).unwrap()
}

fn decode_part(part: &str) -> (String, Value) {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap();
    let v = serde_json::from_str(&text).unwrap();
    (text, v)
}

#[test]
fn rsa_thumbprint_matches_rfc7638_section_3_1() {
    // As WebCrypto exports it: extra members (alg, ext, key_ops) that the thumbprint ignores.
    let key = exported(&format!(r#"{{"kty":"RSA","n":"{RFC7638_N}","e":"AQAB","alg":"RS384","ext":true,"key_ops":["verify"]}}"#));
    let public = public_jwk(Alg::RS384, key).unwrap();
    let input = thumbprint_input(&public, &SerdeJson);
    assert_eq!(input, format!(r#"{{"e":"AQAB","kty":"RSA","n":"{RFC7638_N}"}}"#));
    let kid = kid_from_digest(&Sha256::digest(input.as_bytes()).into());
    assert_eq!(kid, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    let jwk = registered_jwk(Alg::RS384, &public, &kid);
    assert_eq!(serde_json::to_string(&jwk).unwrap(), format!(r#"{{"e":"AQAB","kty":"RSA","n":"{RFC7638_N}","kid":"{kid}","alg":"RS384","use":"sig"}}"#));
}

#[test]
fn exported_keys_are_checked() {
    let ec = exported(r#"{"kty":"EC","crv":"P-384","x":"AAA","y":"BBB","ext":true}"#);
    assert_eq!(thumbprint_input(&public_jwk(Alg::ES384, ec).unwrap(), &SerdeJson), r#"{"crv":"P-384","kty":"EC","x":"AAA","y":"BBB"}"#);
    let err = |alg, j: &str| public_jwk(alg, exported(j)).unwrap_err().code();
    assert_eq!(err(Alg::ES384, r#"{"kty":"EC","crv":"P-384","x":"A","y":"B","d":"SECRET"}"#), "crypto_error", "private member");
    assert_eq!(err(Alg::RS384, r#"{"kty":"RSA","n":"A","e":"AQAB","d":"x"}"#), "crypto_error");
    assert_eq!(err(Alg::ES384, r#"{"kty":"EC","crv":"P-256","x":"A","y":"B"}"#), "crypto_error", "wrong curve");
    assert_eq!(err(Alg::RS384, r#"{"kty":"EC","crv":"P-384","x":"A","y":"B"}"#), "crypto_error", "wrong kty");
    assert_eq!(err(Alg::RS384, r#"{"kty":"RSA","e":"AQAB"}"#), "crypto_error", "missing n");
    for bad in ["none", "HS256", "rs384", "ES256", ""] {
        assert_eq!(Alg::parse(bad).unwrap_err().code(), "invalid_option", "{bad}");
    }
}

fn token_endpoint() -> HttpUrl {
    HttpUrl::parse("t", "https://fhir.epic.com/interconnect-fhir-oauth/oauth2/token").unwrap()
}

#[test]
fn assertion_header_and_claims_match_seed_004() {
    let client = ClientId::new("G00000000-0129-A6FA-7EDC-55B3FB6E85F8");
    let claims = assertion_claims(&client, &token_endpoint(), &[7; 32], 1639694983, 300);
    let input = signing_input(Alg::RS384, "kid-1", &claims, &SerdeJson);
    let (header, body) = input.split_once('.').unwrap();
    assert_eq!(decode_part(header).0, r#"{"alg":"RS384","kid":"kid-1","typ":"JWT"}"#);
    let (_, body) = decode_part(body);
    assert_eq!(body["iss"], client.as_str());
    assert_eq!(body["sub"], body["iss"], "iss = sub = the dynamic client");
    assert_eq!(body["aud"], "https://fhir.epic.com/interconnect-fhir-oauth/oauth2/token");
    assert_eq!(body["iat"], 1639694983);
    assert_eq!(body["nbf"], 1639694983);
    assert_eq!(body["exp"], 1639695283, "seed 004: five minutes");
    assert_eq!(body["jti"].as_str().unwrap().len(), 43);
    let other = assertion_claims(&client, &token_endpoint(), &[8; 32], 1639694983, 300);
    assert_ne!(other.jti, body["jti"].as_str().unwrap(), "jti from fresh randomness");
    let long = assertion_claims(&client, &token_endpoint(), &[7; 32], 100, 3600);
    assert_eq!(long.exp, 400, "lifetime capped at five minutes");
    // A client id with characters JSON must escape still yields a valid JWT body.
    let odd = assertion_claims(&ClientId::new("a\"b\\c"), &token_endpoint(), &[7; 32], 1, 300);
    let (_, odd_body) = decode_part(signing_input(Alg::ES384, "k", &odd, &SerdeJson).split_once('.').unwrap().1);
    assert_eq!(odd_body["iss"], "a\"b\\c");
}

#[test]
fn compact_jws_checks_signature_sizes() {
    let input = "aGVhZGVy.Ym9keQ";
    assert_eq!(compact(Alg::ES384, input, &[1; 96]).unwrap(), format!("{input}.{}", URL_SAFE_NO_PAD.encode([1u8; 96])));
    assert!(compact(Alg::ES384, input, &[1; 104]).is_err(), "DER is not the JWS form");
    assert!(compact(Alg::RS384, input, &[1; 256]).is_ok());
    assert!(compact(Alg::RS256, input, &[1; 128]).is_err(), "RSA under 2048 bits");
}

#[test]
fn registration_request_matches_seed_004() {
    let endpoint = HttpUrl::parse("r", "https://fhir.epic.com/interconnect-fhir-oauth/oauth2/register").unwrap();
    let public = PublicJwk { e: Some("AQAB".into()), kty: "RSA", n: Some("vGASMnWdI".into()), ..PublicJwk::default() };
    let jwk = registered_jwk(Alg::RS384, &public, "k");
    let software = ClientId::new("d45049c3-3441-40ef-ab4d-b9cd86a17225");
    let req = registration_request(&endpoint, &AccessToken::new("Nxfve4q3"), &software, &jwk, None, &SerdeJson);
    assert_eq!(req.method, "POST");
    assert_eq!(req.header_value("Authorization"), Some("Bearer Nxfve4q3"));
    assert_eq!(req.header_value("Content-Type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["software_id"], "d45049c3-3441-40ef-ab4d-b9cd86a17225");
    assert_eq!(body["jwks"]["keys"][0]["n"], "vGASMnWdI");
    assert_eq!(body["jwks"]["keys"].as_array().unwrap().len(), 1);
    assert_eq!(body["jwks"]["keys"][0]["kid"], "k");
    assert_eq!(body["jwks"]["keys"][0]["use"], "sig");
    assert_eq!(body.as_object().unwrap().len(), 2, "seed 004's minimal body: software_id and jwks only");

    // RFC 7591 mode: the metadata a generic server needs.
    let redirect = HttpUrl::parse("r", "https://app.example.org/index.html").unwrap();
    let full = registration_request(&endpoint, &AccessToken::new("t"), &software, &jwk, Some(ClientMetadata::new(&software, Some(&redirect), Alg::RS384)), &SerdeJson);
    let body: serde_json::Value = serde_json::from_str(full.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["redirect_uris"], serde_json::json!(["https://app.example.org/index.html"]));
    assert_eq!(body["grant_types"], serde_json::json!([JWT_BEARER, "authorization_code", "refresh_token"]));
    assert_eq!(body["response_types"], serde_json::json!(["code"]));
    assert_eq!(body["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(body["token_endpoint_auth_signing_alg"], "RS384");
    assert_eq!(body["client_name"], software.as_str());
    assert_eq!(body["software_id"], software.as_str());
    assert_eq!(body["jwks"]["keys"][0]["kid"], "k");
    let no_redirect = registration_request(&endpoint, &AccessToken::new("t"), &software, &jwk, Some(ClientMetadata::new(&software, None, Alg::ES384)), &SerdeJson);
    assert!(!no_redirect.body.unwrap().contains("redirect_uris"));
}

#[test]
fn registration_responses_parse_and_errors_are_typed() {
    // Seed 004's answer, with its stray spaces.
    let seed = r#"{"redirect_uris":[" https://fhir.epic.com/test/smart"],"token_endpoint_auth_method":"none",
      "grant_types":["urn:ietf:params:oauth:grant-type:jwt-bearer"],"software_id":" d45049c3-3441-40ef-ab4d-b9cd86a17225",
      "client_id":"G65DA2AF4-1C91-11EC-9280-0050568B7514","client_id_issued_at":1632417134,
      "jwks":{"keys":[{"kty":"RSA","n":"vGASMnWdI","e":"AQAB"}]}}"#;
    let r = parse_registration_response(201, &j(seed)).unwrap();
    assert_eq!(r.client_id.as_str(), "G65DA2AF4-1C91-11EC-9280-0050568B7514");
    assert_eq!(r.client_id_issued_at, Some(1632417134));
    assert_eq!(r.grant_types, vec![JWT_BEARER]);
    assert_eq!(r.token_endpoint_auth_method.as_deref(), Some("none"));
    // RFC 7592 management is not read: the registration access token is a lasting credential.
    let managed = parse_registration_response(201, &j(r#"{"client_id":"c1","registration_client_uri":"http://evil.example.org/reg","registration_access_token":"RAT-7592-SECRET"}"#)).unwrap();
    assert!(!format!("{managed:?}").contains("RAT-7592-SECRET") && !format!("{managed:?}").contains("evil"), "nothing of it is kept: {managed:?}");

    let e = parse_registration_response(400, &j(r#"{"error":"invalid_client_metadata","error_description":"jwks is invalid"}"#)).unwrap_err();
    assert_eq!(e, Error::RegistrationError { status: 400, error: Some("invalid_client_metadata".into()), description: Some("jwks is invalid".into()) });
    assert_eq!(e.code(), "registration_error");
    assert_eq!(e.oauth_error(), Some(("invalid_client_metadata", Some("jwks is invalid"))));
    let e = parse_registration_response(401, &j("")).unwrap_err();
    assert_eq!(e, Error::RegistrationError { status: 401, error: None, description: None });
    assert_eq!(e.status(), Some(401));
    let field = |body: &str| match parse_registration_response(201, &j(body)).unwrap_err() {
        Error::InvalidRegistrationResponse { field, .. } => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field("{}"), "client_id");
    assert_eq!(field(r#"{"client_id":"  "}"#), "client_id");
    assert_eq!(field(r#"{"client_id":5}"#), "client_id");
    assert_eq!(field(r#"{"client_id":"a","client_id_issued_at":"yesterday"}"#), "client_id_issued_at");
    assert_eq!(field(r#"{"client_id":"a","grant_types":"jwt"}"#), "grant_types");
    assert_eq!(parse_registration_response(201, &j("<html>")).unwrap_err().code(), "invalid_json");
}

#[test]
fn jwt_bearer_grant_matches_seed_004() {
    let req = jwt_bearer_request(&token_endpoint(), &ClientId::new("G65DA2AF4"), "eyJ.a.b");
    assert!(req.body.as_deref().unwrap().starts_with("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJ.a.b&client_id=G65DA2AF4"));
    assert_eq!(req.header_value("Authorization"), None);
}

#[test]
fn client_assertion_goes_on_refresh_too() {
    let id = ClientId::new("dyn-1");
    let req = refresh_request(&token_endpoint(), ClientAuth::Assertion(&id, "eyJ.x.y"), &RefreshToken::new("rt"));
    let body = form(req.body.as_deref().unwrap());
    assert_eq!(body["grant_type"], "refresh_token");
    assert_eq!(body["refresh_token"], "rt");
    assert_eq!(body["client_assertion_type"], CLIENT_ASSERTION_TYPE);
    assert_eq!(body["client_assertion"], "eyJ.x.y");
    assert_eq!(body["client_id"], "dyn-1");
}

#[test]
fn client_credentials_with_an_assertion_or_a_secret() {
    let id = ClientId::new("backend");
    let scope = Scope::parse("system/Patient.rs");
    let a = client_credentials_request(&token_endpoint(), ClientAuth::Assertion(&id, "eyJ.x.y"), &scope);
    let body = form(a.body.as_deref().unwrap());
    assert_eq!((body["grant_type"].as_str(), body["scope"].as_str()), ("client_credentials", "system/Patient.rs"));
    assert_eq!(body["client_assertion"], "eyJ.x.y");
    let secret = ClientSecret::new("s/3");
    let b = client_credentials_request(&token_endpoint(), ClientAuth::Basic(&id, &secret, false), &scope);
    assert_eq!(b.header_value("Authorization"), Some("Basic YmFja2VuZDpzJTJGMw=="));
    let raw = client_credentials_request(&token_endpoint(), ClientAuth::Basic(&id, &secret, true), &scope);
    assert_eq!(raw.header_value("Authorization"), Some("Basic YmFja2VuZDpzLzM="), "secretEncoding raw: backend:s/3 as it is");
    assert!(!form(b.body.as_deref().unwrap()).contains_key("client_secret"), "the secret travels in the header only");
}

#[test]
fn registration_records_round_trip() {
    let record = RegistrationRecord {
        binding: Binding {
            iss: FhirBase::parse("iss", "https://fhir.example.org/R4/").unwrap(),
            client_id: ClientId::new("dyn-1"),
            auth: smart_wasm::core::binding::AuthMethod::PrivateKeyJwt,
            token_endpoint: token_endpoint(),
            epic_client_id_header: false,
            refresh_margin: 30,
            timeout_ms: 30_000,
            require_id_token_signature: false,
        },
        software_id: ClientId::new("non-prod-id"),
        kid: "NzbLsXh8".into(),
        alg: Alg::ES384,
        scope: Scope::parse("launch/patient patient/Patient.rs"),
        created_at: 10,
        last_used_at: 20,
    };
    let text = serde_json::to_string(&record).unwrap();
    assert_eq!(serde_json::from_str::<RegistrationRecord>(&text).unwrap(), record);
    assert_eq!(record.iss().as_str(), "https://fhir.example.org/R4");
    let tampered = text.replace("\"ES384\"", "\"none\"");
    assert!(serde_json::from_str::<RegistrationRecord>(&tampered).is_err(), "alg none is not a stored algorithm");
    let summary = serde_json::to_value(record.summary()).unwrap();
    assert_eq!(summary["clientId"], "dyn-1");
    assert_eq!(summary["alg"], "ES384");
    assert_eq!(summary["lastUsedAt"], 20);
}

#[test]
fn basic_sessions_send_rfc7617_credentials_and_never_refresh() {
    use smart_wasm::core::encode::{basic_auth, basic_credentials};
    use smart_wasm::core::fhir::fhir_request;
    use smart_wasm::core::session::Session;
    let (id, secret) = (ClientId::new("tool-basic"), ClientSecret::new("tool-secret/1"));
    // RFC 7617 sends the secret as it is; OAuth's client authentication form-encodes it first.
    assert_eq!(basic_credentials(id.as_str(), secret.secret()), "dG9vbC1iYXNpYzp0b29sLXNlY3JldC8x");
    assert_eq!(basic_auth(id.as_str(), secret.secret()), "Basic dG9vbC1iYXNpYzp0b29sLXNlY3JldCUyRjE=");
    let s: Session<support::Doc> = Session::basic(FhirBase::parse("iss", "https://aidbox.example.org/fhir").unwrap(), id, &secret);
    let req = fhir_request(&s, "GET", "https://aidbox.example.org/fhir/Patient".into(), &[], None);
    assert_eq!(req.header_value("Authorization"), Some("Basic dG9vbC1iYXNpYzp0b29sLXNlY3JldC8x"));
    assert!(!s.can_refresh());
    assert!(!s.needs_refresh(u64::MAX));
    assert_eq!(serde_json::from_str::<Session<support::Doc>>(&serde_json::to_string(&s).unwrap()).unwrap(), s);
}
