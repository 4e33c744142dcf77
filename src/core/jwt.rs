//! JWTs the client signs with its WebCrypto key: the RFC 7523 assertion (JWT bearer grant §2.1,
//! client authentication §2.2, SMART `client-confidential-asymmetric`), the JWS compact form
//! (RFC 7515 §7.1), and the public JWK with its RFC 7638 thumbprint as `kid`. Signing and hashing
//! are the platform's; this module only builds and checks the bytes around them.

use serde::{Deserialize, Serialize};

use super::doc::{Field, JsonText};
use super::encode::b64url;
use super::error::{Error, Result};
use super::types::{ClientId, HttpUrl};

/// Longest assertion lifetime: SMART and Epic accept at most five minutes.
pub const MAX_ASSERTION_LIFETIME: u64 = 300;

/// The signature algorithms SMART asks for (RS384, ES384), and RS256 for servers that want it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
}

impl Alg {
    /// The JOSE name.
    pub fn name(self) -> &'static str {
        match self {
            Alg::RS384 => "RS384",
            Alg::ES384 => "ES384",
            Alg::RS256 => "RS256",
        }
    }
    /// Reads a JOSE name; anything else (`none`, `HS256`, …) is refused.
    pub fn parse(s: &str) -> Result<Alg> {
        match s {
            "RS384" => Ok(Alg::RS384),
            "ES384" => Ok(Alg::ES384),
            "RS256" => Ok(Alg::RS256),
            _ => Err(Error::InvalidOption { option: "alg".into(), reason: "must be RS384, ES384 or RS256" }),
        }
    }
    /// The JWK `kty` of this algorithm's keys.
    pub fn kty(self) -> &'static str {
        match self {
            Alg::ES384 => "EC",
            Alg::RS384 | Alg::RS256 => "RSA",
        }
    }
}

fn bad_key(reason: &'static str) -> Error {
    Error::Crypto { message: ["exported public key ", reason].concat() }
}

/// A key as WebCrypto exports it (`exportKey('jwk', …)`).
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct ExportedJwk {
    /// `kty`.
    pub kty: Field<String>,
    /// `crv` (EC).
    pub crv: Field<String>,
    /// `x` (EC).
    pub x: Field<String>,
    /// `y` (EC).
    pub y: Field<String>,
    /// `n` (RSA).
    pub n: Field<String>,
    /// `e` (RSA).
    pub e: Field<String>,
    /// Private members: any of them present is an error.
    pub d: Field<String>,
    /// Private (RSA).
    pub p: Field<String>,
    /// Private (RSA).
    pub q: Field<String>,
    /// Private (RSA).
    pub dp: Field<String>,
    /// Private (RSA).
    pub dq: Field<String>,
    /// Private (RSA).
    pub qi: Field<String>,
}

/// The public members of a JWK, in RFC 7638's lexicographic order: serialized without
/// whitespace, it is the thumbprint input (§3). EC keys have `crv, kty, x, y`; RSA keys `e, kty, n`.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct PublicJwk {
    /// `crv` (EC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// `e` (RSA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// `kty`.
    pub kty: &'static str,
    /// `n` (RSA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// `x` (EC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// `y` (EC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// `kid`, once registered (not part of the thumbprint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// `alg`, once registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alg: Option<Alg>,
    /// `use`, once registered.
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<&'static str>,
}

