//! base64 and Basic-auth encodings against the base64 crate and seed 004's vector.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use smart_wasm::core::encode::{b64url, basic_auth, form};
use smart_wasm::core::types::{ClientId, ClientSecret};

#[test]
fn base64url_matches_the_base64_crate_for_every_length() {
    let data: Vec<u8> = (0..=255u8).rev().chain(0..=255u8).collect();
    for len in 0..70 {
        for start in [0usize, 1, 100, 300] {
            let slice = &data[start..start + len];
            assert_eq!(b64url(slice), URL_SAFE_NO_PAD.encode(slice), "len {len} start {start}");
        }
    }
}

#[test]
fn basic_auth_matches_seed_004() {
    let h = basic_auth(&ClientId::new("d45049c3-3441-40ef-ab4d-b9cd86a17225"), &ClientSecret::new("this-is-the-secret-2/7"));
    assert_eq!(h, "Basic ZDQ1MDQ5YzMtMzQ0MS00MGVmLWFiNGQtYjljZDg2YTE3MjI1OnRoaXMtaXMtdGhlLXNlY3JldC0yJTJGNw==");
    for (id, secret) in [("a", "b"), ("id:with:colons", "p@ss w+rd/&="), ("ünï", "ç")] {
        let got = basic_auth(&ClientId::new(id), &ClientSecret::new(secret));
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
