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
use crate::core::session::Session;
use crate::core::token::{code_request, parse_token_response};
use crate::core::types::{ClientSecret, FhirBase, PkceVerifier};
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
}

/// Storage key prefix of launches in flight; the state follows.
pub const LAUNCH_PREFIX: &str = "smart-wasm:launch:";
/// Storage key of the tab's session.
pub const SESSION_KEY: &str = "smart-wasm:session";

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
/// The endpoints so confirmed travel with the launch record and the session.
pub async fn confirm_issuer(http: &impl Http, config: &SmartConfiguration, timeout_ms: u32) -> Result<()> {
    let Some(issuer) = &config.issuer else { return Ok(()) };
    for req in issuer_metadata_requests(issuer)? {
        let resp = http.send(&req.timeout(timeout_ms)).await?;
        if check_issuer_metadata(config, resp.status, &resp.body)? {
            return Ok(());
        }
    }
    Err(Error::IssuerMetadataMismatch { field: "issuer", reason: "publishes no metadata of its own to confirm the endpoints" })
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
    confirm_issuer(http, &config, opts.timeout_ms).await?;
    let random = LaunchRandom { state: platform.random32()?, verifier: platform.random32()? };
    let digest = platform.sha256(PkceVerifier::from_random(&random.verifier).secret().as_bytes()).await?;
    let now = platform.now();
    purge_launches(store, now)?;
    let req = authorize_request(opts, server, &kind, &config, &random, &digest, now);
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
    Ok(Session::from_code_exchange(&record, t, resp.body, now))
}

/// Keeps the session for this tab, so a reload restores it.
pub fn store_session<B: Body + Serialize>(store: &impl Store, session: &Session<B>) -> Result<()> {
    store.set(SESSION_KEY, session)
}

/// The tab's stored session, if any.
pub fn restore_session<B: Body + DeserializeOwned>(store: &impl Store) -> Result<Option<Session<B>>> {
    let mut session: Option<Session<B>> = store.get(SESSION_KEY)?;
    if let Some(s) = &mut session {
        s.context = crate::core::token::Context::of(&s.token_response);
    }
    Ok(session)
}

/// Refreshes the session's access token and stores the result; a key-bound client signs a fresh
/// client assertion for it (seed 004 step 3b: on every refresh).
pub async fn refresh<H: Http>(
    http: &H,
    store: &impl Store,
    identity: &impl Identity,
    session: &SessionOf<H>,
    secret: Option<&ClientSecret>,
    now: u64,
) -> Result<SessionOf<H>> {
    let assertion = identity.assertion(&session.binding).await?;
    let resp = http.send(&session.refresh_request(secret, assertion.as_deref())?.timeout(session.binding.timeout_ms)).await?;
    let mut next = session.clone();
    next.apply_refresh(parse_token_response(resp.status, &resp.body)?, &resp.body, now);
    store_session(store, &next)?;
    Ok(next)
}