/// Keeps only the public members of a JWK exported by WebCrypto (a private member, `d`, `p`, …, is
/// an error: the private key must never leave WebCrypto), checks `kty` and `crv` against `alg`.
pub fn public_jwk(alg: Alg, exported: ExportedJwk) -> Result<PublicJwk> {
    let private = [&exported.d, &exported.p, &exported.q, &exported.dp, &exported.dq, &exported.qi];
    if private.iter().any(|f| **f != Field::Absent) {
        return Err(bad_key("contains private members"));
    }
    if exported.kty.value().as_deref() != Some(alg.kty()) {
        return Err(bad_key("has the wrong kty"));
    }
    let member = |f: Field<String>| f.value().filter(|v| !v.is_empty()).ok_or_else(|| bad_key("lacks a member"));
    Ok(match alg {
        Alg::ES384 => {
            if exported.crv.value().as_deref() != Some("P-384") {
                return Err(bad_key("is not on P-384"));
            }
            PublicJwk { crv: Some("P-384".into()), kty: "EC", x: Some(member(exported.x)?), y: Some(member(exported.y)?), ..PublicJwk::default() }
        }
        Alg::RS384 | Alg::RS256 => PublicJwk { e: Some(member(exported.e)?), kty: "RSA", n: Some(member(exported.n)?), ..PublicJwk::default() },
    })
}

/// RFC 7638 §3: the JSON whose SHA-256 is the thumbprint (required members only, sorted, no
/// whitespace). The platform hashes it; `kid` is the base64url of that digest.
pub fn thumbprint_input(public: &PublicJwk, json: &impl JsonText) -> String {
    json.json(public)
}

/// The `kid` from a thumbprint digest.
pub fn kid_from_digest(digest: &[u8; 32]) -> String {
    b64url(digest)
}

/// The public JWK as registered: its members plus `kid`, `alg` and `use: sig`.
pub fn registered_jwk(alg: Alg, public: &PublicJwk, kid: &str) -> PublicJwk {
    PublicJwk { kid: Some(kid.to_owned()), alg: Some(alg), use_: Some("sig"), ..public.clone() }
}

/// RFC 7523 §3 claims of a client assertion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssertionClaims {
    /// The client.
    pub iss: String,
    /// The client.
    pub sub: String,
    /// The token endpoint.
    pub aud: String,
    /// Unique id.
    pub jti: String,
    /// Issued at.
    pub iat: u64,
    /// Not before.
    pub nbf: u64,
    /// Expiry.
    pub exp: u64,
}

/// RFC 7523 §3 claims: `iss` = `sub` = the client, `aud` = the token endpoint, a unique `jti`
/// (from 32 random bytes), `iat` = `nbf` = now, `exp` = now + `lifetime` (at most five minutes).
pub fn assertion_claims(client_id: &ClientId, token_endpoint: &HttpUrl, jti: &[u8; 32], now: u64, lifetime: u64) -> AssertionClaims {
    AssertionClaims {
        iss: client_id.as_str().to_owned(),
        sub: client_id.as_str().to_owned(),
        aud: token_endpoint.as_str().to_owned(),
        jti: b64url(jti),
        iat: now,
        nbf: now,
        exp: now + lifetime.min(MAX_ASSERTION_LIFETIME),
    }
}

/// The JWS protected header (RFC 7515 §4).
#[derive(Serialize)]
struct Header<'a> {
    alg: Alg,
    kid: &'a str,
    typ: &'static str,
}

/// The JWS signing input, `BASE64URL(header) "." BASE64URL(claims)`, with header
/// `{"alg", "kid", "typ": "JWT"}`.
pub fn signing_input(alg: Alg, kid: &str, claims: &AssertionClaims, json: &impl JsonText) -> String {
    let header = json.json(&Header { alg, kid, typ: "JWT" });
    [&b64url(header.as_bytes()), ".", &b64url(json.json(claims).as_bytes())].concat()
}
/// The compact JWS: signing input, `.`, BASE64URL(signature). WebCrypto's ECDSA signature is
/// already the JWS form (raw `r || s`, 96 bytes for P-384); its RSA signature is the modulus size.
pub fn compact(alg: Alg, signing_input: &str, signature: &[u8]) -> Result<String> {
    let ok = match alg {
        Alg::ES384 => signature.len() == 96,
        Alg::RS384 | Alg::RS256 => signature.len() >= 256,
    };
    if !ok {
        return Err(Error::Crypto { message: "signature has the wrong length for its algorithm".into() });
    }
    Ok([signing_input, ".", &b64url(signature)].concat())
}
