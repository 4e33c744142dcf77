//! OpenID Connect on the driver's side: the keys an id_token is verified with (fetched while the
//! token request is in flight), the verification policy, and a small combinator that runs two
//! exchanges at once.
//!
//! The policy (OIDC Core §3.1.3.7): a token is refused on evidence that it is forged, replayed or
//! misdirected — `none`/HMAC, an algorithm the server says it does not use, a signature that does not
//! verify with the server's keys, a kid none of its published keys has, a wrong `iss`, `aud`, `azp`,
//! `nonce`, an expired one. When the server makes a signature check impossible (no `jwks_uri` and no
//! metadata naming one, keys behind no CORS, a 404, a timeout, an algorithm this browser cannot
//! verify) the token endpoint's TLS answer is trusted instead (step 6) and the claims are still
//! checked; `requireIdTokenSignature` turns that fallback into a failure.

use core::future::{poll_fn, Future};
use core::pin::pin;
use core::task::Poll;

use super::Http;
use crate::core::discovery::{issuer_metadata_requests, parse_issuer_metadata};
use crate::core::idtoken::{candidate_keys, check_alg, check_claims, is_key_set, jwks_request, parse_jws, Expected, Verification, ISS_MISMATCH};
use crate::core::types::{FhirBase, HttpUrl, Issuer};
use crate::core::{Error, Result};
use crate::driver::Platform;

/// Runs `a` and `b` at once and returns both results; when `a` fails, returns its error at once
/// (`b` is dropped unfinished).
pub async fn beside<T, U>(a: impl Future<Output = Result<T>>, b: impl Future<Output = U>) -> Result<(T, U)> {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(r) = a.as_mut().poll(cx) {
                ra = Some(r?);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(r) = b.as_mut().poll(cx) {
                rb = Some(r);
            }
        }
        match (ra.take(), rb.take()) {
            (Some(x), Some(y)) => Poll::Ready(Ok((x, y))),
            (x, y) => {
                (ra, rb) = (x, y);
                Poll::Pending
            }
        }
    })
    .await
}

/// What the server says about its id_tokens, as the launch learned it.
#[derive(Clone, Copy, Debug)]
pub struct IdTokenIssuer<'a> {
    /// The smart-configuration's `issuer`.
    pub issuer: Option<&'a Issuer>,
    /// The smart-configuration's `jwks_uri`.
    pub jwks_uri: Option<&'a HttpUrl>,
    /// The smart-configuration's `id_token_signing_alg_values_supported`.
    pub algs: &'a [String],
    /// The FHIR base (some EHRs publish their OpenID metadata under it).
    pub base: &'a FhirBase,
    /// Milliseconds each request may take.
    pub timeout_ms: u32,
}

/// The keys an id_token may be verified with, and what the server declared about itself.
pub struct Keys<B> {
    /// The key set with the URL it came from, or why none could be had.
    pub set: core::result::Result<(HttpUrl, B), Error>,
    /// The issuer strings the server declared (smart-configuration, its own metadata).
    pub issuers: Vec<String>,
    /// The algorithms it says it signs id_tokens with (empty: not published).
    pub algs: Vec<String>,
    /// Whether its metadata documents were read (they are, at most once).
    metadata_read: bool,
}

/// Reads the server's metadata documents (at its issuer, by RFC 8414, under the FHIR base) until
/// one names a `jwks_uri`: its issuer string joins the accepted ones, its algorithms are used when
/// the smart-configuration lists none. Returns that `jwks_uri`.
async fn read_metadata<H: Http, B>(http: &H, from: &IdTokenIssuer<'_>, keys: &mut Keys<B>) -> Option<HttpUrl> {
    keys.metadata_read = true;
    for req in issuer_metadata_requests(from.issuer, from.base) {
        let Ok(resp) = http.send(&req.timeout(from.timeout_ms)).await else { continue };
        if let Some(m) = parse_issuer_metadata(resp.status, &resp.body) {
            keys.issuers.extend(m.issuer);
            if keys.algs.is_empty() {
                keys.algs = m.id_token_algs;
            }
            return Some(m.jwks_uri);
        }
    }
    None
}

async fn fetch_set<H: Http>(http: &H, uri: &HttpUrl, timeout_ms: u32) -> Result<H::Body> {
    let resp = http.send(&jwks_request(uri).timeout(timeout_ms)).await?;
    if !(200..300).contains(&resp.status) {
        return Err(Error::HttpStatus { what: "jwks", status: resp.status });
    }
    if !is_key_set(&resp.body) {
        return Err(Error::InvalidJson { what: "jwks" });
    }
    Ok(resp.body)
}

