//! OpenID Connect `id_token` validation (OIDC Core §3.1.3.7), sans-IO: the compact JWS is split
//! and decoded here, its algorithm checked, the candidate keys chosen from the issuer's JWKS, and
//! the claims checked. The signature itself is checked by the platform (WebCrypto in the browser).
//!
//! Algorithms: every asymmetric JWS algorithm WebCrypto verifies (RS/PS/ES 256/384/512 and EdDSA
//! with Ed25519, RFC 7518 §3, RFC 8037). `none` and HMAC (`HS*`, which anyone holding a public
//! client's id could forge) are refused outright. An algorithm the server does not list in its
//! `id_token_signing_alg_values_supported` (when it publishes one) is refused; any other algorithm
//! cannot be checked here, and the token is then trusted as the token endpoint's answer over TLS
//! (§3.1.3.7 step 6), like a token whose keys cannot be fetched.

use serde::{Deserialize, Serialize};

use super::doc::{Body, Field, Lenient};
use super::error::{Error, Result};
use super::http::HttpRequest;
use super::types::HttpUrl;

/// Clock skew allowed on `exp` and `iat` (seconds).
pub const CLOCK_SKEW: u64 = 60;
/// Largest JWKS accepted.
pub const JWKS_LIMIT: usize = 256 * 1024;
/// Keys of one type tried at most for one token (a JWS without `kid` is tried against each).
pub const MAX_CANDIDATE_KEYS: usize = 8;
/// The reason a refreshed id_token ends the session: it names another user (OIDC Core §12.2).
pub const SUB_CHANGED: &str = "sub differs from the user the session was authorized for";
/// The reason an `iss` is refused: none of the issuer strings the server declared.
pub const ISS_MISMATCH: &str = "iss is not the authorization server's issuer";

fn bad(reason: &'static str) -> Error {
    Error::InvalidIdToken { reason }
}

/// How an id_token's origin was established (OIDC Core §3.1.3.7 steps 6–8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verification {
    /// Its signature verified with a key the server publishes.
    #[serde(rename = "signature")]
    Signature,
    /// Its keys could not be had (or its algorithm cannot be checked in this browser): trusted as
    /// the answer of the token endpoint, received over TLS from the server the app chose (step 6).
    #[serde(rename = "tls")]
    Tls,
}

/// A compact JWS, split and decoded; not yet verified.
#[derive(Debug)]
pub struct Jws<'t, B> {
    /// The header's `alg` (never `none` or HMAC).
    pub alg: String,
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

/// Splits and decodes a compact JWS (RFC 7515 §7.1); refuses `none` and HMAC.
pub fn parse_jws<B: Body>(token: &str) -> Result<Jws<'_, B>> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(bad("is not a compact JWS (three base64url parts)"));
    };
    let header: HeaderDoc = json::<B>(h, "header is not base64url JSON")?.decode().ok_or(bad("header is not a JSON object"))?;
    let alg = need(header.alg, "alg is missing", "alg must be a string")?;
    if alg == "none" || alg.starts_with("HS") {
        return Err(bad("alg none and HMAC (HS256, …) are never accepted"));
    }
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

/// The JWK key type and curve of an algorithm's keys; `None` for an algorithm WebCrypto does not
/// verify. (`Ed25519` is RFC 9864's fully-specified name of EdDSA with that curve.)
pub fn key_type(alg: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match alg {
        "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => ("RSA", None),
        "ES256" => ("EC", Some("P-256")),
        "ES384" => ("EC", Some("P-384")),
        "ES512" => ("EC", Some("P-521")),
        "EdDSA" | "Ed25519" => ("OKP", Some("Ed25519")),
        _ => return None,
    })
}

/// Whether a token's algorithm can be verified here (`Ok(false)`: it cannot, the token is then
/// trusted over TLS); an algorithm the server does not list among those it signs id_tokens with
/// (when it publishes the list) is refused.
pub fn check_alg(alg: &str, published: &[String]) -> Result<bool> {
    if !published.is_empty() && !published.iter().any(|a| a == alg) {
        return Err(bad("alg is not one the server lists in id_token_signing_alg_values_supported"));
    }
    Ok(key_type(alg).is_some())
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
    /// The issuer strings the server declared about itself (its smart-configuration's `issuer`, its
    /// own metadata's `issuer`); `iss` must be one of them. Empty when it declares none: `iss` must
    /// then only be present.
    pub issuers: &'a [String],
    /// This client.
    pub client_id: &'a str,
    /// The `nonce` sent on the authorization request (none for a refresh's id_token).
    pub nonce: Option<&'a str>,
    /// The user of the session, for a refresh's id_token (OIDC Core §12.2: same `sub`).
    pub sub: Option<&'a str>,
    /// Seconds since the epoch.
    pub now: u64,
}

