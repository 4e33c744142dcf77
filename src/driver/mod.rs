//! The driver: runs the core's protocol steps over three small traits — HTTP, key/value storage,
//! and randomness/hashing/clock. The browser implements them in [`crate::web`]; nothing here
//! names a browser API.

use core::future::Future;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::core::authorize::{authorize_request, LaunchRandom, LaunchRecord};
use crate::core::callback::parse_callback;
use crate::core::config::{ehr_launch_params, Options};
use crate::core::discovery::{check_issuer_metadata, discovery_request, issuer_metadata_requests, parse_smart_configuration, SmartConfiguration};
use crate::core::doc::{Body, JsonText};
use crate::core::http::HttpRequest;
use crate::core::idtoken::{check_claims, jwks_request, parse_jws, select_key, Expected};
use crate::core::session::Session;
use crate::core::token::{code_request, parse_token_response};
use crate::core::types::{ClientSecret, FhirBase, HttpUrl, PkceVerifier};
use crate::core::{Error, Result};

pub mod identity;

pub use identity::{Identity, Keys, NoIdentity, Registrations};

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
    /// Whether `signature` (base64url, checked by the core) is a valid `alg` (`RS256`, `RS384`,
    /// `ES384`) signature of `input` by the public JWK `jwk` (WebCrypto in the browser). A key
    /// that cannot be used is an error.
    fn verify<K: Serialize>(&self, alg: &str, jwk: &K, input: &[u8], signature: &str) -> impl Future<Output = Result<bool>>;
}

/// Storage key prefix of launches in flight; the state follows.
pub const LAUNCH_PREFIX: &str = "smart-wasm:launch:";
/// Storage key of the FHIR base whose session the tab's latest launch started (`ready()` without
/// `iss` restores that one).
pub const SESSION_KEY: &str = "smart-wasm:session";
/// Storage key prefix of the tab's sessions, one per FHIR server; the FHIR base follows.
pub const SESSION_PREFIX: &str = "smart-wasm:session:";

/// Fetches and validates a server's SMART configuration, its endpoints confirmed by its issuer
/// ([`confirm_issuer`]).
pub async fn discover(http: &impl Http, iss: &FhirBase, timeout_ms: u32) -> Result<SmartConfiguration> {
    let resp = http.send(&discovery_request(iss).timeout(timeout_ms)).await?;
    let config = parse_smart_configuration(iss, resp.status, &resp.body)?;
    confirm_issuer(http, &config, timeout_ms).await?;
    Ok(config)
}

/// The session type of an [`Http`] implementation.
pub type SessionOf<H> = Session<<H as Http>::Body>;

/// The mix-up defence: when the smart-configuration names an `issuer`, its endpoints must be those
/// the issuer publishes itself (OpenID Discovery, else RFC 8414), before anyone is sent anywhere.
/// The endpoints so confirmed travel with the launch record and the session. Returns the issuer's
/// own `jwks_uri`, when it publishes one (id_tokens are verified with its keys).
pub async fn confirm_issuer(http: &impl Http, config: &SmartConfiguration, timeout_ms: u32) -> Result<Option<HttpUrl>> {
    let Some(issuer) = &config.issuer else { return Ok(None) };
    for req in issuer_metadata_requests(issuer)? {
        let resp = http.send(&req.timeout(timeout_ms)).await?;
        if let Some(jwks_uri) = check_issuer_metadata(config, resp.status, &resp.body)? {
            return Ok(jwks_uri);
        }
    }
    Err(Error::IssuerMetadataMismatch { field: "issuer", reason: "publishes no metadata of its own to confirm the endpoints" })
}

/// Verifies an id_token (OIDC Core §3.1.3.7): its algorithm, its signature by a key of the
/// issuer's JWKS (fetched from `jwks_uri`; once more when no key matches, for a key rotated since a
/// cache of the set), then its claims. Returns the verified claims.
pub async fn verify_id_token<H: Http>(
    http: &H,
    platform: &impl Platform,
    jwks_uri: Option<&HttpUrl>,
    token: &str,
    expected: &Expected<'_>,
    timeout_ms: u32,
) -> Result<H::Body> {
    let jws = parse_jws::<H::Body>(token)?;
    let uri = jwks_uri.ok_or(Error::InvalidIdToken { reason: "cannot be verified: the issuer publishes no jwks_uri" })?;
    let mut key = None;
    for _ in 0..2 {
        let resp = http.send(&jwks_request(uri).timeout(timeout_ms)).await?;
        key = select_key(resp.status, &resp.body, jws.alg, jws.kid.as_deref())?;
        if key.is_some() {
            break;
        }
    }
    let key = key.ok_or(Error::InvalidIdToken { reason: "no key of the issuer's JWKS matches its kid and alg" })?;
    if !platform.verify(jws.alg, &key, &token.as_bytes()[..jws.signed_len], jws.signature).await? {
        return Err(Error::InvalidIdToken { reason: "signature does not verify with the issuer's key" });
    }
    check_claims(&jws.claims, expected)?;
    Ok(jws.claims)
}