/// Fetches the keys: from the smart-configuration's `jwks_uri`, else from the `jwks_uri` of the
/// first metadata document the server publishes about itself (at its issuer, by RFC 8414, or under
/// the FHIR base). Never fails: a key set that cannot be had is recorded as such.
pub async fn fetch_keys<H: Http>(http: &H, from: IdTokenIssuer<'_>) -> Keys<H::Body> {
    let mut keys = Keys {
        set: Err(Error::InvalidIdToken { reason: "cannot be verified: the server publishes no jwks_uri" }),
        issuers: from.issuer.map(|i| vec![i.as_str().to_owned()]).unwrap_or_default(),
        algs: from.algs.to_vec(),
        metadata_read: false,
    };
    let uri = match from.jwks_uri {
        Some(u) => Some(u.clone()),
        None => read_metadata(http, &from, &mut keys).await,
    };
    if let Some(u) = uri {
        keys.set = fetch_set(http, &u, from.timeout_ms).await.map(|b| (u, b));
    }
    keys
}

/// The result of checking a signature: verified, or not checkable (and why).
enum Checked {
    Verified,
    Unchecked(Error),
}

/// Checks the JWS signature with the candidate keys of `keys` (fetching the set once more when none
/// matches, for a key rotated since it was fetched).
async fn check_signature<H: Http>(
    http: &H,
    platform: &impl Platform,
    keys: &mut Keys<H::Body>,
    alg: &str,
    kid: Option<&str>,
    input: &[u8],
    signature: &str,
    timeout_ms: u32,
) -> Result<Checked> {
    let (uri, set) = match &keys.set {
        Ok(s) => s,
        Err(e) => return Ok(Checked::Unchecked(e.clone())),
    };
    let mut candidates = candidate_keys(set, alg, kid);
    if candidates.is_empty() {
        let uri = uri.clone();
        match fetch_set(http, &uri, timeout_ms).await {
            Ok(fresh) => {
                candidates = candidate_keys(&fresh, alg, kid);
                keys.set = Ok((uri, fresh));
            }
            Err(e) => return Ok(Checked::Unchecked(e)),
        }
        if candidates.is_empty() {
            return Err(Error::InvalidIdToken { reason: "no key of the server's JWKS matches its kid and alg" });
        }
    }
    for key in &candidates {
        match platform.verify(alg, key, input, signature).await {
            Ok(true) => return Ok(Checked::Verified),
            Ok(false) => {}
            // WebCrypto cannot use the key (e.g. Ed25519 in a browser without it).
            Err(e) => return Ok(Checked::Unchecked(e)),
        }
    }
    Err(Error::InvalidIdToken { reason: "signature does not verify with the server's key" })
}

/// What an id_token is checked against, besides the server's keys and issuer strings.
#[derive(Clone, Copy, Debug)]
pub struct Checks<'a> {
    /// This client (`aud`, `azp`).
    pub client_id: &'a str,
    /// The `nonce` sent on the authorization request; `None` for a refresh's token.
    pub nonce: Option<&'a str>,
    /// The session's user, for a refresh's token.
    pub sub: Option<&'a str>,
    /// Seconds since the epoch.
    pub now: u64,
    /// Refuse a token whose signature cannot be checked (`requireIdTokenSignature`).
    pub require_signature: bool,
    /// Milliseconds a refetch of the keys may take.
    pub timeout_ms: u32,
}

/// Verifies an id_token with `keys` and checks its claims; returns them and how the token's origin
/// was established. With `require_signature`, a token whose signature cannot be checked fails with
/// the reason it could not be (the key fetch's own error, or `invalid_id_token`). An `iss` that is
/// not the smart-configuration's issuer is checked once more against what the server's own
/// metadata calls it (some name one issuer in their smart-configuration and another in their
/// OpenID metadata), read then if it was not read before.
pub async fn verify_id_token<H: Http>(
    http: &H,
    platform: &impl Platform,
    keys: &mut Keys<H::Body>,
    from: &IdTokenIssuer<'_>,
    token: &str,
    c: &Checks<'_>,
) -> Result<(H::Body, Verification)> {
    let jws = parse_jws::<H::Body>(token)?;
    let checked = if check_alg(&jws.alg, &keys.algs)? {
        let input = &token.as_bytes()[..jws.signed_len];
        check_signature(http, platform, keys, &jws.alg, jws.kid.as_deref(), input, jws.signature, c.timeout_ms).await?
    } else {
        Checked::Unchecked(Error::InvalidIdToken { reason: "alg is not one this browser can verify" })
    };
    let how = match checked {
        Checked::Verified => Verification::Signature,
        Checked::Unchecked(e) if c.require_signature => return Err(e),
        Checked::Unchecked(_) => Verification::Tls,
    };
    let claims = |issuers: &[String]| check_claims(&jws.claims, &Expected { issuers, client_id: c.client_id, nonce: c.nonce, sub: c.sub, now: c.now });
    let checked = claims(&keys.issuers);
    if matches!(checked, Err(Error::InvalidIdToken { reason: ISS_MISMATCH })) && !keys.metadata_read {
        read_metadata(http, from, keys).await;
        claims(&keys.issuers)?;
    } else {
        checked?;
    }
    Ok((jws.claims, how))
}
