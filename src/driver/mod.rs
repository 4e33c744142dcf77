//! The driver: runs the core's protocol steps over three small traits — HTTP, key/value storage,
//! and randomness/hashing/clock. The browser implements them in [`crate::web`]; nothing here
//! names a browser API.

use core::future::Future;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::core::authorize::{authorize_request, LaunchRandom, LaunchRecord};
use crate::core::callback::parse_callback;
use crate::core::config::{ehr_launch_params, Options};
use crate::core::discovery::{
    capability_statement_request, check_endpoints, discovery_request, parse_capability_statement, parse_smart_configuration, Pins, SmartConfiguration,
};
use crate::core::doc::{Body, JsonText};
use crate::core::http::HttpRequest;
use crate::core::idtoken::{ClaimsDoc, SUB_CHANGED};
use crate::core::session::Session;
use crate::core::token::{code_request, parse_token_response};
use crate::core::types::{ClientSecret, FhirBase, PkceVerifier};
use crate::core::{Error, Result};

pub mod identity;
pub mod oidc;
pub mod relay;

pub use identity::{Identity, Keys, NoIdentity, Registrations};
pub use oidc::{beside, fetch_keys, verify_id_token, Checks, IdTokenIssuer};

/// The parts of an HTTP response the protocol reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse<B> {
    /// Status code (0 for a refused redirect).
    pub status: u16,
    /// The body, parsed as JSON by the platform (the empty object when it is not JSON).
    pub body: B,
    /// `WWW-Authenticate`, when the server exposed it.
    pub www_authenticate: Option<String>,
    /// The request was answered with a redirect, which was not followed.
    pub redirected: bool,
}

/// Sends one request, never following redirects.
pub trait Http {
    /// The platform's parsed response body.
    type Body: Body + Serialize + DeserializeOwned;
    /// Sends `req`; network failure is [`Error::Network`]. A body larger than `req.expect`'s limit
    /// is [`Error::ResponseTooLarge`], refused before it is read into memory.
    fn send(&self, req: &HttpRequest) -> impl Future<Output = Result<HttpResponse<Self::Body>>>;
}

/// Storage of records scoped to the browser tab (`sessionStorage`), as JSON.
pub trait Store {
    /// Reads a record; one that does not decode as `T` is [`Error::Storage`].
    fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>>;
    /// Writes a record.
    fn set<T: Serialize>(&self, key: &str, value: &T) -> Result<()>;
    /// Deletes a key.
    fn remove(&self, key: &str) -> Result<()>;
    /// All keys.
    fn keys(&self) -> Result<Vec<String>>;
}

/// Randomness, SHA-256, the clock, and JSON text.
pub trait Platform: JsonText {
    /// 32 bytes from a CSPRNG.
    fn random32(&self) -> Result<[u8; 32]>;
    /// SHA-256 of `data`.
    fn sha256(&self, data: &[u8]) -> impl Future<Output = Result<[u8; 32]>>;
    /// Seconds since the Unix epoch.
    fn now(&self) -> u64;
    /// Whether `signature` (base64url, checked by the core) is a valid `alg` signature of `input`
    /// by the public JWK `jwk` (WebCrypto in the browser). A key that cannot be used is an error.
    fn verify<K: Serialize>(&self, alg: &str, jwk: &K, input: &[u8], signature: &str) -> impl Future<Output = Result<bool>>;
    /// AES-256-GCM (WebCrypto): `plain` sealed with `key` (32 bytes, base64url) under a fresh
    /// 12-byte nonce, `aad` authenticated with it; the nonce and the ciphertext with its tag,
    /// base64url, joined by a `.`.
    fn seal(&self, key: &str, aad: &[u8], plain: &[u8]) -> impl Future<Output = Result<String>>;
    /// Opens what [`Platform::seal`] made; `Ok(None)` when it is not of that form or does not
    /// authenticate (another key, other additional data, a changed byte).
    fn open(&self, key: &str, aad: &[u8], sealed: &str) -> impl Future<Output = Result<Option<Vec<u8>>>>;
}

/// Storage key prefix of launches in flight; the state follows.
pub const LAUNCH_PREFIX: &str = "smart-wasm:launch:";
/// Storage key of the FHIR base whose session the tab's latest launch started (`ready()` without
/// `iss` restores that one).
pub const SESSION_KEY: &str = "smart-wasm:session";
/// Storage key prefix of the tab's sessions, one per FHIR server; the FHIR base follows.
pub const SESSION_PREFIX: &str = "smart-wasm:session:";

