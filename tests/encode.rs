//! base64url, form bodies and Basic client authentication against RFC 4648's and seed 004's vectors.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use smart_wasm::core::encode::{b64url, b64url_decode, basic_auth, form};

#[test]
fn base64url_is_unpadded_and_round_trips() {
    // RFC 4648 §10 test vectors, base64url without padding.
    for (raw, enc) in [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")] {
        assert_eq!(b64url(raw.as_bytes()), enc);
        assert_eq!(b64url_decode(enc).unwrap(), raw.as_bytes());
    }
    assert_eq!(b64url(&[0xfb, 0xff]), "-_8", "the URL-safe alphabet");
    assert_eq!(b64url_decode("a+b="), None);
}

#[test]
fn basic_auth_matches_seed_004() {
    let h = basic_auth("d45049c3-3441-40ef-ab4d-b9cd86a17225", "this-is-the-secret-2/7");
    assert_eq!(h, "Basic ZDQ1MDQ5YzMtMzQ0MS00MGVmLWFiNGQtYjljZDg2YTE3MjI1OnRoaXMtaXMtdGhlLXNlY3JldC0yJTJGNw==");
    for (id, secret) in [("a", "b"), ("id:with:colons", "p@ss w+rd/&="), ("ünï", "ç")] {
        let got = basic_auth(id, secret);
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        assert_eq!(got, format!("Basic {}", STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))));
    }
}

#[test]
fn form_bodies_match_seed_004() {
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", "yfNg-rSc1t5O2p6jVAZLyY00uOOte5KM1y3YUxqsJQnBKEMNsYqOPTyVqcCH3YXaPkLztO9Rvf7bhLqQTwALHcHN6raxpTbR1eVgV2QyLA_4K0HrJO92et3qRXiXPkj7"),
        ("redirect_uri", "https://fhir.epic.com/test/smart"),
        ("client_id", "d45049c3-3441-40ef-ab4d-b9cd86a17225"),
    ]);
    assert_eq!(body, "grant_type=authorization_code&code=yfNg-rSc1t5O2p6jVAZLyY00uOOte5KM1y3YUxqsJQnBKEMNsYqOPTyVqcCH3YXaPkLztO9Rvf7bhLqQTwALHcHN6raxpTbR1eVgV2QyLA_4K0HrJO92et3qRXiXPkj7&redirect_uri=https%3A%2F%2Ffhir.epic.com%2Ftest%2Fsmart&client_id=d45049c3-3441-40ef-ab4d-b9cd86a17225");
}
