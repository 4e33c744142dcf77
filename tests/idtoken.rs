//! OpenID Connect id_token validation: the algorithm policy, the JWS parts, key selection from the
//! issuer's JWKS (with one refetch for a rotated key), every claim check, and the nonce of the
//! launch, over the core and the driver with fakes. (The real signature check is WebCrypto's, in
//! the browser tests; the fake platform's rule is named in tests/support.)

mod support;

use smart_wasm::core::idtoken::{check_claims, parse_jws, select_key, Expected};
use smart_wasm::core::types::HttpUrl;
use smart_wasm::core::Error;
use smart_wasm::driver::{begin_launch, complete_launch, verify_id_token, NoIdentity};
use support::*;

const ISSUER: &str = "https://auth.example.org";
const JWKS: &str = "https://auth.example.org/jwks";

fn b64(s: &str) -> String {
    smart_wasm::core::encode::b64url(s.as_bytes())
}

/// A token the fake platform accepts as signed (signature = `valid:` + signing input).
fn token(header: &str, claims: &str) -> String {
    let input = format!("{}.{}", b64(header), b64(claims));
    format!("{input}.{}", smart_wasm::core::encode::b64url(format!("valid:{input}").as_bytes()))
}

fn claims(extra: &str) -> String {
    let base = r#""iss":"https://auth.example.org","sub":"amy","aud":"app","exp":2000,"iat":1000,"nonce":"n1""#;
    if extra.is_empty() { format!("{{{base}}}") } else { format!("{{{base},{extra}}}") }
}

fn reason(e: Error) -> &'static str {
    match e {
        Error::InvalidIdToken { reason } => reason,
        other => panic!("expected invalid_id_token, got {other:?}"),
    }
}

const EXPECTED: Expected<'static> = Expected { issuer: ISSUER, client_id: "app", nonce: Some("n1"), sub: None, now: 1500 };