/// Fetches and validates a server's SMART configuration, and applies the mix-up rule to its
/// endpoints ([`check_endpoints`]) with the app's pins for the server. A server that publishes no
/// usable smart-configuration (an HTTP error, no answer a page may read, not JSON, no endpoints)
/// is asked for its CapabilityStatement's SMART 1.0 endpoints, as fhirclient.js does; when that
/// names none either, the smart-configuration's error is the one reported. A smart-configuration
/// that was read and refused (PKCE, the mix-up rule) is not second-guessed, nor is a timeout
/// waited out twice.
pub async fn discover(http: &impl Http, iss: &FhirBase, pins: &Pins, timeout_ms: u32) -> Result<SmartConfiguration> {
    let found = http.send(&discovery_request(iss).timeout(timeout_ms)).await.and_then(|resp| parse_smart_configuration(iss, resp.status, &resp.body));
    let config = match found {
        Err(e @ (Error::HttpStatus { .. } | Error::Network { .. } | Error::InvalidJson { .. } | Error::InvalidDiscovery { .. })) => {
            let resp = http.send(&capability_statement_request(iss).timeout(timeout_ms)).await;
            resp.ok().and_then(|r| parse_capability_statement(iss, r.status, &r.body)).ok_or(e)?
        }
        other => other?,
    };
    check_endpoints(&config, pins)?;
    Ok(config)
}

/// The session type of an [`Http`] implementation.
pub type SessionOf<H> = Session<<H as Http>::Body>;

/// What a session knows of its server's id_tokens.
fn id_token_issuer<B>(s: &Session<B>) -> IdTokenIssuer<'_> {
    IdTokenIssuer {
        issuer: s.issuer.as_ref(),
        jwks_uri: s.jwks_uri.as_ref(),
        algs: &s.id_token_algs,
        base: &s.binding.iss,
        timeout_ms: s.binding.timeout_ms,
    }
}

/// Drops launch records that are expired or unreadable.
fn purge_launches(store: &impl Store, now: u64) -> Result<()> {
    for key in store.keys()?.into_iter().filter(|k| k.starts_with(LAUNCH_PREFIX)) {
        let stale = store.get::<LaunchRecord>(&key).map_or(true, |r| r.is_some_and(|r| r.expired(now)));
        if stale {
            store.remove(&key)?;
        }
    }
    Ok(())
}

/// Starts a launch: picks the server (the EHR `iss` must be on the list), fetches its SMART
/// configuration, stores the launch record under a fresh `state`, and returns the URL to open.
pub async fn begin_launch(
    http: &impl Http,
    store: &impl Store,
    platform: &impl Platform,
    identity: &impl Identity,
    opts: &Options,
    page_url: &str,
) -> Result<String> {
    let ehr = ehr_launch_params(page_url)?;
    let (server, kind) = opts.select(ehr.as_ref().map(|(i, l)| (i.as_str(), l.as_deref())))?;
    let server = &*identity::acting_client(identity, opts, server).await?;
    let config = discover(http, &server.iss, &server.pins, opts.timeout_ms).await?;
    let random = LaunchRandom { state: platform.random32()?, verifier: platform.random32()?, nonce: platform.random32()? };
    let digest = platform.sha256(PkceVerifier::from_random(&random.verifier).secret().as_bytes()).await?;
    let now = platform.now();
    purge_launches(store, now)?;
    let req = authorize_request(opts, server, &kind, &config, &random, &digest, now);
    store.set(&[LAUNCH_PREFIX, req.state.as_str()].concat(), &req.record)?;
    Ok(req.url)
}

/// The client secret the configuration holds for a session's server and client, if any.
pub fn secret_for<'a, B>(opts: Option<&'a Options>, session: &Session<B>) -> Option<&'a ClientSecret> {
    opts?.entry_for(&session.binding.iss, &session.binding.client_id)?.client_secret.as_ref()
}

/// Completes a launch on the redirect page: the record for `state` is taken out of storage first
/// (single use, whatever happens next), the response is checked against it, and the code is
/// exchanged. The session is not stored here: the caller keeps it ([`store_session`]) or, when
/// its token is only an initial access token for registration, keeps it in memory.
pub async fn complete_launch<H: Http>(
    http: &H,
    platform: &impl Platform,
    store: &impl Store,
    identity: &impl Identity,
    opts: Option<&Options>,
    page_url: &str,
    now: u64,
) -> Result<SessionOf<H>> {
    let callback = parse_callback(page_url)?;
    let key = [LAUNCH_PREFIX, callback.state.as_str()].concat();
    let stored = store.get::<LaunchRecord>(&key);
    store.remove(&key)?;
    let record = stored?.ok_or(Error::UnknownState)?;
    if record.expired(now) {
        return Err(Error::UnknownState);
    }
    let code = callback.verify(&record)?;
    let b = &record.binding;
    let secret = opts.and_then(|o| o.entry_for(&b.iss, &b.client_id)?.client_secret.as_ref());
    let assertion = identity.assertion(b).await?;
    let auth = b.client_auth(secret, assertion.as_deref())?;
    let req = code_request(&b.token_endpoint, auth, &code, &record.redirect_uri, &record.verifier).timeout(b.timeout_ms);
    // With `openid` (a nonce was sent) the keys are fetched while the code is exchanged: the
    // id_token's verification waits for no further round trip.
    let from = IdTokenIssuer {
        issuer: record.issuer.as_ref(),
        jwks_uri: record.jwks_uri.as_ref(),
        algs: &record.id_token_algs,
        base: &b.iss,
        timeout_ms: b.timeout_ms,
    };
    let keys = async {
        match record.nonce {
            Some(_) => Some(fetch_keys(http, from).await),
            None => None,
        }
    };
    let (resp, keys) = beside(http.send(&req), keys).await?;
    let t = parse_token_response(resp.status, &resp.body)?;
    let mut session = Session::from_code_exchange(&record, t, resp.body, now);
    session.relay_key = Some(relay::new_key(platform)?);
    // An id_token is verified before anything of the session is used or kept.
    if let Some(token) = session.context.id_token.clone() {
        let mut keys = match keys {
            Some(k) => k,
            None => fetch_keys(http, from).await,
        };
        let checks = Checks {
            client_id: b.client_id.as_str(),
            nonce: record.nonce.as_deref(),
            sub: None,
            now,
            require_signature: b.require_id_token_signature,
            timeout_ms: b.timeout_ms,
        };
        let (claims, how) = verify_id_token(http, platform, &mut keys, &from, &token, &checks).await?;
        session.id_claims = Some(claims);
        session.id_verified_by = Some(how);
    }
    Ok(session)
}

