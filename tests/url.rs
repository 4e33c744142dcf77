//! The strict URL module against the `url` crate (a WHATWG URL implementation) as oracle: every
//! URL we accept serializes exactly as WHATWG does; ambiguous inputs are refused.

mod support;

use smart_wasm::core::url::{form_encode, parse_form, Host, Url};

fn oracle(s: &str) -> String {
    url::Url::parse(s).unwrap_or_else(|e| panic!("oracle rejects {s}: {e}")).to_string()
}

const ACCEPTED: &[&str] = &[
    "https://fhir.epic.com/interconnect-fhir-oauth/api/FHIR/R4",
    "https://fhir.epic.com/interconnect-fhir-oauth/api/FHIR/R4/",
    "HTTPS://FHIR.Example.ORG/R4",
    "https://example.org",
    "https://example.org:443/x",
    "http://127.0.0.1:9001/4_0_0",
    "http://127.0.0.1:80/",
    "http://localhost:8080/index.html?code=abc&state=x-y_z~&iss=http%3A%2F%2F127.0.0.1%3A9000#frag",
    "https://example.org/a/./b/../c/%2e/d/%2E%2e/e",
    "https://example.org/a/b/..",
    "https://example.org/a/b/.",
    "https://example.org/../../x",
    "https://example.org/p?q=1&r=a+b%20c",
    "https://example.org/p?",
    "https://example.org/p#",
    "https://example.org:/p",
    "https://[::1]:8443/fhir",
    "http://[0:0:0:0:0:0:0:1]/",
    "https://[2001:DB8:0:0:1:0:0:1]/",
    "https://[2001:db8::ff00:42:8329]/x",
    "https://[1:0:0:2:0:0:0:3]/",
    "https://sub_domain.example-1.org/R4",
    "https://example.org/p;a=b/c@d:e!$&'()*+,",
    "https://example.org/%7Euser/",
    "https://10.0.0.1/",
    "https://255.255.255.255/",
    "https://example.org./x",
];

#[test]
fn accepted_urls_serialize_as_whatwg_does() {
    for s in ACCEPTED {
        let ours = Url::parse(s).unwrap_or_else(|| panic!("we reject {s}"));
        assert_eq!(ours.href(), oracle(s), "input {s}");
        // Idempotent: the serialization parses to itself.
        assert_eq!(Url::parse(&ours.href()).unwrap().href(), ours.href());
    }
}

#[test]
fn ambiguous_or_unsupported_urls_are_refused() {
    for s in [
        "",
        "fhir.example.org/R4",
        "/relative/path",
        "ftp://example.org/",
        "javascript:alert(1)",
        "https:example.org",
        "https:/example.org",
        "https://user:pass@example.org/",
        "https://@example.org/",
        "https://example.org\\@evil.com/",
        "https://exa mple.org/",
        "https://exämple.org/",
        "https://xn--exmple-cua.org/ok-but-%zz",
        "https://example.org/a b",
        "https://example.org/<script>",
        "https://example.org/p?q=\"x\"",
        "https://example.org/p?q='x'",
        "https://127.1/",
        "https://0x7f.0.0.1/",
        "https://0177.0.0.1/",
        "https://256.0.0.1/",
        "https://1.2.3.4.5/",
        "https://[::1/",
        "https://[1:2:3:4:5:6:7:8:9]/",
        "https://[1::2::3]/",
        "https://[g::1]/",
        "https://example.org:65536/",
        "https://example.org:-1/",
        "https://example.org:8o/",
        "https://%65xample.org/",
        "https://example.org/%",
        "https://example.org/%4",
        "https://",
        "https:///path",
    ] {
        assert_eq!(Url::parse(s), None, "should refuse {s:?}");
    }
}