#[test]
fn only_rs256_rs384_and_es384_are_accepted() {
    for alg in ["RS256", "RS384", "ES384"] {
        let t = token(&format!(r#"{{"alg":"{alg}","kid":"k"}}"#), &claims(""));
        let jws = parse_jws::<Doc>(&t).unwrap();
        assert_eq!((jws.alg, jws.kid.as_deref()), (alg, Some("k")));
    }
    for header in [r#"{"alg":"none"}"#, r#"{"alg":"HS256"}"#, r#"{"alg":"HS384"}"#, r#"{"alg":"PS256"}"#, r#"{"alg":"rs256"}"#, r#"{}"#, r#"{"alg":1}"#] {
        let e = parse_jws::<Doc>(&token(header, &claims(""))).unwrap_err();
        assert!(reason(e).starts_with("alg must be"), "{header}");
    }
    let e = parse_jws::<Doc>(&token(r#"{"alg":"RS256","crit":["exp"]}"#, &claims(""))).unwrap_err();
    assert!(reason(e).contains("crit"));
}

#[test]
fn malformed_tokens_are_refused_with_the_part_that_is_wrong() {
    let good = token(r#"{"alg":"RS256"}"#, &claims(""));
    let parts: Vec<&str> = good.split('.').collect();
    let cases = [
        ("", "is not a compact JWS"),
        ("a.b", "is not a compact JWS"),
        (&format!("{good}.x") as &str, "is not a compact JWS"),
        (&format!("!!.{}.{}", parts[1], parts[2]), "header is not base64url JSON"),
        (&format!("{}.{}.{}", b64("[1]"), parts[1], parts[2]), "header is not a JSON object"),
        (&format!("{}.{}.{}", parts[0], b64("not json"), parts[2]), "payload is not base64url JSON"),
        (&format!("{}.{}.{}", parts[0], b64("[1,2]"), parts[2]), "payload is not a JSON object"),
        (&format!("{}.{}.a+b", parts[0], parts[1]), "signature is not base64url"),
    ];
    for (t, want) in cases {
        assert!(reason(parse_jws::<Doc>(t).unwrap_err()).starts_with(want), "{t}: want {want}");
    }
}

#[test]
fn every_claim_is_checked() {
    let ok = |c: &str, e: &Expected<'_>| check_claims(&j(c), e);
    assert_eq!(ok(&claims(""), &EXPECTED).unwrap(), "amy");
    let wrong = |c: String, e: Expected<'_>| reason(ok(&c, &e).unwrap_err());
    assert!(wrong(claims("").replace("auth.example.org", "evil.example.org"), EXPECTED).starts_with("iss"));
    assert!(wrong(claims("").replace(r#""aud":"app""#, r#""aud":"other""#), EXPECTED).starts_with("aud does not"));
    assert!(wrong(claims("").replace(r#""aud":"app""#, r#""aud":7"#), EXPECTED).starts_with("aud must"));
    // Several audiences: azp must be there and name this client.
    assert_eq!(ok(&claims("").replace(r#""aud":"app""#, r#""aud":["other","app"],"azp":"app""#), &EXPECTED).unwrap(), "amy");
    assert!(wrong(claims("").replace(r#""aud":"app""#, r#""aud":["other","app"]"#), EXPECTED).starts_with("azp is required"));
    assert!(wrong(claims(r#""azp":"other""#), EXPECTED).starts_with("azp names"));
    // exp with the skew allowance; iat not in the future.
    assert!(ok(&claims(""), &Expected { now: 2059, ..EXPECTED }).is_ok());
    assert!(wrong(claims(""), Expected { now: 2060, ..EXPECTED }).contains("expired"));
    assert!(wrong(claims("").replace(r#""exp":2000"#, r#""exp":"2000""#), EXPECTED).starts_with("exp"));
    assert!(wrong(claims(""), Expected { now: 900, ..EXPECTED }).contains("future"));
    assert!(wrong(claims("").replace(r#","iat":1000"#, ""), EXPECTED).starts_with("iat"));
    // nonce: the one sent; not required of a refresh's token, whose sub must be the same user.
    assert!(wrong(claims("").replace("n1", "n2"), EXPECTED).starts_with("nonce"));
    assert!(wrong(claims("").replace(r#","nonce":"n1""#, ""), EXPECTED).starts_with("nonce"));
    assert!(ok(&claims("").replace(r#","nonce":"n1""#, ""), &Expected { nonce: None, sub: Some("amy"), ..EXPECTED }).is_ok());
    assert!(wrong(claims(""), Expected { nonce: None, sub: Some("daniel"), ..EXPECTED }).starts_with("sub differs"));
    assert!(wrong(claims("").replace(r#""sub":"amy","#, ""), EXPECTED).starts_with("sub is missing"));
}

#[test]
fn the_key_is_chosen_by_kid_type_use_and_alg() {
    let set = j(r#"{"keys":[
        {"kty":"RSA","kid":"r1","alg":"RS256","use":"sig","n":"x","e":"AQAB"},
        {"kty":"RSA","kid":"r2","use":"enc","n":"x","e":"AQAB"},
        {"kty":"EC","kid":"e1","crv":"P-256","x":"x","y":"y"},
        {"kty":"EC","kid":"e2","crv":"P-384","x":"x","y":"y"}]}"#);
    let kid = |alg, kid| select_key(200, &set, alg, kid).unwrap().map(|k: Doc| k.0["kid"].as_str().unwrap().to_owned());
    assert_eq!(kid("RS256", Some("r1")).as_deref(), Some("r1"));
    assert_eq!(kid("RS384", Some("r1")), None, "the key names another alg");
    assert_eq!(kid("RS256", Some("r2")), None, "an encryption key");
    assert_eq!(kid("ES384", Some("e1")), None, "another curve");
    assert_eq!(kid("ES384", Some("e2")).as_deref(), Some("e2"));
    assert_eq!(kid("ES384", None).as_deref(), Some("e2"), "no kid: the only matching key");
    assert_eq!(kid("RS256", Some("rotated")), None);
    let two = j(r#"{"keys":[{"kty":"RSA","kid":"a","n":"x","e":"AQAB"},{"kty":"RSA","kid":"b","n":"x","e":"AQAB"}]}"#);
    assert!(reason(select_key::<Doc>(200, &two, "RS256", None).unwrap_err()).contains("no kid"));
    assert_eq!(select_key::<Doc>(200, &j(r#"{"keys":"no"}"#), "RS256", None).unwrap_err().code(), "invalid_json");
    assert_eq!(select_key::<Doc>(500, &set, "RS256", None).unwrap_err().code(), "http_error");
}

#[test]
fn an_unknown_kid_refetches_the_key_set_once() {
    let jwks = HttpUrl::parse("jwks_uri", JWKS).unwrap();
    let http = FakeHttp::default().with(JWKS, 200, r#"{"keys":[{"kty":"RSA","kid":"old","n":"x","e":"AQAB"}]}"#);
    let platform = FakePlatform::at(1500);
    let t = token(r#"{"alg":"RS256","kid":"new"}"#, &claims(""));
    let e = block_on(verify_id_token(&http, &platform, Some(&jwks), &t, &EXPECTED, 1000)).unwrap_err();
    assert!(reason(e).starts_with("no key"));
    assert_eq!(http.sent.borrow().len(), 2, "fetched, then once more");
    let known = token(r#"{"alg":"RS256","kid":"old"}"#, &claims(""));
    let verified = block_on(verify_id_token(&http, &platform, Some(&jwks), &known, &EXPECTED, 1000)).unwrap();
    assert_eq!(verified.0["sub"], "amy");
    assert_eq!(http.sent.borrow().len(), 3, "a known kid: one fetch");
    // A token whose signature does not verify.
    let forged = format!("{}.{}", known.rsplit_once('.').unwrap().0, b64("forged"));
    assert!(reason(block_on(verify_id_token(&http, &platform, Some(&jwks), &forged, &EXPECTED, 1000)).unwrap_err()).starts_with("signature"));
    assert!(reason(block_on(verify_id_token(&http, &platform, None, &known, &EXPECTED, 1000)).unwrap_err()).contains("no jwks_uri"));
}

#[test]
fn a_launch_with_openid_sends_a_nonce_and_the_id_token_must_carry_it() {
    let run = |id_claims: &str| {
        let t = token(r#"{"alg":"RS256","kid":"k"}"#, id_claims);
        let http = FakeHttp::default()
            .with(&format!("{FHIR}/.well-known/smart-configuration"), 200, &smart_config())
            .with(ISSUER_METADATA_URL, 200, &issuer_metadata())
            .with(JWKS, 200, r#"{"keys":[{"kty":"RSA","kid":"k","n":"x","e":"AQAB"}]}"#)
            .with("https://auth.example.org/token", 200, &format!(r#"{{"access_token":"at","token_type":"Bearer","id_token":"{t}"}}"#));
        let store = FakeStore::default();
        let platform = FakePlatform::at(1500);
        let opts = options(&format!(r#"{{"iss":"{FHIR}","clientId":"app","scope":"openid fhirUser launch/patient"}}"#));
        let url = block_on(begin_launch(&http, &store, &platform, &NoIdentity, &opts, PAGE)).unwrap();
        let q = query(&url);
        let redirect = format!("{PAGE}?code=c&state={}&iss=https%3A%2F%2Fauth.example.org", q["state"]);
        (q.get("nonce").cloned(), block_on(complete_launch(&http, &platform, &store, &NoIdentity, Some(&opts), &redirect, 1500)))
    };
    let (nonce, _) = run("{}");
    let nonce = nonce.expect("nonce sent with openid");
    assert_eq!(nonce.len(), 43);
    // The fake platform's randomness is deterministic, so the same nonce is sent again.
    let (_, ok) = run(&claims(r#""fhirUser":"Patient/amy""#).replace("n1", &nonce));
    assert_eq!(ok.unwrap().id_claims.unwrap().0["fhirUser"], "Patient/amy");
    let (_, replayed) = run(&claims(""));
    assert!(reason(replayed.unwrap_err()).starts_with("nonce"));
    // Without openid no nonce is sent.
    let http = FakeHttp::default()
        .with(&format!("{FHIR}/.well-known/smart-configuration"), 200, &smart_config())
        .with(ISSUER_METADATA_URL, 200, &issuer_metadata());
    let opts = options(&format!(r#"{{"iss":"{FHIR}","clientId":"app","scope":"launch/patient"}}"#));
    let url = block_on(begin_launch(&http, &FakeStore::default(), &FakePlatform::at(1), &NoIdentity, &opts, PAGE)).unwrap();
    assert!(!query(&url).contains_key("nonce"));
}