/// Keeps the session for this tab under its FHIR server, so a reload restores it; sessions with
/// other servers stay.
pub fn store_session<B: Body + Serialize>(store: &impl Store, session: &Session<B>) -> Result<()> {
    store.set(&[SESSION_PREFIX, session.binding.iss.as_str()].concat(), session)
}

/// [`store_session`], and the session becomes the tab's current one (a launch just completed).
pub fn keep_session<B: Body + Serialize>(store: &impl Store, session: &Session<B>) -> Result<()> {
    store_session(store, session)?;
    store.set(SESSION_KEY, &session.binding.iss.as_str())
}

/// The tab's stored session with the FHIR server `iss`, or with the server of the latest launch.
pub fn restore_session<B: Body + DeserializeOwned>(store: &impl Store, iss: Option<&FhirBase>) -> Result<Option<Session<B>>> {
    let current: Option<String> = match iss {
        Some(i) => Some(i.as_str().to_owned()),
        None => store.get(SESSION_KEY)?,
    };
    let Some(iss) = current else { return Ok(None) };
    let session: Option<Session<B>> = store.get(&[SESSION_PREFIX, &iss].concat())?;
    Ok(session.map(Session::with_context))
}

/// The FHIR bases of every session the tab holds.
pub fn session_servers(store: &impl Store) -> Result<Vec<FhirBase>> {
    let mut out = Vec::new();
    for key in store.keys()? {
        if let Some(iss) = key.strip_prefix(SESSION_PREFIX) {
            out.push(FhirBase::parse("stored session", iss).map_err(|_| Error::Storage { message: "a stored session's key is not a FHIR base".into() })?);
        }
    }
    Ok(out)
}

/// Refreshes the session's access token and stores the result; a key-bound client signs a fresh
/// client assertion for it (seed 004 step 3b: on every refresh). A refresh's id_token is verified
/// like the first (OIDC Core §12.2); when it fails verification the new tokens are still kept (the
/// server has already rotated the refresh token) with the last verified claims, and the failure is
/// returned beside the session. An id_token for another user ends the session: it is removed from
/// storage and the refresh fails.
pub async fn refresh<H: Http>(
    http: &H,
    platform: &impl Platform,
    store: &impl Store,
    identity: &impl Identity,
    session: &SessionOf<H>,
    secret: Option<&ClientSecret>,
    now: u64,
) -> Result<(SessionOf<H>, Option<Error>)> {
    let assertion = identity.assertion(&session.binding).await?;
    let resp = http.send(&session.refresh_request(secret, assertion.as_deref())?.timeout(session.binding.timeout_ms)).await?;
    let t = parse_token_response(resp.status, &resp.body)?;
    let mut next = session.clone();
    let fresh_id = t.context.id_token.clone();
    next.apply_refresh(t, &resp.body, now);
    let mut id_error = None;
    if let Some(token) = fresh_id {
        let sub = session.id_claims.as_ref().and_then(|c| c.decode::<ClaimsDoc>()).and_then(|d| d.sub.value());
        let b = &session.binding;
        let from = id_token_issuer(session);
        let mut keys = fetch_keys(http, from).await;
        let checks = Checks {
            client_id: b.client_id.as_str(),
            nonce: None,
            sub: sub.as_deref(),
            now,
            require_signature: b.require_id_token_signature,
            timeout_ms: b.timeout_ms,
        };
        match verify_id_token(http, platform, &mut keys, &from, &token, &checks).await {
            Ok((claims, how)) => {
                next.id_claims = Some(claims);
                next.id_verified_by = Some(how);
            }
            Err(e @ Error::InvalidIdToken { reason: SUB_CHANGED }) => {
                store.remove(&[SESSION_PREFIX, b.iss.as_str()].concat())?;
                return Err(e);
            }
            Err(e) => id_error = Some(e),
        }
    }
    store_session(store, &next)?;
    Ok((next, id_error))
}
