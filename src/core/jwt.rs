//! JWTs the client signs with its WebCrypto key: the RFC 7523 assertion (JWT bearer grant §2.1,
//! client authentication §2.2, SMART `client-confidential-asymmetric`), the JWS compact form
//! (RFC 7515 §7.1), and the public JWK with its RFC 7638 thumbprint as `kid`. Signing and hashing
//! are the platform's; this module only builds and checks the bytes around them.

use super::encode::b64url;
use super::error::{Error, Result};
use super::json::{Json, Obj};
use super::types::{ClientId, HttpUrl};

/// Longest assertion lifetime: SMART and Epic accept at most five minutes.
pub const MAX_ASSERTION_LIFETIME: u64 = 300;

/// The signature algorithms SMART asks for (RS384, ES384), and RS256 for servers that want it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    Error::Crypto { message: crate::core::cat(&["exported public key ", reason]) }
}

/// The members of a public JWK that RFC 7638 hashes, in its (lexicographic) order.
fn thumbprint_members(alg: Alg) -> &'static [&'static str] {
    match alg {
        Alg::ES384 => &["crv", "kty", "x", "y"],
        Alg::RS384 | Alg::RS256 => &["e", "kty", "n"],
    }
}

/// Keeps only the public members of a JWK exported by WebCrypto (a private member, `d`, `p`, …, is
/// an error: the private key must never leave WebCrypto), checks `kty` and `crv` against `alg`.
pub fn public_jwk(alg: Alg, exported: &Obj) -> Result<Obj> {
    const PRIVATE: [&str; 6] = ["d", "p", "q", "dp", "dq", "qi"];
    if PRIVATE.iter().any(|k| exported.contains_key(k)) {
        return Err(bad_key("contains private members"));
    }
    if exported.get("kty").and_then(Json::as_str) != Some(alg.kty()) {
        return Err(bad_key("has the wrong kty"));
    }
    if alg == Alg::ES384 && exported.get("crv").and_then(Json::as_str) != Some("P-384") {
        return Err(bad_key("is not on P-384"));
    }
    let mut out = Obj::new();
    for k in thumbprint_members(alg) {
        let v = exported.get(k).and_then(Json::as_str).filter(|v| !v.is_empty()).ok_or_else(|| bad_key("lacks a member"))?;
        out.insert(k, Json::Str(v.to_owned()));
    }
    Ok(out)
}

/// RFC 7638 §3: the JSON whose SHA-256 is the thumbprint (required members only, sorted, no
/// whitespace). The platform hashes it; `kid` is the base64url of that digest.
pub fn thumbprint_input(alg: Alg, public: &Obj) -> String {
    let mut o = Obj::new();
    for k in thumbprint_members(alg) {
        if let Some(v) = public.get(k) {
            o.insert(k, v.clone());
        }
    }
    o.to_text()
}

/// The `kid` from a thumbprint digest.
pub fn kid_from_digest(digest: &[u8; 32]) -> String {
    b64url(digest)
}

/// The public JWK as registered: its members plus `kid`, `alg` and `use: sig`.
pub fn registered_jwk(alg: Alg, public: &Obj, kid: &str) -> Obj {
    let mut o = public.clone();
    o.insert("kid", kid.into());
    o.insert("alg", alg.name().into());
    o.insert("use", "sig".into());
    o
}

/// RFC 7523 §3 claims: `iss` = `sub` = the client, `aud` = the token endpoint, a unique `jti`
/// (from 32 random bytes), `iat` = `nbf` = now, `exp` = now + `lifetime` (at most five minutes).
pub fn assertion_claims(client_id: &ClientId, token_endpoint: &HttpUrl, jti: &[u8; 32], now: u64, lifetime: u64) -> Obj {
    Obj::new()
        .with("iss", client_id.as_str())
        .with("sub", client_id.as_str())
        .with("aud", token_endpoint.as_str())
        .with("jti", b64url(jti).as_str())
        .with("iat", now)
        .with("nbf", now)
        .with("exp", now + lifetime.min(MAX_ASSERTION_LIFETIME))
}

/// The JWS signing input, `BASE64URL(header) "." BASE64URL(claims)`, with header
/// `{"alg", "kid", "typ": "JWT"}`.
pub fn signing_input(alg: Alg, kid: &str, claims: &Obj) -> String {
    let header = Obj::new().with("alg", alg.name()).with("kid", kid).with("typ", "JWT").to_text();
    crate::core::cat(&[&b64url(header.as_bytes()), ".", &b64url(claims.to_text().as_bytes())])
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
    Ok(crate::core::cat(&[signing_input, ".", &b64url(signature)]))
}