/// The id_token of a token response, verified, when there is one; the issuer must be known.
async fn id_claims<H: Http>(
    http: &H,
    platform: &impl Platform,
    session: &SessionOf<H>,
    nonce: Option<&str>,
    sub: Option<&str>,
    now: u64,
) -> Result<Option<H::Body>> {
    let Some(token) = session.context.id_token.as_deref() else { return Ok(None) };
    let issuer = session.issuer.as_ref().ok_or(Error::InvalidIdToken { reason: "cannot be verified: the server names no issuer" })?;
    let expected = Expected { issuer: issuer.as_str(), client_id: session.binding.client_id.as_str(), nonce, sub, now };
    verify_id_token(http, platform, session.jwks_uri.as_ref(), token, &expected, session.binding.timeout_ms).await.map(Some)
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
    // `discover` spelled out: as a nested future it costs ~220 B gzip in the default entry.
    let resp = http.send(&discovery_request(&server.iss).timeout(opts.timeout_ms)).await?;
    let config = parse_smart_configuration(&server.iss, resp.status, &resp.body)?;
    let jwks_uri = confirm_issuer(http, &config, opts.timeout_ms).await?;
    let random = LaunchRandom { state: platform.random32()?, verifier: platform.random32()?, nonce: platform.random32()? };
    let digest = platform.sha256(PkceVerifier::from_random(&random.verifier).secret().as_bytes()).await?;
    let now = platform.now();
    purge_launches(store, now)?;
    let mut req = authorize_request(opts, server, &kind, &config, &random, &digest, now);
    req.record.jwks_uri = jwks_uri;
    store.set(&crate::core::cat(&[LAUNCH_PREFIX, req.state.as_str()]), &req.record)?;
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
    let key = crate::core::cat(&[LAUNCH_PREFIX, callback.state.as_str()]);
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
    let resp = http.send(&req).await?;
    let t = parse_token_response(resp.status, &resp.body)?;
    let mut session = Session::from_code_exchange(&record, t, resp.body, now);
    // An id_token is verified before anything of the session is used or kept.
    session.id_claims = id_claims(http, platform, &session, record.nonce.as_deref(), None, now).await?;
    Ok(session)
}

/// Keeps the session for this tab under its FHIR server, so a reload restores it; sessions with
/// other servers stay.
pub fn store_session<B: Body + Serialize>(store: &impl Store, session: &Session<B>) -> Result<()> {
    store.set(&crate::core::cat(&[SESSION_PREFIX, session.binding.iss.as_str()]), session)
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
    let session: Option<Session<B>> = store.get(&crate::core::cat(&[SESSION_PREFIX, &iss]))?;
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
/// client assertion for it (seed 004 step 3b: on every refresh).
pub async fn refresh<H: Http>(
    http: &H,
    platform: &impl Platform,
    store: &impl Store,
    identity: &impl Identity,
    session: &SessionOf<H>,
    secret: Option<&ClientSecret>,
    now: u64,
) -> Result<SessionOf<H>> {
    let assertion = identity.assertion(&session.binding).await?;
    let resp = http.send(&session.refresh_request(secret, assertion.as_deref())?.timeout(session.binding.timeout_ms)).await?;
    let t = parse_token_response(resp.status, &resp.body)?;
    let mut next = session.clone();
    // A refresh's id_token is for the same user (OIDC Core §12.2), and verified like the first.
    let fresh_id = t.context.id_token.is_some();
    next.apply_refresh(t, &resp.body, now);
    if fresh_id {
        let sub = session.id_claims.as_ref().and_then(|c| c.decode::<crate::core::idtoken::ClaimsDoc>()).and_then(|d| d.sub.value());
        next.id_claims = id_claims(http, platform, &next, None, sub.as_deref(), now).await?;
    }
    store_session(store, &next)?;
    Ok(next)
}
