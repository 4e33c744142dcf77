//! Encodings the protocol needs: base64url (RFC 4648 §5), `application/x-www-form-urlencoded`
//! bodies and HTTP Basic client authentication (RFC 6749 §2.3.1), and bounded JSON object parsing.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{Map, Value};

use super::error::{Error, Result, What};
use super::types::{ClientId, ClientSecret};

/// Unpadded base64url.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Builds an `application/x-www-form-urlencoded` body from name/value pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// `Authorization: Basic base64(urlencode(client_id) ":" urlencode(client_secret))`.
/// RFC 6749 §2.3.1 requires the form-urlencoding before base64; seed 004 shows the effect on a `/`.
pub fn basic_auth(id: &ClientId, secret: &ClientSecret) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!("Basic {}", STANDARD.encode(format!("{}:{}", enc(id.as_str()), enc(secret.secret()))))
}

/// Parses a response body that must be one JSON object, refusing bodies over `limit` bytes before
/// parsing them.
pub fn json_object(what: What, body: &str, limit: usize) -> Result<Map<String, Value>> {
    if body.len() > limit {
        return Err(Error::ResponseTooLarge { what, limit });
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Error::InvalidJson { what }),
    }
}

/// Reads an optional string member; present with another type is an error made by `bad`.
pub fn opt_str<'a>(
    m: &'a Map<String, Value>,
    key: &str,
    bad: impl FnOnce() -> Error,
) -> Result<Option<&'a str>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad()),
    }
}
