//! The strict JSON module against serde_json as oracle.

mod support;

use smart_wasm::core::json::{parse, u64_text, Json, Obj, MAX_DEPTH};

/// Our value as a serde_json value (numbers through serde_json's own reading of the text).
fn to_serde(v: &Json) -> serde_json::Value {
    match v {
        Json::Null => serde_json::Value::Null,
        Json::Bool(b) => serde_json::Value::Bool(*b),
        Json::Num(n) => serde_json::from_str(n).unwrap(),
        Json::Str(s) => serde_json::Value::String(s.clone()),
        Json::Arr(a) => serde_json::Value::Array(a.iter().map(to_serde).collect()),
        Json::Obj(o) => serde_json::Value::Object(o.iter().map(|(k, v)| (k.to_owned(), to_serde(v))).collect()),
    }
}

const VALID: &[&str] = &[
    r#"{"access_token":"Nxfve4q3H9TKs5F5vf6kRYAZqzK7j9LHvrg1Bw7fU_07_FdV9aRzLCI1GxOn20LuO2Ahl5RkRnz-p8u1MeYWqA85T8s4Ce3LcgQqIwsTkI7wezBsMduPw_xkVtLzLU2O","token_type":"bearer","expires_in":3240,"scope":"Patient.read Patient.search ","patient":"T1wI5bk8n1YVgvWk9D05BmRV0Pi3ECImNSK8DKyKltsMB"}"#,
    "  {\n\t\"a\" : [1, -2, 3.5, 4e10, -0.0, 1E-3, true, false, null, {}, []] }\r\n",
    r#""esc \" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u20ac \ud83d\ude00""#,
    r#"[[[[[[[[[[]]]]]]]]]]"#,
    "0",
    "-12345678901234567890123",
    r#"{"unicode":"ünïcödé 中文 😀"}"#,
    r#"{"fhirContext":[{"reference":"Patient/1"},{"canonical":"http://x/y|1.0","type":"Questionnaire"}]}"#,
];

#[test]
fn valid_documents_parse_like_serde_json() {
    for doc in VALID {
        let ours = parse(doc).unwrap_or_else(|_| panic!("we reject {doc}"));
        let oracle: serde_json::Value = serde_json::from_str(doc).unwrap();
        assert_eq!(to_serde(&ours), oracle, "{doc}");
        // Writing and reading back gives the same value.
        assert_eq!(parse(&ours.to_text()).unwrap(), ours, "{doc}");
    }
}

#[test]
fn invalid_documents_are_refused_like_serde_json() {
    for doc in [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "'x'", "01", "-", "1.", ".5", "1e", "+1", "NaN",
        "Infinity", "tru", "nul", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\uZZZZ\"", "\"raw \n newline\"",
        "\"\\ud800\"", "\"\\ud800\\u0041\"", "\"\\udc00\"", "{} {}", "[1] x", "{\"a\":1}}",
    ] {
        assert!(parse(doc).is_err(), "we accept {doc:?}");
        assert!(serde_json::from_str::<serde_json::Value>(doc).is_err(), "oracle accepts {doc:?}");
    }
}

#[test]
fn duplicate_keys_are_refused() {
    // serde_json keeps the last; a token response with two access_tokens is forged, so we refuse.
    assert!(parse(r#"{"access_token":"a","access_token":"b"}"#).is_err());
    assert!(parse(r#"{"a":{"x":1,"x":2}}"#).is_err());
}

#[test]
fn nesting_is_bounded() {
    let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
    assert!(parse(&ok).is_ok());
    let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
    assert!(parse(&deep).is_err());
    // A hostile depth neither overflows the stack nor panics.
    let hostile = "[".repeat(1_000_000);
    assert!(parse(&hostile).is_err());
}

#[test]
fn integers_are_read_exactly() {
    assert_eq!(parse("3240").unwrap().as_u64(), Some(3240));
    assert_eq!(parse("18446744073709551615").unwrap().as_u64(), Some(u64::MAX));
    assert_eq!(parse("18446744073709551616").unwrap().as_u64(), None);
    assert_eq!(parse("-1").unwrap().as_u64(), None);
    assert_eq!(parse("1.0").unwrap().as_u64(), None);
    assert_eq!(parse("1e3").unwrap().as_u64(), None);
    assert_eq!(parse("\"3600\"").unwrap().as_u64(), None);
    for n in [0u64, 7, 10, 99, 3240, u64::MAX] {
        assert_eq!(u64_text(n), n.to_string());
    }
}

#[test]
fn objects_keep_member_order_and_replace_in_place() {
    let mut o = Obj::new().with("z", 1u64).with("a", "x").with("m", true);
    o.insert("a", Json::Null);
    assert_eq!(o.to_text(), r#"{"z":1,"a":null,"m":true}"#);
    let written = Obj::new().with("s", "quote \" backslash \\ newline \n control \u{1} é").to_text();
    let oracle: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(oracle["s"], "quote \" backslash \\ newline \n control \u{1} é");
}

#[test]
fn mutated_documents_never_panic_and_never_accept_what_serde_json_refuses() {
    let alphabet = b"{}[]\",:\\u0123456789abcdefenulltrue -+.eE \t\n";
    for s in support::mutations(VALID, alphabet, 20_000, 3) {
        let Ok(doc) = String::from_utf8(s) else { continue };
        if let Ok(ours) = parse(&doc) {
            match serde_json::from_str::<serde_json::Value>(&doc) {
                Ok(oracle) => assert_eq!(to_serde(&ours), oracle, "{doc:?}"),
                // RFC 8259 §6 allows numbers beyond f64; we keep their text, serde_json refuses.
                Err(e) if e.to_string().starts_with("number out of range") => {}
                Err(e) => panic!("we accept {doc:?}, oracle refuses: {e}"),
            }
        }
    }
}
