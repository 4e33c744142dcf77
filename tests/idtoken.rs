//! OpenID Connect id_token validation: the algorithm policy, the JWS parts, key selection from the
//! issuer's JWKS (with one refetch for a rotated key), every claim check, and the nonce of the
//! launch, over the core and the driver with fakes. (The real signature check is WebCrypto's, in
//! the browser tests; the fake platform's rule is named in tests/support.)

mod support;

use smart_wasm::core::idtoken::{candidate_keys, check_alg, check_claims, parse_jws, Expected, Verification, SUB_CHANGED};
use smart_wasm::core::types::HttpUrl;
use smart_wasm::core::Error;
use smart_wasm::driver::{begin_launch, complete_launch, fetch_keys, verify_id_token, Checks, IdTokenIssuer, NoIdentity};
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

fn issuers() -> Vec<String> {
    vec![ISSUER.to_owned()]
}

fn expected(issuers: &[String]) -> Expected<'_> {
    Expected { issuers, client_id: "app", nonce: Some("n1"), sub: None, now: 1500 }
}

#[test]
fn none_and_hmac_are_refused_every_other_alg_is_parsed() {
    for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "ES256K"] {
        let t = token(&format!(r#"{{"alg":"{alg}","kid":"k"}}"#), &claims(""));
        let jws = parse_jws::<Doc>(&t).unwrap();
        assert_eq!((jws.alg.as_str(), jws.kid.as_deref()), (alg, Some("k")));
    }
    for header in [r#"{"alg":"none"}"#, r#"{"alg":"HS256"}"#, r#"{"alg":"HS384"}"#, r#"{"alg":"HS512"}"#] {
        let e = parse_jws::<Doc>(&token(header, &claims(""))).unwrap_err();
        assert!(reason(e).starts_with("alg none and HMAC"), "{header}");
    }
    assert_eq!(reason(parse_jws::<Doc>(&token(r#"{}"#, &claims(""))).unwrap_err()), "alg is missing");
    assert_eq!(reason(parse_jws::<Doc>(&token(r#"{"alg":1}"#, &claims(""))).unwrap_err()), "alg must be a string");
    let e = parse_jws::<Doc>(&token(r#"{"alg":"RS256","crit":["exp"]}"#, &claims(""))).unwrap_err();
    assert!(reason(e).contains("crit"));
    // What WebCrypto verifies, bounded by what the server says it signs with.
    assert_eq!(check_alg("PS256", &[]), Ok(true));
    assert_eq!(check_alg("EdDSA", &[]), Ok(true));
    assert_eq!(check_alg("ES256K", &[]), Ok(false), "an algorithm this browser cannot check: trusted over TLS");
    assert_eq!(check_alg("rs256", &[]), Ok(false));
    assert_eq!(check_alg("RS256", &["RS256".into(), "ES384".into()]), Ok(true));
    assert!(reason(check_alg("ES256", &["RS256".into()]).unwrap_err()).contains("id_token_signing_alg_values_supported"));
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
fn every_claim_is_checked_and_an_absent_one_is_called_absent() {
    let iss = issuers();
    let e = expected(&iss);
    let ok = |c: &str, e: &Expected<'_>| check_claims(&j(c), e);
    assert_eq!(ok(&claims(""), &e).unwrap(), "amy");
    let wrong = |c: String, e: Expected<'_>| reason(ok(&c, &e).unwrap_err());
    assert!(wrong(claims("").replace("auth.example.org", "evil.example.org"), e).starts_with("iss is not"));
    assert_eq!(wrong(claims("").replace(r#""iss":"https://auth.example.org","#, ""), e), "iss is missing");
    // One trailing slash aside, issuers compare exactly.
    let slashed = vec![format!("{ISSUER}/")];
    assert!(ok(&claims(""), &expected(&slashed)).is_ok());
    assert!(wrong(claims("").replace("auth.example.org", "auth.example.org/x"), e).starts_with("iss is not"));
    // Several declared issuers (the smart-configuration's and the metadata's): either.
    let two = vec!["https://gateway.example.org".to_owned(), ISSUER.to_owned()];
    assert!(ok(&claims(""), &expected(&two)).is_ok());
    // None declared: iss must only be there.
    assert!(ok(&claims("").replace("auth.example.org", "anything.example.org"), &expected(&[])).is_ok());
    assert_eq!(wrong(claims("").replace(r#""iss":"https://auth.example.org","#, ""), expected(&[])), "iss is missing");

    assert!(wrong(claims("").replace(r#""aud":"app""#, r#""aud":"other""#), e).starts_with("aud does not"));
    assert_eq!(wrong(claims("").replace(r#""aud":"app""#, r#""aud":7"#), e), "aud must be a string or an array of strings");
    assert_eq!(wrong(claims("").replace(r#""aud":"app","#, ""), e), "aud is missing");
    // Several audiences: azp must be there and name this client.
    assert_eq!(ok(&claims("").replace(r#""aud":"app""#, r#""aud":["other","app"],"azp":"app""#), &e).unwrap(), "amy");
    assert!(wrong(claims("").replace(r#""aud":"app""#, r#""aud":["other","app"]"#), e).starts_with("azp is required"));
    assert!(wrong(claims(r#""azp":"other""#), e).starts_with("azp names"));
    // exp with the skew allowance; iat not in the future.
    assert!(ok(&claims(""), &Expected { now: 2059, ..e }).is_ok());
    assert!(wrong(claims(""), Expected { now: 2060, ..e }).contains("expired"));
    assert_eq!(wrong(claims("").replace(r#""exp":2000"#, r#""exp":"2000""#), e), "exp must be a number of seconds");
    assert_eq!(wrong(claims("").replace(r#","exp":2000"#, ""), e), "exp is missing");
    assert!(wrong(claims(""), Expected { now: 900, ..e }).contains("future"));
    assert_eq!(wrong(claims("").replace(r#","iat":1000"#, ""), e), "iat is missing");
    // nonce: the one sent; not required of a refresh's token, whose sub must be the same user.
    assert!(wrong(claims("").replace("n1", "n2"), e).starts_with("nonce is not"));
    assert!(wrong(claims("").replace(r#","nonce":"n1""#, ""), e).starts_with("nonce is missing"));
    let refresh = Expected { nonce: None, sub: Some("amy"), ..e };
    assert!(ok(&claims("").replace(r#","nonce":"n1""#, ""), &refresh).is_ok());
    assert_eq!(wrong(claims(""), Expected { sub: Some("daniel"), ..refresh }), SUB_CHANGED);
    // Another user is told apart first, even from a token that also lacks aud.
    assert_eq!(wrong(claims("").replace(r#""aud":"app","#, ""), Expected { sub: Some("daniel"), ..refresh }), SUB_CHANGED);
    assert_eq!(wrong(claims("").replace(r#""aud":"app","#, ""), refresh), "aud is missing");
    assert_eq!(wrong(claims("").replace(r#""sub":"amy","#, ""), e), "sub is missing");
}

#[test]
fn candidate_keys_are_chosen_by_kid_type_curve_use_and_alg() {
    let set = j(r#"{"keys":[
        {"kty":"RSA","kid":"r1","alg":"RS256","use":"sig","n":"x","e":"AQAB"},
        {"kty":"RSA","kid":"r2","use":"enc","n":"x","e":"AQAB"},
        {"kty":"RSA","kid":"p1","alg":"PS256","n":"x","e":"AQAB"},
        {"kty":"EC","kid":"e1","crv":"P-256","x":"x","y":"y"},
        {"kty":"EC","kid":"e2","crv":"P-384","x":"x","y":"y"},
        {"kty":"OKP","kid":"o1","crv":"Ed25519","x":"x","alg":"EdDSA"}]}"#);
    let kids = |alg, kid| candidate_keys(&set, alg, kid).into_iter().map(|k: Doc| k.0["kid"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(kids("RS256", Some("r1")), ["r1"]);
    assert!(kids("RS384", Some("r1")).is_empty(), "the key names another alg");
    assert!(kids("RS256", Some("r2")).is_empty(), "an encryption key");
    assert_eq!(kids("PS256", Some("p1")), ["p1"]);
    assert_eq!(kids("ES256", Some("e1")), ["e1"]);
    assert!(kids("ES384", Some("e1")).is_empty(), "another curve");
    assert_eq!(kids("ES384", None), ["e2"], "no kid: every key of the type");
    assert_eq!(kids("EdDSA", None), ["o1"]);
    assert_eq!(kids("Ed25519", None), ["o1"], "RFC 9864's name for the same algorithm");
    assert!(kids("RS512", None).is_empty(), "keys naming other algs, or for encryption, are not candidates");
    assert!(kids("ES256K", None).is_empty());
    let many = j(&format!(r#"{{"keys":[{}]}}"#, (0..20).map(|i| format!(r#"{{"kty":"RSA","kid":"k{i}","n":"x","e":"AQAB"}}"#)).collect::<Vec<_>>().join(",")));
    assert_eq!(candidate_keys::<Doc>(&many, "RS256", None).len(), 8, "bounded");
    assert!(candidate_keys::<Doc>(&j(r#"{"keys":"no"}"#), "RS256", None).is_empty());
}

const META_AT_ISSUER: &str = "https://auth.example.org/.well-known/openid-configuration";
const META_8414: &str = "https://auth.example.org/.well-known/oauth-authorization-server";
const META_UNDER_BASE: &str = "https://ehr.example.org/fhir/R4/.well-known/openid-configuration";

fn verify(http: &FakeHttp, iss: Option<&str>, jwks: Option<&str>, algs: &[String], t: &str, require: bool) -> smart_wasm::core::Result<(Doc, Verification)> {
    let issuer = iss.map(smart_wasm::core::types::Issuer::new);
    let jwks = jwks.map(|u| HttpUrl::parse("jwks_uri", u).unwrap());
    let base = smart_wasm::core::types::FhirBase::parse("iss", FHIR).unwrap();
    let from = IdTokenIssuer { issuer: issuer.as_ref(), jwks_uri: jwks.as_ref(), algs, base: &base, timeout_ms: 1000 };
    let platform = FakePlatform::at(1500);
    let checks = Checks { client_id: "app", nonce: Some("n1"), sub: None, now: 1500, require_signature: require, timeout_ms: 1000 };
    block_on(async {
        let mut keys = fetch_keys(http, from).await;
        verify_id_token(http, &platform, &mut keys, &from, t, &checks).await
    })
}

const RSA_OLD: &str = r#"{"keys":[{"kty":"RSA","kid":"old","n":"x","e":"AQAB"}]}"#;

#[test]
fn an_unknown_kid_refetches_the_key_set_once_then_is_refused() {
    let http = FakeHttp::default().with(JWKS, 200, RSA_OLD);
    let t = token(r#"{"alg":"RS256","kid":"new"}"#, &claims(""));
    let e = verify(&http, Some(ISSUER), Some(JWKS), &[], &t, false).unwrap_err();
    assert!(reason(e).starts_with("no key"));
    assert_eq!(http.sent.borrow().len(), 2, "fetched, then once more");
    let known = token(r#"{"alg":"RS256","kid":"old"}"#, &claims(""));
    let (claims_, how) = verify(&http, Some(ISSUER), Some(JWKS), &[], &known, false).unwrap();
    assert_eq!((claims_.0["sub"].as_str(), how), (Some("amy"), Verification::Signature));
    assert_eq!(http.sent.borrow().len(), 3, "a known kid: one fetch");
    // A signature that does not verify with the server's key is evidence: refused.
    let forged = format!("{}.{}", known.rsplit_once('.').unwrap().0, b64("forged"));
    assert!(reason(verify(&http, Some(ISSUER), Some(JWKS), &[], &forged, false).unwrap_err()).starts_with("signature does not verify"));
    // ... also when the server does not let the browser verify signatures (a forged token is
    // refused only when its keys can be had; without keys, TLS is all there is).
    let http_nokeys = FakeHttp::default();
    assert_eq!(verify(&http_nokeys, Some(ISSUER), Some(JWKS), &[], &forged, false).unwrap().1, Verification::Tls);
}

#[test]
fn keys_that_cannot_be_had_fall_back_to_tls_unless_the_app_requires_a_signature() {
    let t = token(r#"{"alg":"RS256","kid":"old"}"#, &claims(""));
    for (status, body, why) in [(404, "", "http_error"), (200, r#"{"keys":{}}"#, "invalid_json"), (200, "not json", "invalid_json")] {
        let http = FakeHttp::default().with(JWKS, status, body);
        let (c, how) = verify(&http, Some(ISSUER), Some(JWKS), &[], &t, false).unwrap();
        assert_eq!((how, c.0["sub"].as_str()), (Verification::Tls, Some("amy")), "{body}");
        assert_eq!(verify(&http, Some(ISSUER), Some(JWKS), &[], &t, true).unwrap_err().code(), why, "required: the fetch's own error");
    }
    // Too large a set is not read.
    let huge = format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(300 * 1024));
    let http = FakeHttp::default().with(JWKS, 200, &huge);
    assert_eq!(verify(&http, Some(ISSUER), Some(JWKS), &[], &t, true).unwrap_err().code(), "response_too_large");
    // The claims are checked either way.
    let http = FakeHttp::default();
    let stale = token(r#"{"alg":"RS256","kid":"old"}"#, &claims("").replace(r#""aud":"app""#, r#""aud":"other""#));
    assert!(reason(verify(&http, Some(ISSUER), Some(JWKS), &[], &stale, false).unwrap_err()).starts_with("aud does not"));
    // An algorithm this browser cannot verify is trusted over TLS; refused when a signature is required.
    let k = token(r#"{"alg":"ES256K","kid":"old"}"#, &claims(""));
    let http = FakeHttp::default().with(JWKS, 200, RSA_OLD);
    assert_eq!(verify(&http, Some(ISSUER), Some(JWKS), &[], &k, false).unwrap().1, Verification::Tls);
    assert!(reason(verify(&http, Some(ISSUER), Some(JWKS), &[], &k, true).unwrap_err()).contains("this browser can verify"));
    // An algorithm the server says it does not use is refused outright.
    assert!(reason(verify(&http, Some(ISSUER), Some(JWKS), &["ES384".into()], &t, false).unwrap_err()).contains("id_token_signing_alg_values_supported"));
}

#[test]
fn without_a_jwks_uri_the_keys_come_from_the_servers_own_metadata() {
    let t = token(r#"{"alg":"RS256","kid":"old"}"#, &claims(""));
    let meta = |iss: &str| format!(r#"{{"issuer":"{iss}","jwks_uri":"{JWKS}","id_token_signing_alg_values_supported":["RS256"]}}"#);
    // At the issuer (OpenID Discovery).
    let http = FakeHttp::default().with(META_AT_ISSUER, 200, &meta(ISSUER)).with(JWKS, 200, RSA_OLD);
    assert_eq!(verify(&http, Some(ISSUER), None, &[], &t, false).unwrap().1, Verification::Signature);
    // By RFC 8414, when OpenID Discovery has nothing.
    let http = FakeHttp::default().with(META_8414, 200, &meta(ISSUER)).with(JWKS, 200, RSA_OLD);
    assert_eq!(verify(&http, Some(ISSUER), None, &[], &t, false).unwrap().1, Verification::Signature);
    let urls: Vec<String> = http.sent.borrow().iter().map(|r| r.url.clone()).collect();
    assert_eq!(urls, [META_AT_ISSUER, META_8414, JWKS]);
    // Under the FHIR base, for a server that names no issuer (an Epic customer's shape): the
    // metadata's issuer is the one the token must name.
    let http = FakeHttp::default().with(META_UNDER_BASE, 200, &meta(ISSUER)).with(JWKS, 200, RSA_OLD);
    assert_eq!(verify(&http, None, None, &[], &t, false).unwrap().1, Verification::Signature);
    assert_eq!(http.sent.borrow()[0].url, META_UNDER_BASE);
    let foreign = token(r#"{"alg":"RS256","kid":"old"}"#, &claims("").replace("auth.example.org", "evil.example.org"));
    assert!(reason(verify(&http, None, None, &[], &foreign, false).unwrap_err()).starts_with("iss is not"));
    // A metadata document that names another issuer string than the smart-configuration (an IdP
    // behind a SMART facade): the token may name either.
    let http = FakeHttp::default().with(META_AT_ISSUER, 200, &meta("https://idp.example.org/realms/x")).with(JWKS, 200, RSA_OLD);
    let via_idp = token(r#"{"alg":"RS256","kid":"old"}"#, &claims("").replace("https://auth.example.org", "https://idp.example.org/realms/x"));
    assert_eq!(verify(&http, Some(ISSUER), None, &[], &via_idp, false).unwrap().1, Verification::Signature);
    // Its algorithm list bounds the token's.
    let ps = token(r#"{"alg":"PS256","kid":"old"}"#, &claims(""));
    assert!(reason(verify(&http, Some(ISSUER), None, &[], &ps, false).unwrap_err()).contains("id_token_signing_alg_values_supported"));
    // The smart-configuration names one issuer and its jwks_uri; the token names another, which the
    // server's OpenID metadata under the FHIR base calls itself (NextGen Enterprise's documents,
    // tests/corpus/nextgen-enterprise.json): read then, once, and accepted.
    let http = FakeHttp::default().with(META_UNDER_BASE, 200, &meta(FHIR)).with(JWKS, 200, RSA_OLD);
    let by_base = token(r#"{"alg":"RS256","kid":"old"}"#, &claims("").replace("https://auth.example.org", FHIR));
    assert_eq!(verify(&http, Some(ISSUER), Some(JWKS), &[], &by_base, false).unwrap().1, Verification::Signature);
    assert_eq!(http.sent.borrow().iter().filter(|r| r.url.contains("well-known")).count(), 3, "the metadata was read once, on the mismatch");
    assert!(reason(verify(&http, Some(ISSUER), Some(JWKS), &[], &foreign, false).unwrap_err()).starts_with("iss is not"), "still not any issuer");
    // No metadata anywhere: TLS.
    let http = FakeHttp::default();
    assert_eq!(verify(&http, Some(ISSUER), None, &[], &t, false).unwrap().1, Verification::Tls);
    assert_eq!(http.sent.borrow().len(), 3, "the three places, each once");
    assert!(reason(verify(&http, Some(ISSUER), None, &[], &t, true).unwrap_err()).contains("no jwks_uri"));
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
