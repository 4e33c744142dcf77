//! Token responses (seed 004 examples and hostile ones), refresh, the session, and FHIR requests.

mod support;

use smart_wasm::core::authorize::LaunchRecord;
use smart_wasm::core::fhir::{check_target, classify, fhir_request, resolve_url, Verdict};
use smart_wasm::core::session::Session;
use smart_wasm::core::token::{parse_token_response, TokenResponse};
use smart_wasm::core::types::{ClientSecret, FhirBase, Scope};
use smart_wasm::core::error::redact_url;
use smart_wasm::core::Error;
use smart_wasm::driver::{keep_session, refresh, restore_session, session_servers, store_session, NoIdentity, Store, SESSION_PREFIX};
use support::*;

const SEED_004_PUBLIC: &str = r#"{
"access_token": "Nxfve4q3H9TKs5F5vf6kRYAZqzK7j9LHvrg1Bw7fU_07_FdV9aRzLCI1GxOn20LuO2Ahl5RkRnz-p8u1MeYWqA85T8s4Ce3LcgQqIwsTkI7wezBsMduPw_xkVtLzLU2O",
"token_type": "bearer",
"expires_in": 3240,
"scope": "Patient.read Patient.search ",
"patient": "T1wI5bk8n1YVgvWk9D05BmRV0Pi3ECImNSK8DKyKltsMB"
}"#;

const SEED_004_JWT_BEARER: &str = r#"{
"access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig",
"token_type": "Bearer",
"expires_in": 3600,
"scope": "patient/Immunization.Read patient/Immunization.read patient/Patient.read patient/Practitioner.read patient/PractitionerRole.read launch/patient offline_access",
"state": "oYK9nyFdUgTb1n_hMHZESDea",
"patient": "eUYSU3eH0lceii-4SYNvpPw3",
"__epic.dstu2.patient": "TJR7HfYCw58VnihLrp.axehccg-4IcjmZd3lw7Spm1F8B"
}"#;

#[test]
fn seed_004_token_responses_parse() {
    let t = parse_token_response(200, &j(SEED_004_PUBLIC)).unwrap();
    assert!(t.access_token.secret().starts_with("Nxfve4q3"));
    assert_eq!(t.expires_in, Some(3240));
    assert_eq!(t.scope.unwrap().as_str(), "Patient.read Patient.search", "trailing space tolerated");
    assert_eq!(t.refresh_token, None);
    assert_eq!(t.context.patient.as_deref(), Some("T1wI5bk8n1YVgvWk9D05BmRV0Pi3ECImNSK8DKyKltsMB"));
    assert!(!format!("{:?}", t.access_token).contains("Nxfve"), "tokens are redacted in Debug");

    let t = parse_token_response(200, &j(SEED_004_JWT_BEARER)).unwrap();
    assert!(t.scope.as_ref().unwrap().contains("offline_access"));
    let s = Session::from_token(launch_record(false).binding, &Scope::parse("x"), t, j(SEED_004_JWT_BEARER), 0);
    assert_eq!(s.token_response.0["__epic.dstu2.patient"], "TJR7HfYCw58VnihLrp.axehccg-4IcjmZd3lw7Spm1F8B", "unknown fields kept for the app");
}

