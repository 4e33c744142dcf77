//! OpenID Connect `id_token` validation (OIDC Core §3.1.3.7), sans-IO: the compact JWS is split
//! and decoded here, its algorithm checked against the few this client accepts, the verifying key
//! chosen from the issuer's JWKS, and the claims checked. The signature itself is checked by the
//! platform (WebCrypto in the browser) with the key chosen here.
//!
//! Accepted algorithms: RS256 (the OIDC default), RS384 and ES384 (SMART's asymmetric ones).
//! `none`, HMAC (`HS*`, which would let anyone holding the client id forge) and any other are
//! refused before a key is looked at.

use serde::Deserialize;

use super::doc::{Body, Field, Lenient};
use super::error::{Error, Result};
use super::http::HttpRequest;
use super::types::HttpUrl;

/// Clock skew allowed on `exp` and `iat` (seconds).
pub const CLOCK_SKEW: u64 = 60;
/// Largest JWKS accepted.
pub const JWKS_LIMIT: usize = 256 * 1024;

fn bad(reason: &'static str) -> Error {
    Error::InvalidIdToken { reason }
}

/// A compact JWS, split and decoded; not yet verified.
#[derive(Debug)]
pub struct Jws<'t, B> {
    /// `RS256`, `RS384` or `ES384`.
    pub alg: &'static str,
    /// The header's `kid`, if any.
    pub kid: Option<String>,
    /// The payload, parsed (a JSON object).
    pub claims: B,
    /// Length of the signing input (`header.payload`) at the start of the token.
    pub signed_len: usize,
    /// The signature, base64url (the platform decodes it for its check).
    pub signature: &'t str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HeaderDoc {
    alg: Field<String>,
    kid: Field<String>,
    crit: Field<Vec<String>>,
}

fn json<B: Body>(part: &str, what: &'static str) -> Result<B> {
    B::parse_b64url(part).ok_or(bad(what))
}

/// Splits and decodes a compact JWS (RFC 7515 §7.1) and checks its algorithm.
pub fn parse_jws<B: Body>(token: &str) -> Result<Jws<'_, B>> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(bad("is not a compact JWS (three base64url parts)"));
    };
    let header: HeaderDoc = json::<B>(h, "header is not base64url JSON")?.decode().ok_or(bad("header is not a JSON object"))?;
    let alg = match header.alg.value().as_deref() {
        Some("RS256") => "RS256",
        Some("RS384") => "RS384",
        Some("ES384") => "ES384",
        _ => return Err(bad("alg must be RS256, RS384 or ES384 (none and HMAC are never accepted)")),
    };
    if !matches!(header.crit, Field::Absent) {
        return Err(bad("header has crit extensions this client does not understand"));
    }
    let claims: B = json(p, "payload is not base64url JSON")?;
    if claims.decode::<ClaimsDoc>().is_none() {
        return Err(bad("payload is not a JSON object"));
    }
    if !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') || s.len() % 4 == 1 {
        return Err(bad("signature is not base64url"));
    }
    Ok(Jws { alg, kid: header.kid.value(), claims, signed_len: h.len() + 1 + p.len(), signature: s })
}

/// `aud`: one string or an array of strings.
#[derive(Debug, Default)]
pub struct Audience(Vec<String>);

impl Lenient for Audience {
    fn from_string(s: String) -> Option<Self> {
        Some(Audience(vec![s]))
    }
    fn from_seq<'de, A: serde::de::SeqAccess<'de>>(seq: A) -> core::result::Result<Option<Self>, A::Error> {
        Ok(Vec::<String>::from_seq(seq)?.map(Audience))
    }
}

/// The claims this client checks (others are kept for the app, unread).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ClaimsDoc {
    iss: Field<String>,
    /// `sub`: the user.
    pub sub: Field<String>,
    aud: Field<Audience>,
    azp: Field<String>,
    exp: Field<u64>,
    iat: Field<u64>,
    nonce: Field<String>,
}