#[test]
fn hosts_are_classified() {
    assert_eq!(Url::parse("http://127.0.0.1/").unwrap().host(), &Host::V4([127, 0, 0, 1]));
    assert_eq!(Url::parse("http://[::1]/").unwrap().host(), &Host::V6([0, 0, 0, 0, 0, 0, 0, 1]));
    assert_eq!(Url::parse("http://LocalHost/").unwrap().host(), &Host::Domain("localhost".into()));
    for (s, loop_) in [
        ("http://localhost:3000/", true),
        ("http://127.0.0.1/", true),
        ("http://127.9.9.9/", true),
        ("http://[::1]/", true),
        ("http://128.0.0.1/", false),
        ("http://localhost.evil.com/", false),
        ("http://[::2]/", false),
    ] {
        assert_eq!(Url::parse(s).unwrap().is_loopback(), loop_, "{s}");
    }
}

#[test]
fn references_resolve_as_whatwg_does() {
    let bases = ["https://ehr.example.org/fhir/R4/", "https://ehr.example.org/fhir/R4", "http://127.0.0.1:9001/4_0_0/?x=1#f"];
    let refs = [
        "Patient/123",
        "./Patient/123",
        "../R5/metadata",
        "../../../../x",
        "/oauth2/token",
        "//auth.example.org/authorize",
        "https://other.example.org/token",
        "?page=2",
        "#top",
        "",
        "Patient?name=a+b&_count=10",
        ".well-known/smart-configuration",
        "a/%2e%2e/b",
    ];
    for b in bases {
        let ours_base = Url::parse(b).unwrap();
        let oracle_base = url::Url::parse(b).unwrap();
        for r in refs {
            let ours = ours_base.join(r).unwrap_or_else(|| panic!("join {b} + {r}"));
            assert_eq!(ours.href(), oracle_base.join(r).unwrap().to_string(), "join {b} + {r}");
        }
    }
    let base = Url::parse("https://e.org/a/").unwrap();
    assert_eq!(base.join("https://user@evil.org/"), None);
    assert_eq!(base.join("b\\c"), None);
    assert_eq!(base.join("b c"), None);
}

#[test]
fn form_encoding_matches_the_whatwg_serializer() {
    for s in ["this-is-the-secret-2/7", "a b+c&d=e", "ünïcödé", "*-._~!'()", "%41", "", "demo-secret/2:7 &+"] {
        let oracle: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
        assert_eq!(form_encode(s), oracle, "{s}");
    }
}

#[test]
fn query_pairs_decode_as_whatwg_does() {
    for q in ["a=1&b=2", "code=x%2By&state=a+b", "k", "k=", "=v", "a=1&&b=2", "x=%zz&y=%41", "u=%C3%BC", "bad=%FF"] {
        let ours = parse_form(q);
        let oracle: Vec<(String, String)> =
            url::form_urlencoded::parse(q.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        assert_eq!(ours, oracle, "{q}");
    }
}

#[test]
fn appended_query_pairs_round_trip() {
    let mut u = Url::parse("https://as.example.org/authorize?existing=1").unwrap();
    u.append_query_pairs(&[("redirect_uri", "https://app.example.org/cb?x=1"), ("scope", "launch/patient openid")]);
    let href = u.href();
    assert_eq!(href, "https://as.example.org/authorize?existing=1&redirect_uri=https%3A%2F%2Fapp.example.org%2Fcb%3Fx%3D1&scope=launch%2Fpatient+openid");
    let back = Url::parse(&href).unwrap().query_pairs();
    assert_eq!(back[1], ("redirect_uri".into(), "https://app.example.org/cb?x=1".into()));
    assert_eq!(back[2], ("scope".into(), "launch/patient openid".into()));
}

/// Deterministic fuzzing: random mutations of valid URLs never panic, and whatever we accept the
/// oracle accepts with the same serialization.
#[test]
fn mutated_urls_never_panic_and_agree_with_the_oracle() {
    let alphabet = b"/:?#@[]%.-_~+&=!$'()*,;abcXYZ019 \\\t\x7f";
    for s in support::mutations(ACCEPTED, alphabet, 20_000, 4) {
        let s = String::from_utf8_lossy(&s).into_owned();
        if let Some(ours) = Url::parse(&s) {
            let oracle = url::Url::parse(&s).unwrap_or_else(|e| panic!("we accept {s:?}, oracle rejects: {e}"));
            assert_eq!(ours.href(), oracle.to_string(), "input {s:?}");
        }
    }
}