#[test]
fn token_type_is_compared_case_insensitively() {
    for tt in ["bearer", "Bearer", "BEARER"] {
        assert!(parse_token_response(200, &j(&format!(r#"{{"access_token":"a","token_type":"{tt}"}}"#))).is_ok());
    }
    assert_eq!(
        parse_token_response(200, &j(r#"{"access_token":"a","token_type":"DPoP"}"#)).unwrap_err(),
        Error::UnsupportedTokenType { token_type: "DPoP".into() }
    );
}

#[test]
fn malformed_token_responses_give_the_field_that_is_wrong() {
    let field = |body: &str| match parse_token_response(200, &j(body)).unwrap_err() {
        Error::InvalidTokenResponse { field, .. } => field,
        other => panic!("{body}: {other:?}"),
    };
    assert_eq!(field(r#"{"token_type":"bearer"}"#), "access_token");
    assert_eq!(field(r#"{"access_token":"","token_type":"bearer"}"#), "access_token");
    assert_eq!(field(r#"{"access_token":42,"token_type":"bearer"}"#), "access_token");
    assert_eq!(field(r#"{"access_token":"a"}"#), "token_type");
    for bad in [r#""3600s""#, r#""""#, r#""-1""#, "-1", "1.5", "1e300", "18446744073709551616", "4294967296", "true"] {
        assert_eq!(field(&format!(r#"{{"access_token":"a","token_type":"bearer","expires_in":{bad}}}"#)), "expires_in", "{bad}");
    }
    assert_eq!(field(r#"{"access_token":"a","token_type":"bearer","scope":["a"]}"#), "scope");
    assert_eq!(field(r#"{"access_token":"a","token_type":"bearer","refresh_token":""}"#), "refresh_token");
    for token in ["a b", "a\r\nX-Injected: 1", "tök", "a\u{0}"] {
        let quoted = serde_json::to_string(token).unwrap();
        assert_eq!(field(&format!(r#"{{"access_token":{quoted},"token_type":"bearer"}}"#)), "access_token", "{token:?}");
        assert_eq!(field(&format!(r#"{{"access_token":"a","token_type":"bearer","refresh_token":{quoted}}}"#)), "refresh_token", "{token:?}");
    }
    assert_eq!(field(r#"{"access_token":"a","token_type":"bearer","patient":123}"#), "patient");
    assert_eq!(field(r#"{"access_token":"a","token_type":"bearer","encounter":{}}"#), "encounter");
    assert_eq!(field(r#"{"access_token":"a","token_type":"bearer","fhirContext":{"reference":"x"}}"#), "fhirContext");
    assert_eq!(field(r#"{"access_token":"a","token_type":"bearer","fhirContext":["Patient/1"]}"#), "fhirContext");
    let ok = parse_token_response(200, &j(r#"{"access_token":"a","token_type":"bearer","fhirContext":[{"reference":"Encounter/1"}],"need_patient_banner":false,"intent":"reconcile","tenant":"t1","smart_style_url":"https://s/x.json"}"#));
    assert!(ok.is_ok());
}

/// Shapes real servers send that a strict reader would refuse although the sign-in succeeded:
/// `expires_in` as a string of digits (Azure AD v1's token endpoint), `need_patient_banner` as the
/// string "true" (an Epic customer's token response, tests/corpus/epic-apotti.json), and a banner
/// hint of another type, which is a layout hint only and is then ignored.
#[test]
fn token_responses_from_real_servers_are_read_leniently_where_it_is_safe() {
    let t = parse_token_response(200, &j(r#"{"access_token":"a","token_type":"Bearer","expires_in":"3599"}"#)).unwrap();
    assert_eq!(t.expires_in, Some(3599));
    let t = parse_token_response(200, &j(r#"{"access_token":"a","token_type":"Bearer","need_patient_banner":"true","patient":"e5Lq8kpLjGQOrUOSyW1Bwwg3"}"#)).unwrap();
    assert_eq!(t.context.need_patient_banner, Some(true));
    let t = parse_token_response(200, &j(r#"{"access_token":"a","token_type":"Bearer","need_patient_banner":"false"}"#)).unwrap();
    assert_eq!(t.context.need_patient_banner, Some(false));
    let t = parse_token_response(200, &j(r#"{"access_token":"a","token_type":"Bearer","need_patient_banner":"yes"}"#)).unwrap();
    assert_eq!(t.context.need_patient_banner, None);
    // A context id that is not one path segment is no context: `Patient/..` would be the base.
    for id in ["", ".", ".."] {
        let body = j(&format!(r#"{{"access_token":"a","token_type":"Bearer","patient":"{id}","encounter":"{id}"}}"#));
        let t = parse_token_response(200, &body).unwrap();
        assert_eq!((t.context.patient, t.context.encounter), (None, None), "{id:?}");
        assert_eq!(smart_wasm::core::token::Context::of(&body).patient, None, "{id:?} read back from storage");
    }
}

#[test]
fn error_and_hostile_bodies_are_typed() {
    assert_eq!(
        parse_token_response(400, &j(r#"{"error":"invalid_grant","error_description":"code expired"}"#)).unwrap_err(),
        Error::TokenError { status: 400, error: "invalid_grant".into(), description: Some("code expired".into()) }
    );
    assert_eq!(parse_token_response(401, &j(r#"{"error":"invalid_client"}"#)).unwrap_err().code(), "token_error");
    assert_eq!(parse_token_response(502, &j("<html>Bad gateway</html>")).unwrap_err(), Error::HttpStatus { what: "token endpoint", status: 502 });
    assert_eq!(parse_token_response(200, &j("not json")).unwrap_err(), Error::InvalidJson { what: "token response" });
    assert_eq!(parse_token_response(200, &j("[1,2]")).unwrap_err(), Error::InvalidJson { what: "token response" });
    assert_eq!(parse_token_response(200, &j(r#""a string""#)).unwrap_err(), Error::InvalidJson { what: "token response" });
    assert_eq!(parse_token_response(200, &j("null")).unwrap_err(), Error::InvalidJson { what: "token response" });
    // Over the limit: refused by the transport before the body is read (FakeHttp models the adapter).
    let huge = format!(r#"{{"access_token":"{}","token_type":"bearer"}}"#, "a".repeat(2 * 1024 * 1024));
    let http = FakeHttp::default().with("https://auth.example.org/token", 200, &huge);
    let err = block_on(refresh(&http, &FakePlatform::at(0), &FakeStore::default(), &NoIdentity, &session(r#"{"access_token":"a","token_type":"bearer","refresh_token":"r"}"#, false), None, 1));
    assert!(matches!(err.unwrap_err(), Error::ResponseTooLarge { what: "token response", limit: 1_048_576 }));
    let err = Error::TokenError { status: 400, error: "invalid_grant".into(), description: None };
    assert_eq!(err.oauth_error(), Some(("invalid_grant", None)));
    assert_eq!(err.status(), Some(400));
}

fn session(body: &str, confidential: bool) -> Session<Doc> {
    Session::from_code_exchange(&launch_record(confidential), parse_token_response(200, &j(body)).unwrap(), j(body), 1000)
}

#[test]
fn session_refreshes_near_expiry_only_with_a_refresh_token() {
    let s = session(r#"{"access_token":"a","token_type":"bearer","expires_in":100,"refresh_token":"r1","patient":"p"}"#, false);
    assert_eq!(s.expires_at, Some(1100));
    assert!(!s.needs_refresh(1069));
    assert!(s.needs_refresh(1070));
    assert!(s.needs_refresh(5000));
    assert_eq!(s.scope.as_str(), "launch/patient openid offline_access", "requested scope when none granted");
    let no_rt = session(r#"{"access_token":"a","token_type":"bearer","expires_in":100}"#, false);
    assert!(!no_rt.needs_refresh(5000));
    assert_eq!(no_rt.refresh_request(None, None).unwrap_err(), Error::NoRefreshToken);
    let no_exp = session(r#"{"access_token":"a","token_type":"bearer","refresh_token":"r"}"#, false);
    assert!(!no_exp.needs_refresh(u64::MAX));
    // A lifetime shorter than the margin (or none at all) does not make every request refresh: a
    // token is used for its first 5 seconds (a 401 still refreshes it).
    let zero = session(r#"{"access_token":"a","token_type":"bearer","expires_in":0,"refresh_token":"r"}"#, false);
    assert_eq!(zero.expires_at, Some(1000));
    assert!(!zero.needs_refresh(1000) && !zero.needs_refresh(1004));
    assert!(zero.needs_refresh(1005));
}

#[test]
fn refresh_rotates_tokens_and_keeps_launch_context() {
    let http = FakeHttp::default().with(
        "https://auth.example.org/token",
        200,
        r#"{"access_token":"a2","token_type":"Bearer","expires_in":60,"refresh_token":"r2","scope":"launch/patient  openid"}"#,
    );
    let store = FakeStore::default();
    let s = session(r#"{"access_token":"a1","token_type":"bearer","expires_in":100,"refresh_token":"r1","patient":"p","need_patient_banner":true}"#, false);
    let (next, id_error) = block_on(refresh(&http, &FakePlatform::at(0), &store, &NoIdentity, &s, None, 2000)).unwrap();
    assert!(id_error.is_none());
    let body = form(http.sent.borrow()[0].body.as_deref().unwrap());
    assert_eq!(body["grant_type"], "refresh_token");
    assert_eq!(body["refresh_token"], "r1");
    assert_eq!(body["client_id"], "app");
    assert_eq!(next.access_token.secret(), "a2");
    assert_eq!(next.refresh_token.as_ref().unwrap().secret(), "r2");
    assert_eq!(next.expires_at, Some(2060));
    assert_eq!(next.scope.as_str(), "launch/patient openid");
    assert_eq!(next.context("patient"), Some("p"));
    assert_eq!(restore_session::<Doc>(&store, Some(&next.binding.iss)).unwrap().unwrap(), next);
    assert_eq!(next.token_response.0["need_patient_banner"], true, "launch context kept for the app");
    assert_eq!(next.token_response.0["access_token"], "a2", "newer members win");

    // No new refresh token in the answer: the old one stays.
    let mut kept = s.clone();
    let body = j(r#"{"access_token":"a3","token_type":"bearer","patient":"p2","x-extra":1}"#);
    kept.apply_refresh(TokenResponse { ..parse_token_response(200, &body).unwrap() }, &body, 3000);
    assert_eq!(kept.refresh_token.as_ref().unwrap().secret(), "r1");
    assert_eq!(kept.expires_at, None);
    assert_eq!(kept.context("patient"), Some("p2"), "a context the answer names replaces the old one");
    assert_eq!(kept.context.need_patient_banner, Some(true));
    assert_eq!(kept.token_response.0["x-extra"], 1);
}

#[test]
fn confidential_refresh_uses_basic_and_needs_the_secret() {
    let s = session(r#"{"access_token":"a1","token_type":"bearer","refresh_token":"r1"}"#, true);
    assert_eq!(s.refresh_request(None, None).unwrap_err().code(), "invalid_option");
    let req = s.refresh_request(Some(&ClientSecret::new("this-is-the-secret-2/7")), None).unwrap();
    assert_eq!(req.header_value("authorization"), Some("Basic YXBwOnRoaXMtaXMtdGhlLXNlY3JldC0yJTJGNw=="));
    assert!(!form(req.body.as_deref().unwrap()).contains_key("client_id"));
    let http = FakeHttp::default().with("https://auth.example.org/token", 400, r#"{"error":"invalid_grant"}"#);
    let err = block_on(refresh(&http, &FakePlatform::at(0), &FakeStore::default(), &NoIdentity, &s, Some(&ClientSecret::new("x")), 1)).unwrap_err();
    assert_eq!(err.oauth_error(), Some(("invalid_grant", None)));
}

#[test]
fn stored_sessions_round_trip_and_corruption_is_typed() {
    let s = session(SEED_004_JWT_BEARER, false);
    let store = FakeStore::default();
    keep_session(&store, &s).unwrap();
    assert_eq!(restore_session::<Doc>(&store, None).unwrap().unwrap(), s);
    let key = format!("{SESSION_PREFIX}{}", s.binding.iss.as_str());
    let text = store.0.borrow()[&key].clone();
    for bad in ["", "{}", "[]", r#"{"v":1}"#, &text.replace("\"auth\":\"none\"", "\"auth\":\"secret\""),
        &text.replace("\"tokenEndpoint\":\"https:", "\"tokenEndpoint\":\"ftp:")] {
        store.0.borrow_mut().insert(key.clone(), bad.into());
        assert!(matches!(restore_session::<Doc>(&store, None), Err(Error::Storage { .. })), "{bad}");
    }
    store.0.borrow_mut().insert("launch".into(), "{\"v\":1}".into());
    assert!(matches!(store.get::<LaunchRecord>("launch"), Err(Error::Storage { .. })));
    let state = serde_json::to_value(s.state()).unwrap();
    assert_eq!(state["serverUrl"], FHIR);
    assert_eq!(state["tokenResponse"]["__epic.dstu2.patient"], "TJR7HfYCw58VnihLrp.axehccg-4IcjmZd3lw7Spm1F8B");
}

#[test]
fn fhir_urls_stay_inside_the_server() {
    let base = FhirBase::parse("iss", FHIR).unwrap();
    let ok = |i: &str| String::from(resolve_url(&base, i).unwrap_or_else(|e| panic!("{i}: {e:?}")));
    assert_eq!(ok("Patient/123"), format!("{FHIR}/Patient/123"));
    assert_eq!(ok("/Patient/123"), format!("{FHIR}/Patient/123"));
    assert_eq!(ok("Patient?name=a+b&_count=5"), format!("{FHIR}/Patient?name=a+b&_count=5"));
    assert_eq!(ok(&format!("{FHIR}/Observation?patient=1")), format!("{FHIR}/Observation?patient=1"));
    assert_eq!(ok(FHIR), FHIR);
    assert_eq!(ok("metadata"), format!("{FHIR}/metadata"));
    assert_eq!(ok("Patient/a..b"), format!("{FHIR}/Patient/a..b"), "dots inside an id are not a step");
    assert!(ok("//evil.example.org/x").starts_with(FHIR), "a leading // is a path under the base");
    for bad in [
        "https://evil.example.org/fhir/R4/Patient/1",
        "http://ehr.example.org/fhir/R4/Patient/1",
        "https://ehr.example.org:8443/fhir/R4/Patient/1",
        "https://ehr.example.org/fhir/R4evil/Patient",
        "https://ehr.example.org/fhir/R5/Patient",
        "https://user:pw@ehr.example.org/fhir/R4/Patient/1",
        "https://ehr.example.org@evil.example.org/fhir/R4/Patient",
        "https:\\\\evil.example.org\\fhir\\R4",
        "\\\\evil.example.org/fhir/R4/Patient",
        "/\\evil.example.org/fhir/R4",
        "../R5/Patient",
        "Patient/../../R5/Patient",
        "Patient/%2e%2e/%2e%2e/R5",
        "Patient/.%2E/.%2e/R5",
        "Patient\\..\\..\\R5",
        "Patient/1#frag",
        "Pat\tient/../../R5",
        "Patient/..\n/../R5",
        // Segments that decode to a `..` step: a server that decodes %2F or reads `;` would walk out.
        "Patient/..%2f..%2fadmin",
        "Patient/..%2F..%2Fadmin",
        "Patient/..%5c..%5cadmin",
        "Patient/..%00/x",
        "Patient/..;/..;/admin",
        "Patient/%2e%2e%2f%2e%2e%2fadmin",
        "Patient/x%2f..%2f..%2fadmin",
    ] {
        assert_eq!(resolve_url(&base, bad).unwrap_err(), Error::UrlNotAllowed { url: redact_url(bad.trim()) }, "{bad:?}");
    }
    assert_eq!(resolve_url(&base, "http://[::1").unwrap_err().code(), "invalid_url");
    // PUT, PATCH and DELETE never address the base itself (`delete('')`, an id of `..`).
    let target = |i: &str, m: &str| check_target(&base, &resolve_url(&base, i).unwrap(), m).map_err(|e| e.code());
    for (input, method) in [("", "DELETE"), ("/", "delete"), (FHIR, "PUT"), ("Patient/..", "PUT"), ("Patient/%2e%2e", "PATCH"), ("./", "DELETE")] {
        assert_eq!(target(input, method), Err("invalid_option"), "{method} {input:?}");
    }
    for (input, method) in [("", "POST"), ("", "GET"), ("Patient/1", "DELETE"), ("Patient?name=x", "DELETE"), ("Patient/.", "GET")] {
        assert_eq!(target(input, method), Ok(()), "{method} {input:?}");
    }
    // Error messages never carry a query or fragment: search values may be patient data.
    let leaked = resolve_url(&base, "https://evil.example.org/Patient?name=Smith&birthdate=1970-01-01#x").unwrap_err();
    assert_eq!(leaked, Error::UrlNotAllowed { url: "https://evil.example.org/Patient…".into() });
    assert!(!leaked.message().contains("Smith"));
}

#[test]
fn fhir_search_values_are_encoded_as_a_browser_would_not_refused() {
    let base = FhirBase::parse("iss", FHIR).unwrap();
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("Patient?identifier=http://hospital.example/mrn|12345", &[("identifier", "http://hospital.example/mrn|12345")]),
        ("Patient?name=O'Brien", &[("name", "O'Brien")]),
        ("Patient?name=Müller", &[("name", "Müller")]),
        ("Patient?name=Mary Ann", &[("name", "Mary Ann")]),
        ("Observation?code=[a]&_include=Observation:patient", &[("code", "[a]"), ("_include", "Observation:patient")]),
        ("Observation?date=ge2020-01-01&date=lt2021-01-01", &[("date", "ge2020-01-01"), ("date", "lt2021-01-01")]),
        ("Observation?subject:Patient.name=x", &[("subject:Patient.name", "x")]),
        ("Observation?code=http%3A%2F%2Floinc.org%7C29463-7", &[("code", "http://loinc.org|29463-7")]),
        ("Patient?name=100%", &[("name", "100%")]),
        ("Patient?_summary", &[("_summary", "")]),
    ];
    for (input, want) in cases {
        let url = resolve_url(&base, input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
        let got: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let want: Vec<(String, String)> = want.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(got, want, "{input}");
        // What is approved is what URLSearchParams writes: re-serializing changes nothing.
        let again: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&got).finish();
        assert_eq!(url.query(), Some(again.as_str()), "{input}");
        assert!(url.as_str().starts_with(&format!("{FHIR}/")));
    }
}

/// Deterministic fuzzing of the token-destination rule: whatever is approved parses (as the
/// browser's `fetch` will parse it) to the FHIR server's origin, under its path, with no segment
/// that decodes to a `..` step.
#[test]
fn mutated_request_urls_never_leave_the_base() {
    let base = FhirBase::parse("iss", FHIR).unwrap();
    let seeds = ["Patient/123", "Patient?name=a|b", "https://ehr.example.org/fhir/R4/Observation?x=1", "../R4/Patient", "//evil.example.org/x", "Patient/..%2fx"];
    let alphabet = b"/:?#@[]%.-_~+&=!$'()*,;abcXYZ019 \\\t\x7f2fFeE5c";
    for input in support::mutations(&seeds, alphabet, 20_000, 4) {
        let input = String::from_utf8_lossy(&input).into_owned();
        if let Ok(url) = resolve_url(&base, &input) {
            let reparsed = url::Url::parse(url.as_str()).unwrap();
            assert_eq!(reparsed.origin(), base.as_dir().url().origin(), "{input:?}");
            assert!(reparsed.path().starts_with("/fhir/R4/") || reparsed.path() == "/fhir/R4", "{input:?} -> {url}");
            assert!(reparsed.username().is_empty() && reparsed.fragment().is_none(), "{input:?}");
            for seg in reparsed.path_segments().unwrap() {
                let d = percent_encoding::percent_decode_str(seg).decode_utf8_lossy();
                assert!(!d.split(['/', '\\', ';', '\0']).any(|p| p == ".."), "{input:?} -> {url}");
            }
        }
    }
}

#[test]
fn fhir_requests_carry_the_token_and_the_epic_header() {
    let s = session(r#"{"access_token":"tok","token_type":"bearer"}"#, false);
    let caller = vec![("authorization".to_owned(), "Bearer stolen".to_owned()), ("Prefer".to_owned(), "return=minimal".to_owned()), ("epic-client-id".into(), "x".into())];
    let req = fhir_request(&s, "post", format!("{FHIR}/Patient"), &caller, Some("{}".into()));
    assert_eq!(req.method, "POST");
    assert_eq!(req.header_value("Authorization"), Some("Bearer tok"));
    assert_eq!(req.header_value("Epic-Client-ID"), Some("app"));
    assert_eq!(req.header_value("Prefer"), Some("return=minimal"));
    assert_eq!(req.header_value("Accept"), Some("application/fhir+json"));
    assert_eq!(req.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("authorization")).count(), 1);
    let mut plain = s.clone();
    plain.binding.epic_client_id_header = false;
    assert_eq!(fhir_request(&plain, "GET", FHIR.into(), &[], None).header_value("Epic-Client-ID"), None);
}

#[test]
fn fhir_statuses_are_classified() {
    assert_eq!(classify(200, None, None), Verdict::Ok);
    assert_eq!(classify(204, None, None), Verdict::Ok);
    assert_eq!(classify(401, Some("Bearer error=\"invalid_token\""), None), Verdict::RefreshAndRetry);
    let www = "Bearer error=\"insufficient_scope\"";
    assert_eq!(classify(403, Some(www), None), Verdict::Fail(Error::InsufficientScope { www_authenticate: Some(www.into()) }));
    assert_eq!(classify(403, None, None), Verdict::Fail(Error::InsufficientScope { www_authenticate: None }));
    assert_eq!(classify(404, None, None), Verdict::Fail(Error::HttpStatus { what: "FHIR server", status: 404 }));
    assert_eq!(classify(0, None, Some("https://x/y")), Verdict::Fail(Error::UnexpectedRedirect { url: "https://x/y".into() }));
    assert_eq!(Error::InsufficientScope { www_authenticate: None }.code(), "insufficient_scope");
}

/// Hostile sizes are linear: a 1 MiB token response of 100k distinct keys, and a scope of 40k
/// tokens (duplicates among them). The old hand-written parser and scope de-duplication were
/// quadratic (~98 s and ~3.5 s in wasm). The limit only guards against a return to quadratic
/// time; bench/ reports the actual times.
#[test]
fn hostile_token_responses_and_scopes_take_linear_time() {
    let (body, scope) = support::hostile_token_response_and_scope();
    let started = std::time::Instant::now();
    let t = parse_token_response(200, &j(&body)).unwrap();
    let s = Scope::parse(&scope);
    let elapsed = started.elapsed();
    assert_eq!(t.access_token.secret(), "a");
    assert_eq!(s.as_str().split(' ').count(), 30_000, "duplicates dropped, first occurrences kept");
    assert!(s.as_str().starts_with("patient/R0.rs patient/R1.rs "));
    assert!(elapsed.as_secs() < 5, "took {elapsed:?}");
}

#[test]
fn a_tab_keeps_one_session_per_fhir_server() {
    let store = FakeStore::default();
    let a = session(SEED_004_JWT_BEARER, false);
    let mut b = a.clone();
    b.binding.iss = FhirBase::parse("iss", "https://other.example.org/fhir").unwrap();
    b.access_token = smart_wasm::core::types::AccessToken::new(String::from("b-token"));
    assert_eq!(restore_session::<Doc>(&store, None).unwrap(), None);
    keep_session(&store, &a).unwrap();
    keep_session(&store, &b).unwrap();
    assert_eq!(restore_session::<Doc>(&store, None).unwrap().unwrap(), b, "the latest launch");
    assert_eq!(restore_session::<Doc>(&store, Some(&a.binding.iss)).unwrap().unwrap(), a, "the earlier one is kept");
    let mut servers: Vec<String> = session_servers(&store).unwrap().iter().map(|i| i.as_str().to_owned()).collect();
    servers.sort();
    assert_eq!(servers, [a.binding.iss.as_str(), b.binding.iss.as_str()]);
    // A refresh of the earlier session stores it without making it the current one.
    let mut a2 = a.clone();
    a2.access_token = smart_wasm::core::types::AccessToken::new(String::from("a2"));
    store_session(&store, &a2).unwrap();
    assert_eq!(restore_session::<Doc>(&store, None).unwrap().unwrap(), b);
    assert_eq!(restore_session::<Doc>(&store, Some(&a.binding.iss)).unwrap().unwrap().access_token.secret(), "a2");
    assert_eq!(restore_session::<Doc>(&store, Some(&FhirBase::parse("iss", "https://third.example.org/fhir").unwrap())).unwrap(), None);
}
