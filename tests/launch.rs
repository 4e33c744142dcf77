//! Discovery, the authorize request, configuration and the iss allow-list, the callback, and the
//! launch driven end to end over fakes (single-use state).

mod support;

use sha2::{Digest, Sha256};
use smart_wasm::core::authorize::{authorize_request, LaunchRandom, LaunchRecord};
use smart_wasm::core::callback::{parse_callback, without_response_params};
use smart_wasm::core::config::{ehr_launch_params, parse_options, LaunchKind};
use smart_wasm::core::discovery::{parse_capability_statement, parse_smart_configuration, Pins};
use smart_wasm::core::types::{FhirBase, PkceChallenge, PkceVerifier};
use smart_wasm::core::Error;
use smart_wasm::driver::{begin_launch, complete_launch, discover, keep_session, restore_session, NoIdentity, LAUNCH_PREFIX, SESSION_KEY};
use support::*;

fn base() -> FhirBase {
    FhirBase::parse("iss", FHIR).unwrap()
}

#[test]
fn pkce_matches_rfc7636_appendix_b() {
    let octets = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91,
        88, 5, 88, 83, 132, 141, 121,
    ];
    let v = PkceVerifier::from_random(&octets);
    assert_eq!(v.secret(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    let digest: [u8; 32] = Sha256::digest(v.secret().as_bytes()).into();
    assert_eq!(PkceChallenge::from_sha256(&digest).as_str(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    assert!(format!("{v:?}").contains("redacted"));
    assert!(PkceVerifier::parse("short").is_err());
    assert!(PkceVerifier::parse(&"a".repeat(129)).is_err());
    assert!(PkceVerifier::parse(&"a+".repeat(30)).is_err());
}

#[test]
fn discovery_resolves_relative_endpoints_and_either_base_form() {
    let doc = r#"{"authorization_endpoint":"../auth/authorize","token_endpoint":"/oauth2/token",
                  "registration_endpoint":"https://auth.example.org/register","capabilities":["launch-standalone"]}"#;
    for b in [FHIR, "https://ehr.example.org/fhir/R4/"] {
        let base = FhirBase::parse("iss", b).unwrap();
        assert_eq!(base.smart_configuration_url(), "https://ehr.example.org/fhir/R4/.well-known/smart-configuration");
        let c = parse_smart_configuration(&base, 200, &j(doc)).unwrap();
        assert_eq!(c.authorization_endpoint.as_str(), "https://ehr.example.org/fhir/auth/authorize");
        assert_eq!(c.token_endpoint.as_str(), "https://ehr.example.org/oauth2/token");
        assert_eq!(c.registration_endpoint.unwrap().as_str(), "https://auth.example.org/register");
        assert_eq!(c.capabilities, vec!["launch-standalone"]);
        assert!(!c.iss_parameter_supported);
    }
}

#[test]
fn discovery_refuses_bad_documents() {
    let b = base();
    let bad = |status, body: &str| parse_smart_configuration(&b, status, &j(body)).unwrap_err();
    assert_eq!(bad(404, "{}"), Error::HttpStatus { what: "smart-configuration", status: 404 });
    assert_eq!(bad(200, "<html>"), Error::InvalidJson { what: "smart-configuration" });
    assert_eq!(bad(200, "[]"), Error::InvalidJson { what: "smart-configuration" });
    assert_eq!(bad(200, r#"{"token_endpoint":"https://a/t"}"#), Error::InvalidDiscovery { field: "authorization_endpoint", reason: "is missing" });
    assert_eq!(
        bad(200, r#"{"authorization_endpoint":"https://a/x","token_endpoint":5}"#),
        Error::InvalidDiscovery { field: "token_endpoint", reason: "must be a string" }
    );
    assert_eq!(
        bad(200, r#"{"authorization_endpoint":"https://a/x","token_endpoint":"https://a/t","capabilities":"launch-ehr"}"#),
        Error::InvalidDiscovery { field: "capabilities", reason: "must be an array of strings" }
    );
    assert!(matches!(
        bad(200, r#"{"authorization_endpoint":"http://evil.example/x","token_endpoint":"https://a/t"}"#),
        Error::InsecureUrl { what: "authorization_endpoint", .. }
    ));
    assert_eq!(
        bad(200, r#"{"authorization_endpoint":"https://a/x","token_endpoint":"https://a/t","code_challenge_methods_supported":["plain"]}"#),
        Error::PkceUnsupported
    );
    assert!(matches!(
        bad(200, r#"{"authorization_endpoint":"https://a/x","token_endpoint":"https://a/t","code_challenge_methods_supported":["S256",1]}"#),
        Error::InvalidDiscovery { field: "code_challenge_methods_supported", .. }
    ));
    assert!(matches!(
        bad(200, r#"{"authorization_endpoint":"https://a/x","token_endpoint":"https://a/t","authorization_response_iss_parameter_supported":"true"}"#),
        Error::InvalidDiscovery { field: "authorization_response_iss_parameter_supported", .. }
    ));
    assert!(matches!(bad(200, r#"{"authorization_endpoint":"https://user@a/x","token_endpoint":"https://a/t"}"#), Error::InvalidUrl { .. }));
}

/// A CapabilityStatement naming SMART 1.0 endpoints (its `oauth-uris` extension), the way the
/// recorded ones in tests/corpus/ do: `token` before `authorize`, other extensions around it.
fn capability_statement(authorize: &str, token: &str) -> String {
    format!(
        r#"{{"resourceType":"CapabilityStatement","fhirVersion":"1.0.2","rest":[{{"mode":"server","security":{{
          "service":[{{"text":"OAuth2 using SMART-on-FHIR profile"}}],
          "extension":[{{"url":"http://example.org/other","valueString":"x"}},
            {{"url":"http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris","extension":[
              {{"url":"token","valueUri":"{token}"}},{{"url":"authorize","valueUri":"{authorize}"}},
              {{"url":"register","valueUri":"https://ehr.example.org/oauth/register"}}]}}]}},
          "resource":[{{"type":"Patient","interaction":[{{"code":"read"}}]}}]}}]}}"#
    )
}

#[test]
fn a_capability_statement_names_smart_1_endpoints_and_nothing_else_is_taken_from_it() {
    let b = base();
    let c = parse_capability_statement(&b, 200, &j(&capability_statement("https://ehr.example.org/oauth/authorize", "../../oauth/token"))).unwrap();
    assert_eq!(c.authorization_endpoint.as_str(), "https://ehr.example.org/oauth/authorize");
    assert_eq!(c.token_endpoint.as_str(), "https://ehr.example.org/oauth/token", "relative to the FHIR base");
    assert_eq!(c.registration_endpoint.unwrap().as_str(), "https://ehr.example.org/oauth/register");
    assert_eq!((c.issuer, c.jwks_uri, c.iss_parameter_supported), (None, None, false));
    let none = |status, body: &str| parse_capability_statement(&b, status, &j(body)).is_none();
    assert!(none(200, &capability_statement("https://ehr.example.org/oauth/authorize", "https://ehr.example.org/oauth/token")
        .replace("oauth-uris", "other")), "no oauth-uris extension");
    assert!(none(200, &capability_statement("https://ehr.example.org/oauth/authorize", "https://ehr.example.org/oauth/token")
        .replace(r#""url":"token""#, r#""url":"toke""#)), "no token endpoint");
    assert!(none(200, &capability_statement("http://ehr.example.org/oauth/authorize", "https://ehr.example.org/oauth/token")), "not https");
    assert!(none(404, &capability_statement("https://ehr.example.org/oauth/authorize", "https://ehr.example.org/oauth/token")));
    for body in ["<CapabilityStatement/>", "[]", "{}", r#"{"rest":{}}"#, r#"{"rest":[{"security":{"extension":[{"url":5}]}}]}"#,
        r#"{"rest":[null]}"#, r#"{"rest":[{"security":{"extension":[{"url":"http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris","extension":[{"url":"authorize","valueUri":7}]}]}}]}"#] {
        assert!(none(200, body), "{body}");
    }
}

#[test]
fn a_server_without_a_smart_configuration_is_asked_for_its_capability_statement() {
    let b = base();
    let well_known = b.smart_configuration_url();
    let metadata = format!("{FHIR}/metadata");
    let cs = capability_statement("https://ehr.example.org/oauth/authorize", "https://ehr.example.org/oauth/token");
    let run = |http: &FakeHttp, pins: &Pins| block_on(discover(http, &b, pins, 1000));
    let asked = |http: &FakeHttp| http.sent.borrow().iter().map(|r| r.url.clone()).collect::<Vec<_>>();
    // No smart-configuration (404, no CORS, an HTML page, no endpoints): the CapabilityStatement's endpoints.
    for (status, body) in [(404, ""), (0, "Failed to fetch"), (200, "<html>"), (200, r#"{"issuer":"https://ehr.example.org"}"#)] {
        let http = FakeHttp::default().with(&well_known, status, body).with(&metadata, 200, &cs);
        let c = run(&http, &Pins::default()).unwrap();
        assert_eq!(c.token_endpoint.as_str(), "https://ehr.example.org/oauth/token", "{status} {body}");
        assert_eq!(asked(&http), [well_known.as_str(), metadata.as_str()]);
    }
    // A smart-configuration takes precedence: the CapabilityStatement is not asked for.
    let http = FakeHttp::default().with(&well_known, 200, &smart_config()).with(&metadata, 200, &cs);
    assert_eq!(run(&http, &Pins::default()).unwrap().token_endpoint.as_str(), "https://auth.example.org/token");
    assert_eq!(asked(&http), [well_known.as_str()]);
    // Neither: the smart-configuration's error, which names what SMART 2 requires.
    let http = FakeHttp::default().with(&metadata, 200, r#"{"resourceType":"CapabilityStatement","rest":[]}"#);
    assert_eq!(run(&http, &Pins::default()).unwrap_err(), Error::HttpStatus { what: "smart-configuration", status: 404 });
    let http = FakeHttp::default().with(&metadata, 0, "Failed to fetch");
    assert_eq!(run(&http, &Pins::default()).unwrap_err(), Error::HttpStatus { what: "smart-configuration", status: 404 });
    // Not asked: a smart-configuration that was read and refused, or one that timed out.
    let refused = [
        (200, r#"{"authorization_endpoint":"https://a.example/x","token_endpoint":"https://a.example/t","code_challenge_methods_supported":["plain"]}"#),
        (200, r#"{"authorization_endpoint":"https://a.example/x","token_endpoint":"https://b.example/t"}"#),
        (1, ""),
    ];
    for (status, body) in refused {
        let http = FakeHttp::default().with(&well_known, status, body).with(&metadata, 200, &cs);
        assert!(run(&http, &Pins::default()).is_err());
        assert_eq!(asked(&http), [well_known.as_str()], "{body}");
    }
    // The mix-up rule holds for the CapabilityStatement's endpoints too.
    let http = FakeHttp::default().with(&metadata, 200, &capability_statement("https://ehr.example.org/oauth/authorize", "https://evil.example/token"));
    assert!(matches!(run(&http, &Pins::default()).unwrap_err(), Error::EndpointMismatch { field: "token_endpoint", .. }));
}

fn launch(opts_json: &str, page: &str) -> (url_map::Map, LaunchRecord) {
    let opts = parse_options(&options_doc(opts_json), page).unwrap();
    let ehr = ehr_launch_params(page).unwrap();
    let (server, kind) = opts.select(ehr.as_ref().map(|(i, l)| (i.as_str(), l.as_deref()))).unwrap();
    let config = parse_smart_configuration(&server.iss, 200, &j(&smart_config())).unwrap();
    let random = LaunchRandom { state: [1; 32], verifier: [2; 32], nonce: [3; 32] };
    let digest: [u8; 32] = Sha256::digest(PkceVerifier::from_random(&[2; 32]).secret().as_bytes()).into();
    let req = authorize_request(&opts, server, &kind, &config, &random, &digest, 1000);
    assert!(req.url.starts_with("https://auth.example.org/authorize?"));
    (query(&req.url), req.record)
}

mod url_map {
    pub type Map = std::collections::BTreeMap<String, String>;
}

#[test]
fn standalone_authorize_request_has_every_parameter() {
    let (q, record) = launch(&format!(r#"{{"iss":"{FHIR}","clientId":"my-app","scope":"launch/patient  openid patient/*.rs"}}"#), PAGE);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "my-app");
    assert_eq!(q["redirect_uri"], PAGE);
    assert_eq!(q["scope"], "launch/patient openid patient/*.rs");
    assert_eq!(q["aud"], FHIR);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["state"].len(), 43, "256-bit state");
    let digest: [u8; 32] = Sha256::digest(record.verifier.secret().as_bytes()).into();
    assert_eq!(q["code_challenge"], PkceChallenge::from_sha256(&digest).as_str());
    assert!(!q.contains_key("launch"));
    assert_eq!(record.issuer.unwrap().as_str(), "https://auth.example.org");
    assert!(record.iss_required);
}

#[test]
fn aud_can_be_turned_off() {
    let (q, _) = launch(&format!(r#"{{"iss":"{FHIR}","clientId":"a","scope":"openid","aud":false}}"#), PAGE);
    assert!(!q.contains_key("aud"));
}

#[test]
fn ehr_launch_adds_launch_and_takes_iss_from_the_url() {
    let page = format!("{PAGE}?iss={}&launch=xyz123", "https%3A%2F%2Fehr.example.org%2Ffhir%2FR4%2F");
    let opts = format!(r#"{{"servers":[{{"iss":"https://other.example.org/fhir","clientId":"o"}},{{"iss":"{FHIR}","clientId":"prod-id"}}],"scope":"patient/*.rs"}}"#);
    let (q, record) = launch(&opts, &page);
    assert_eq!(q["launch"], "xyz123");
    assert_eq!(q["client_id"], "prod-id");
    assert_eq!(q["scope"], "launch patient/*.rs");
    assert_eq!(q["aud"], FHIR);
    assert_eq!(record.binding.iss.as_str(), FHIR);
}

#[test]
fn iss_allow_list_refuses_unconfigured_servers() {
    let opts = options(&format!(r#"{{"servers":[{{"iss":"{FHIR}","clientId":"a"}}],"scope":"launch"}}"#));
    for forged in ["https://evil.example.org/fhir/R4", "https://ehr.example.org/fhir/R4/../R5", "http://ehr.example.org/fhir/R4",
        "https://ehr.example.org/fhir/r4", "not a url", ""] {
        assert_eq!(opts.select(Some((forged, Some("l")))).unwrap_err(), Error::IssNotAllowed { iss: forged.into() }, "{forged}");
    }
    let (_, kind) = opts.select(Some(("https://EHR.example.org:443/fhir/R4/", Some("l")))).unwrap();
    assert_eq!(kind, LaunchKind::Ehr { launch: "l".into() });
}

#[test]
fn several_servers_need_a_choice_and_keep_their_own_client_ids() {
    let opts = options(r#"{"servers":[{"iss":"https://prod.example.org/R4","clientId":"prod"},
        {"iss":"https://nonprod.example.org/R4","clientId":"nonprod","clientSecret":"s"}],"scope":"openid"}"#);
    assert_eq!(opts.select(None).unwrap_err().code(), "invalid_option");
    let mut chosen = opts.clone();
    chosen.fhir_service_url = Some(FhirBase::parse("x", "https://nonprod.example.org/R4").unwrap());
    let (s, _) = chosen.select(None).unwrap();
    assert_eq!(s.client_id.as_str(), "nonprod");
    assert!(s.client_secret.is_some());
    assert!(format!("{:?}", s.client_secret).contains("redacted"));
}

#[test]
fn options_are_validated() {
    let err = |j: &str| parse_options(&options_doc(j), PAGE).unwrap_err();
    assert_eq!(
        err(&format!(r#"{{"iss":"{FHIR}","clientId":"a","scope":"s","privateJwk":{{"kty":"EC"}}}}"#)),
        Error::InvalidOption { option: "privateJwk".into(), reason: "is not an option of this library" },
        "an unknown option is refused by name, not ignored"
    );
    assert_eq!(
        err(r#"{"servers":[{"iss":"https://a/x","clientId":"a","clientSecrets":"s"}],"scope":"s"}"#),
        Error::InvalidOption { option: "servers[0].clientSecrets".into(), reason: "is not an option of this library" }
    );
    assert_eq!(err(&format!(r#"{{"iss":"{FHIR}","clientId":"a","scope":"s","refreshMargin":-1}}"#)).code(), "invalid_option");
    assert_eq!(err(&format!(r#"{{"iss":"{FHIR}","clientId":"a","scope":"s","noRedirect":"yes"}}"#)).code(), "invalid_option");
    assert_eq!(err(&format!(r#"{{"iss":"{FHIR}","clientId":" ","scope":"s"}}"#)), Error::InvalidOption { option: "clientId".into(), reason: "must not be empty" });
    assert_eq!(err(r#"{"clientId":"a","scope":"s"}"#), Error::InvalidOption { option: "iss".into(), reason: "is required" });
    assert_eq!(err(&format!(r#"{{"iss":"{FHIR}","scope":"s"}}"#)), Error::InvalidOption { option: "clientId".into(), reason: "is required" });
    assert_eq!(err(&format!(r#"{{"iss":"{FHIR}","clientId":7,"scope":"s"}}"#)), Error::InvalidOption { option: "clientId".into(), reason: "must be a string" });
    assert_eq!(err(&format!(r#"{{"iss":"{FHIR}","clientId":"a"}}"#)), Error::InvalidOption { option: "scope".into(), reason: "is required" });
    assert_eq!(err(&format!(r#"{{"iss":"{FHIR}","clientId":"a","scope":"s","aud":"yes"}}"#)), Error::InvalidOption { option: "aud".into(), reason: "must be a boolean" });
    assert_eq!(err(r#"{"servers":[],"scope":"s"}"#), Error::InvalidOption { option: "servers".into(), reason: "must be a non-empty array" });
    assert_eq!(err(r#"{"servers":[{"iss":"https://a/x"}],"scope":"s"}"#), Error::InvalidOption { option: "servers[0].clientId".into(), reason: "is required" });
    assert!(matches!(err(r#"{"iss":"http://ehr.example.org/R4","clientId":"a","scope":"s"}"#), Error::InsecureUrl { .. }));
    assert!(matches!(err(r#"{"iss":"https://ehr.example.org/R4?x=1","clientId":"a","scope":"s"}"#), Error::InvalidUrl { .. }));
    // ready(): the server list is optional; a server option without its server is not.
    use smart_wasm::core::config::parse_ready_options;
    assert_eq!(parse_ready_options(&options_doc(r#"{"registerDevice":{"alg":"ES384"}}"#), PAGE).unwrap(), (None, None));
    assert_eq!(parse_ready_options(&options_doc("{}"), PAGE).unwrap(), (None, None));
    // `ready({ iss })`: which stored session to restore; no client options needed.
    let (o, iss) = parse_ready_options(&options_doc(&format!(r#"{{"iss":"{FHIR}/"}}"#)), PAGE).unwrap();
    assert!(o.is_none());
    assert_eq!(iss.unwrap().as_str(), FHIR);
    assert_eq!(parse_ready_options(&options_doc(r#"{"iss":"ftp://x"}"#), PAGE).unwrap_err().code(), "invalid_url");
    assert_eq!(parse_ready_options(&options_doc(r#"{"clientId":"x","registerDevice":true}"#), PAGE).unwrap_err().code(), "invalid_option");
    assert_eq!(parse_ready_options(&options_doc(r#"{"registerDevise":true}"#), PAGE).unwrap_err().code(), "invalid_option");
    assert!(parse_ready_options(&options_doc(&format!(r#"{{"iss":"{FHIR}","clientId":"a","scope":"s"}}"#)), PAGE).unwrap().0.is_some());
    use smart_wasm::core::binding::AuthMethod;
    let auth = |extra: &str| options(&format!(r#"{{"iss":"{FHIR}","clientId":"a","scope":"s"{extra}}}"#)).servers[0].auth;
    assert_eq!(auth(r#","clientSecret":"x""#), AuthMethod::SecretBasic);
    assert_eq!(auth(r#","clientSecret":"x","secretEncoding":"form""#), AuthMethod::SecretBasic);
    assert_eq!(auth(r#","clientSecret":"x","secretEncoding":"raw""#), AuthMethod::SecretBasicRaw);
    assert_eq!(auth(r#","secretEncoding":"raw""#), AuthMethod::None, "no secret, nothing to encode");
    assert_eq!(err(&format!(r#"{{"iss":"{FHIR}","clientId":"a","scope":"s","secretEncoding":"base64"}}"#)).code(), "invalid_option");
    let o = options(&format!(r#"{{"iss":"{FHIR}","clientId":"a","scope":"s","redirectUri":"../cb"}}"#));
    assert_eq!(o.servers[0].redirect_uri.as_str(), "https://app.example.org/cb");
}

#[test]
fn callbacks_are_parsed_strictly() {
    let c = parse_callback(&format!("{PAGE}?code=abc&state=s1&iss=https%3A%2F%2Fauth.example.org")).unwrap();
    assert_eq!(c.state.as_str(), "s1");
    assert_eq!(c.outcome.as_ref().unwrap().secret(), "abc");
    assert_eq!(parse_callback(&format!("{PAGE}?code=abc")).unwrap_err(), Error::MissingState);
    assert_eq!(parse_callback(&format!("{PAGE}?code=abc&state=")).unwrap_err(), Error::MissingState);
    assert_eq!(parse_callback(&format!("{PAGE}?state=s")).unwrap().outcome.unwrap_err(), Error::MissingCode);
    let denied = parse_callback(&format!("{PAGE}?error=access_denied&error_description=User+said+no&state=s")).unwrap();
    assert_eq!(denied.outcome.unwrap_err(), Error::AuthorizationError { error: "access_denied".into(), description: Some("User said no".into()) });
    assert!(matches!(parse_callback(&format!("{PAGE}?code=a&code=b&state=s")), Err(Error::InvalidUrl { .. })));
    let err = parse_callback(&format!("{PAGE}?code=secret-code&state=s1&state=s2")).unwrap_err();
    assert!(!err.message().contains("secret-code") && !err.message().contains("s1"), "no code or state in messages: {}", err.message());
    assert!(matches!(parse_callback(&format!("{PAGE}?code=a&state=s&state=t")), Err(Error::InvalidUrl { .. })));
    assert_eq!(
        without_response_params(&format!("{PAGE}?keep=1&code=abc&state=s1&iss=x")).unwrap(),
        format!("{PAGE}?keep=1")
    );
    assert_eq!(without_response_params(&format!("{PAGE}?code=abc&state=s1")).unwrap(), PAGE);
}

fn driver_setup() -> (FakeHttp, FakeStore, FakePlatform, smart_wasm::core::config::Options) {
    let http = FakeHttp::default()
        .with(&format!("{FHIR}/.well-known/smart-configuration"), 200, &smart_config())
        .with(ISSUER_METADATA_URL, 200, &issuer_metadata())
        .with("https://auth.example.org/token", 200, r#"{"access_token":"at1","token_type":"Bearer","expires_in":3600,"patient":"p1","refresh_token":"rt1"}"#);
    let opts = options(&format!(r#"{{"iss":"{FHIR}","clientId":"app","scope":"launch/patient openid offline_access"}}"#));
    (http, FakeStore::default(), FakePlatform::at(10_000), opts)
}

#[test]
fn launch_completes_once_and_state_is_single_use() {
    let (http, store, platform, opts) = driver_setup();
    let url = block_on(begin_launch(&http, &store, &platform, &NoIdentity, &opts, PAGE)).unwrap();
    let state = query(&url)["state"].clone();
    assert!(store.get_raw(&format!("{LAUNCH_PREFIX}{state}")).is_some());
    let redirect = format!("{PAGE}?code=c1&state={state}&iss=https%3A%2F%2Fauth.example.org");
    let session = block_on(complete_launch(&http, &FakePlatform::at(0), &store, &NoIdentity, Some(&opts), &redirect, 10_010)).unwrap();
    assert!(restore_session::<Doc>(&store, None).unwrap().is_none(), "the caller decides whether to keep the session");
    keep_session(&store, &session).unwrap();
    assert_eq!(session.access_token.secret(), "at1");
    assert_eq!(session.context("patient"), Some("p1"));
    assert_eq!(session.expires_at, Some(13_610));
    assert!(store.get_raw(&format!("{LAUNCH_PREFIX}{state}")).is_none(), "launch record consumed");
    // (With openid the keys are fetched beside the token request: the token request is found by URL.)
    let token_req = token_request(&http);
    let body = form(token_req.body.as_deref().unwrap());
    assert_eq!(body["grant_type"], "authorization_code");
    assert_eq!(body["code"], "c1");
    assert_eq!(body["client_id"], "app");
    assert_eq!(body["redirect_uri"], PAGE);
    assert_eq!(body["code_verifier"].len(), 43);
    assert_eq!(token_req.header_value("Authorization"), None);
    assert_eq!(block_on(complete_launch(&http, &FakePlatform::at(0), &store, &NoIdentity, Some(&opts), &redirect, 10_020)).unwrap_err(), Error::UnknownState);
    assert_eq!(restore_session(&store, None).unwrap().unwrap(), session);
}

#[test]
fn tampered_state_stores_no_token() {
    let (http, store, platform, opts) = driver_setup();
    block_on(begin_launch(&http, &store, &platform, &NoIdentity, &opts, PAGE)).unwrap();
    let sent_before = http.sent.borrow().len();
    let err = block_on(complete_launch(&http, &FakePlatform::at(0), &store, &NoIdentity, Some(&opts), &format!("{PAGE}?code=c1&state=forged"), 10_010)).unwrap_err();
    assert_eq!(err, Error::UnknownState);
    assert_eq!(http.sent.borrow().len(), sent_before, "no token request");
    assert!(store.get_raw(SESSION_KEY).is_none());
}

#[test]
fn mix_up_expired_and_confidential_launches_fail_typed() {
    let (http, store, platform, opts) = driver_setup();
    let start = |store: &FakeStore| query(&block_on(begin_launch(&http, store, &platform, &NoIdentity, &opts, PAGE)).unwrap())["state"].clone();
    let s = start(&store);
    let err = block_on(complete_launch(&http, &FakePlatform::at(0), &store, &NoIdentity, None, &format!("{PAGE}?code=c&state={s}&iss=https%3A%2F%2Fevil.example.org"), 10_010));
    assert!(matches!(err, Err(Error::IssuerMismatch { .. })));
    let s = start(&store);
    let err = block_on(complete_launch(&http, &FakePlatform::at(0), &store, &NoIdentity, None, &format!("{PAGE}?code=c&state={s}"), 10_010));
    assert!(matches!(err, Err(Error::IssuerMismatch { .. })), "iss required by authorization_response_iss_parameter_supported");
    let s = start(&store);
    let err = block_on(complete_launch(&http, &FakePlatform::at(0), &store, &NoIdentity, None, &format!("{PAGE}?code=c&state={s}&iss=https%3A%2F%2Fauth.example.org"), 10_000 + 16 * 60));
    assert_eq!(err.unwrap_err(), Error::UnknownState, "a launch older than 15 minutes is refused");

    let conf = options(&format!(r#"{{"iss":"{FHIR}","clientId":"app","clientSecret":"s3cr/t","scope":"openid"}}"#));
    let url = block_on(begin_launch(&http, &store, &platform, &NoIdentity, &conf, PAGE)).unwrap();
    let s = query(&url)["state"].clone();
    let redirect = format!("{PAGE}?code=c&state={s}&iss=https%3A%2F%2Fauth.example.org");
    assert!(!store.get_raw(&format!("{LAUNCH_PREFIX}{s}")).unwrap().contains("s3cr"), "secret never stored");
    assert_eq!(block_on(complete_launch(&http, &FakePlatform::at(0), &store, &NoIdentity, None, &redirect, 10_010)).unwrap_err().code(), "invalid_option");
    let s = query(&block_on(begin_launch(&http, &store, &platform, &NoIdentity, &conf, PAGE)).unwrap())["state"].clone();
    let redirect = format!("{PAGE}?code=c&state={s}&iss=https%3A%2F%2Fauth.example.org");
    block_on(complete_launch(&http, &FakePlatform::at(0), &store, &NoIdentity, Some(&conf), &redirect, 10_010)).unwrap();
    let req = token_request(&http);
    assert_eq!(req.header_value("Authorization"), Some("Basic YXBwOnMzY3IlMkZ0"));
    assert!(!form(req.body.as_deref().unwrap()).contains_key("client_id"));
}

/// The latest request sent to the token endpoint.
fn token_request(http: &FakeHttp) -> smart_wasm::core::http::HttpRequest {
    http.sent.borrow().iter().rev().find(|r| r.url == "https://auth.example.org/token").cloned().unwrap()
}

trait Raw {
    fn get_raw(&self, key: &str) -> Option<String>;
}
impl Raw for FakeStore {
    fn get_raw(&self, key: &str) -> Option<String> {
        self.0.borrow().get(key).cloned()
    }
}

#[test]
fn stale_launch_records_are_purged() {
    let (http, store, platform, opts) = driver_setup();
    store.0.borrow_mut().insert(format!("{LAUNCH_PREFIX}old"), "garbage".into());
    block_on(begin_launch(&http, &store, &platform, &NoIdentity, &opts, PAGE)).unwrap();
    assert!(store.get_raw(&format!("{LAUNCH_PREFIX}old")).is_none());
    assert_eq!(store.0.borrow().keys().filter(|k| k.starts_with(LAUNCH_PREFIX)).count(), 1);
}

/// The mix-up rule that replaced the issuer-metadata precondition: the authorization and token
/// endpoints must share an origin unless the app pins them; nothing about the issuer is asked
/// before the redirect. Refused before a launch record exists, with or without an `issuer`.
#[test]
fn the_mix_up_rule_needs_one_origin_or_the_apps_pins() {
    let (_, store, platform, opts) = driver_setup();
    let smart = format!("{FHIR}/.well-known/smart-configuration");
    // An honest server: one request (its smart-configuration), whatever its issuer publishes.
    let http = FakeHttp::default().with(&smart, 200, &smart_config());
    let url = block_on(begin_launch(&http, &store, &platform, &NoIdentity, &opts, PAGE)).unwrap();
    assert!(url.starts_with("https://auth.example.org/authorize?"));
    assert_eq!(http.sent.borrow().len(), 1, "no issuer metadata on the launch path");
    // A hostile configured server: the honest authorization endpoint beside its own token endpoint.
    let hostile = smart_config().replace("https://auth.example.org/token", "https://evil.example.org/token");
    let without_issuer = hostile.replace(r#""issuer":"https://auth.example.org","#, "");
    for doc in [&hostile, &without_issuer] {
        let store = FakeStore::default();
        let http = FakeHttp::default().with(&smart, 200, doc);
        let err = block_on(begin_launch(&http, &store, &platform, &NoIdentity, &opts, PAGE)).unwrap_err();
        assert_eq!(err.code(), "endpoint_mismatch");
        assert!(err.message().contains("token_endpoint"), "{}", err.message());
        assert!(store.0.borrow().keys().all(|k| !k.starts_with(LAUNCH_PREFIX)), "no launch started");
    }
    // Another port is another origin.
    let other_port = smart_config().replace("https://auth.example.org/token", "https://auth.example.org:8443/token");
    let http = FakeHttp::default().with(&smart, 200, &other_port);
    assert_eq!(block_on(begin_launch(&http, &store, &platform, &NoIdentity, &opts, PAGE)).unwrap_err().code(), "endpoint_mismatch");
    // Pins: an app that knows a server's endpoints names them; then they may be on two origins, and
    // a document naming others is refused.
    let split = smart_config().replace("https://auth.example.org/token", "https://token.example.org/token");
    let pinned = |auth: &str, token: &str| {
        options(&format!(r#"{{"iss":"{FHIR}","clientId":"app","scope":"openid","authorizationEndpoint":"{auth}","tokenEndpoint":"{token}"}}"#))
    };
    let http = FakeHttp::default().with(&smart, 200, &split);
    let ok = pinned("https://auth.example.org/authorize", "https://token.example.org/token");
    assert!(block_on(begin_launch(&http, &store, &platform, &NoIdentity, &ok, PAGE)).is_ok());
    let wrong = pinned("https://auth.example.org/authorize", "https://auth.example.org/token");
    let err = block_on(begin_launch(&http, &store, &platform, &NoIdentity, &wrong, PAGE)).unwrap_err();
    assert_eq!(err, Error::EndpointMismatch { field: "token_endpoint", reason: "is not the endpoint the app pinned for this server" });
    let http = FakeHttp::default().with(&smart, 200, &smart_config());
    let err = block_on(begin_launch(&http, &store, &platform, &NoIdentity, &pinned("https://auth.example.org/other", "https://auth.example.org/token"), PAGE)).unwrap_err();
    assert!(matches!(err, Error::EndpointMismatch { field: "authorization_endpoint", .. }));
    // A pin belongs to one server entry.
    let doc = options_doc(&format!(r#"{{"servers":[{{"iss":"{FHIR}"}}],"clientId":"app","scope":"s","tokenEndpoint":"https://auth.example.org/token"}}"#));
    assert_eq!(parse_options(&doc, PAGE).unwrap_err().code(), "invalid_option");
    let bad_pin = options_doc(&format!(r#"{{"iss":"{FHIR}","clientId":"app","scope":"s","tokenEndpoint":"http://evil.example.org/token"}}"#));
    assert_eq!(parse_options(&bad_pin, PAGE).unwrap_err().code(), "insecure_url");
}

/// Where the keys of an id_token are looked for when the smart-configuration names no `jwks_uri`.
#[test]
fn issuer_metadata_is_looked_for_at_the_issuer_by_rfc_8414_and_under_the_fhir_base() {
    use smart_wasm::core::discovery::{issuer_metadata_requests, parse_issuer_metadata};
    use smart_wasm::core::types::Issuer;
    let b = base();
    let urls = |i: Option<&str>| issuer_metadata_requests(i.map(Issuer::new).as_ref(), &b).into_iter().map(|r| r.url).collect::<Vec<_>>();
    assert_eq!(urls(Some("https://login.example.org/tenant/1")), [
        "https://login.example.org/tenant/1/.well-known/openid-configuration",
        "https://login.example.org/.well-known/oauth-authorization-server/tenant/1",
        "https://ehr.example.org/fhir/R4/.well-known/openid-configuration",
    ]);
    assert_eq!(urls(None), ["https://ehr.example.org/fhir/R4/.well-known/openid-configuration"]);
    assert_eq!(urls(Some("http://evil.example.org")), ["https://ehr.example.org/fhir/R4/.well-known/openid-configuration"], "an insecure issuer is not asked");
    assert_eq!(urls(Some(FHIR)), ["https://ehr.example.org/fhir/R4/.well-known/openid-configuration", "https://ehr.example.org/.well-known/oauth-authorization-server/fhir/R4"], "issuer = FHIR base: asked once");
    let m = parse_issuer_metadata(200, &j(&issuer_metadata())).unwrap();
    assert_eq!((m.issuer.as_deref(), m.jwks_uri.as_str()), (Some("https://auth.example.org"), "https://auth.example.org/jwks"));
    assert_eq!(parse_issuer_metadata(404, &j(&issuer_metadata())), None);
    assert_eq!(parse_issuer_metadata(200, &j(r#"{"issuer":"x"}"#)), None, "no jwks_uri: nothing to use");
    assert_eq!(parse_issuer_metadata(200, &j(r#"{"jwks_uri":"http://evil.example.org/k"}"#)), None);
}