/// What the claims must say.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The authorization server's issuer (confirmed by its own metadata).
    pub issuer: &'a str,
    /// This client.
    pub client_id: &'a str,
    /// The `nonce` sent on the authorization request (none for a refresh's id_token).
    pub nonce: Option<&'a str>,
    /// The user of the session, for a refresh's id_token (OIDC Core §12.2: same `sub`).
    pub sub: Option<&'a str>,
    /// Seconds since the epoch.
    pub now: u64,
}

/// Checks the claims of a signature-verified id_token; returns its `sub`.
pub fn check_claims(claims: &impl Body, e: &Expected<'_>) -> Result<String> {
    let c: ClaimsDoc = claims.decode().ok_or(bad("payload is not a JSON object"))?;
    if c.iss.value().as_deref() != Some(e.issuer) {
        return Err(bad("iss is not the authorization server's issuer"));
    }
    let aud = c.aud.value().ok_or(bad("aud must be a string or an array of strings"))?.0;
    if !aud.iter().any(|a| a == e.client_id) {
        return Err(bad("aud does not name this client"));
    }
    match c.azp.value() {
        Some(azp) if azp != e.client_id => return Err(bad("azp names another client")),
        None if aud.len() > 1 => return Err(bad("azp is required when aud names several audiences")),
        _ => {}
    }
    let exp = c.exp.value().ok_or(bad("exp must be a number of seconds"))?;
    if exp.saturating_add(CLOCK_SKEW) <= e.now {
        return Err(bad("has expired (exp)"));
    }
    let iat = c.iat.value().ok_or(bad("iat must be a number of seconds"))?;
    if iat > e.now.saturating_add(CLOCK_SKEW) {
        return Err(bad("was issued in the future (iat)"));
    }
    if let Some(n) = e.nonce {
        if c.nonce.value().as_deref() != Some(n) {
            return Err(bad("nonce is not the one sent on the authorization request"));
        }
    }
    let sub = c.sub.value().filter(|s| !s.is_empty()).ok_or(bad("sub is missing"))?;
    if e.sub.is_some_and(|s| s != sub) {
        return Err(bad("sub differs from the user the session was authorized for"));
    }
    Ok(sub)
}

/// The GET request for the issuer's key set.
pub fn jwks_request(uri: &HttpUrl) -> HttpRequest {
    HttpRequest::get(uri.as_str().to_owned()).header("Accept", "application/json").expect("jwks", JWKS_LIMIT)
}

#[derive(Deserialize)]
struct KeySet<B> {
    keys: Vec<B>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct KeyDoc {
    kty: Field<String>,
    crv: Field<String>,
    kid: Field<String>,
    #[serde(rename = "use")]
    use_: Field<String>,
    alg: Field<String>,
}

/// The key of `jwks` (status and body of [`jwks_request`]) that verifies a JWS with `alg` and
/// `kid`: same key type (and curve), for signing, for this `alg` when the key names one, with that
/// `kid` (or, for a JWS without `kid`, the only such key). `None` when no key matches: the JWKS
/// may be older than the token (key rotation), and is fetched once more.
pub fn select_key<B: Body + serde::de::DeserializeOwned>(status: u16, jwks: &B, alg: &str, kid: Option<&str>) -> Result<Option<B>> {
    if !(200..300).contains(&status) {
        return Err(Error::HttpStatus { what: "jwks", status });
    }
    let set: KeySet<B> = jwks.decode().ok_or(Error::InvalidJson { what: "jwks" })?;
    let mut found = set.keys.into_iter().filter(|k| {
        let d: KeyDoc = k.decode().unwrap_or_default();
        let kty_ok = match alg {
            "ES384" => d.kty.value().as_deref() == Some("EC") && d.crv.value().as_deref() == Some("P-384"),
            _ => d.kty.value().as_deref() == Some("RSA"),
        };
        kty_ok
            && d.use_.value().is_none_or(|u| u == "sig")
            && d.alg.value().is_none_or(|a| a == alg)
            && kid.is_none_or(|want| d.kid.value().as_deref() == Some(want))
    });
    let first = found.next();
    // Without a kid the key must be unambiguous.
    if kid.is_none() && found.next().is_some() {
        return Err(bad("has no kid and the issuer publishes several keys for its alg"));
    }
    Ok(first)
}