/// A claim's value, or the reason it is absent or of the wrong type.
fn need<T>(f: Field<T>, absent: &'static str, wrong: &'static str) -> Result<T> {
    match f {
        Field::Value(v) => Ok(v),
        Field::Absent => Err(bad(absent)),
        Field::Wrong => Err(bad(wrong)),
    }
}

/// Issuer identifiers compared as strings, one trailing slash aside (`https://as.example/` and
/// `https://as.example` name the same issuer on every real server; nothing else is normalised).
pub fn same_issuer(a: &str, b: &str) -> bool {
    a.strip_suffix('/').unwrap_or(a) == b.strip_suffix('/').unwrap_or(b)
}

/// Checks the claims of an id_token whose origin is established; returns its `sub`. For a
/// refresh's token (`sub` expected) the user is checked first: another user is [`SUB_CHANGED`].
pub fn check_claims(claims: &impl Body, e: &Expected<'_>) -> Result<String> {
    let c: ClaimsDoc = claims.decode().ok_or(bad("payload is not a JSON object"))?;
    let sub = need(c.sub, "sub is missing", "sub must be a string").and_then(|s| if s.is_empty() { Err(bad("sub is missing")) } else { Ok(s) });
    if let (Some(want), Ok(got)) = (e.sub, &sub) {
        if want != got {
            return Err(bad(SUB_CHANGED));
        }
    }
    let iss = need(c.iss, "iss is missing", "iss must be a string")?;
    if !e.issuers.is_empty() && !e.issuers.iter().any(|i| same_issuer(i, &iss)) {
        return Err(bad(ISS_MISMATCH));
    }
    let aud = need(c.aud, "aud is missing", "aud must be a string or an array of strings")?.0;
    if !aud.iter().any(|a| a == e.client_id) {
        return Err(bad("aud does not name this client"));
    }
    match c.azp.value() {
        Some(azp) if azp != e.client_id => return Err(bad("azp names another client")),
        None if aud.len() > 1 => return Err(bad("azp is required when aud names several audiences")),
        _ => {}
    }
    let exp = need(c.exp, "exp is missing", "exp must be a number of seconds")?;
    if exp.saturating_add(CLOCK_SKEW) <= e.now {
        return Err(bad("has expired (exp)"));
    }
    let iat = need(c.iat, "iat is missing", "iat must be a number of seconds")?;
    if iat > e.now.saturating_add(CLOCK_SKEW) {
        return Err(bad("was issued in the future (iat)"));
    }
    if let Some(n) = e.nonce {
        match c.nonce {
            Field::Value(got) if got == n => {}
            Field::Absent => return Err(bad("nonce is missing (one was sent on the authorization request)")),
            _ => return Err(bad("nonce is not the one sent on the authorization request")),
        }
    }
    sub
}

/// The GET request for a key set.
pub fn jwks_request(uri: &HttpUrl) -> HttpRequest {
    HttpRequest::get_json(uri.as_str().to_owned(), "jwks", JWKS_LIMIT)
}

/// A JWKS document: its keys, each kept as the server sent it.
#[derive(Deserialize)]
pub struct KeySet<B> {
    /// `keys`.
    pub keys: Vec<B>,
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

/// The keys of a key set (the body of a successful [`jwks_request`]) that may verify a JWS with
/// `alg` and `kid`: of the algorithm's type (and curve), for signing, for this `alg` when the key
/// names one, with that `kid` when the token names one. At most [`MAX_CANDIDATE_KEYS`]. Empty when
/// none matches: the set may be older than the token (key rotation) and is fetched once more.
pub fn candidate_keys<B: Body + serde::de::DeserializeOwned>(jwks: &B, alg: &str, kid: Option<&str>) -> Vec<B> {
    let Some((kty, crv)) = key_type(alg) else { return Vec::new() };
    let set: KeySet<B> = jwks.decode().unwrap_or(KeySet { keys: Vec::new() });
    set.keys
        .into_iter()
        .filter(|k| {
            let d: KeyDoc = k.decode().unwrap_or_default();
            d.kty.value().as_deref() == Some(kty)
                && crv.is_none_or(|c| d.crv.value().as_deref() == Some(c))
                && d.use_.value().is_none_or(|u| u == "sig")
                && d.alg.value().is_none_or(|a| a == alg || (alg == "Ed25519" && a == "EdDSA"))
                && kid.is_none_or(|want| d.kid.value().as_deref() == Some(want))
        })
        .take(MAX_CANDIDATE_KEYS)
        .collect()
}

/// Whether a body is a key set (`{"keys": [...]}`).
pub fn is_key_set<B: Body + serde::de::DeserializeOwned>(jwks: &B) -> bool {
    jwks.decode::<KeySet<B>>().is_some()
}
