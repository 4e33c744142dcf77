//! Encodings the protocol needs: base64url (RFC 4648 §5, the `base64` crate),
//! `application/x-www-form-urlencoded` bodies (`form_urlencoded`, from `url`), and HTTP Basic
//! client authentication (RFC 6749 §2.3.1, RFC 7617).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

/// Unpadded base64url.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded base64url; `None` when it is not.
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).ok()
}

/// Builds an `application/x-www-form-urlencoded` body from name/value pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// One value form-urlencoded (`application/x-www-form-urlencoded` byte serializer).
pub fn form_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `Authorization: Basic base64(urlencode(client_id) ":" urlencode(client_secret))`.
/// RFC 6749 §2.3.1 requires the form-urlencoding before base64; seed 004 shows the effect on a `/`.
pub fn basic_auth(id: &str, secret: &str) -> String {
    let pair = [&form_encode(id), ":", &form_encode(secret)].concat();
    ["Basic ", &STANDARD.encode(pair)].concat()
}

/// HTTP Basic credentials as RFC 7617 defines them for any server: `base64(id ":" secret)`, with
/// no form-encoding (that is OAuth's addition, [`basic_auth`]). For FHIR servers that take client
/// credentials directly (seed 002).
pub fn basic_credentials(id: &str, secret: &str) -> String {
    STANDARD.encode([id, ":", secret].concat())
}
