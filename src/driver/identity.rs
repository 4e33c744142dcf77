//! Browser-bound app identity (seed 004, "Offline Access for Native and Browser-Based
//! Applications"): register this browser's key with a server after a public launch, then sign in
//! silently with the JWT bearer grant on later visits. Keys and their storage are two more small
//! traits, implemented by WebCrypto and IndexedDB in [`crate::web`].

use core::future::Future;
use std::borrow::Cow;

use super::{discover, keep_session, Http, Platform, SessionOf, Store};
use crate::core::binding::{AuthMethod, Binding};
use crate::core::jwt::{
    assertion_claims, compact, kid_from_digest, public_jwk, registered_jwk, signing_input, thumbprint_input, Alg, ExportedJwk,
    PublicJwk, MAX_ASSERTION_LIFETIME,
};
use crate::core::registration::{parse_registration_response, registration_request, ClientMetadata, RegistrationRecord};
use crate::core::session::{Grant, Session};
use crate::core::config::{DeviceRegistration, Options, ServerEntry};
use crate::core::discovery::Pins;
use crate::core::token::{client_credentials_request, jwt_bearer_request, parse_token_response};
use crate::core::types::{ClientId, FhirBase};
use crate::core::{Error, Result};

/// Key pairs whose private half cannot be read (WebCrypto, `extractable: false`).
pub trait Keys {
    /// An opaque key pair handle.
    type Pair;
    /// Generates a key pair for `alg`.
    fn generate(&self, alg: Alg) -> impl Future<Output = Result<Self::Pair>>;
    /// The public key as exported (a JWK).
    fn public_jwk(&self, pair: &Self::Pair) -> impl Future<Output = Result<ExportedJwk>>;
    /// Signs `data`; the signature in JWS form.
    fn sign(&self, pair: &Self::Pair, alg: Alg, data: &[u8]) -> impl Future<Output = Result<Vec<u8>>>;
}

/// Registrations, one per FHIR server, each with its key pair (IndexedDB).
pub trait Registrations {
    /// The key pair handle stored beside a record.
    type Pair;
    /// Stores (or replaces) the registration for its server.
    fn put(&self, record: &RegistrationRecord, pair: &Self::Pair) -> impl Future<Output = Result<()>>;
    /// The registration for a server, with its key pair.
    fn get(&self, iss: &FhirBase) -> impl Future<Output = Result<Option<(RegistrationRecord, Self::Pair)>>>;
    /// Deletes the registration and its key pair.
    fn delete(&self, iss: &FhirBase) -> impl Future<Output = Result<()>>;
    /// Records a use of the registration for `iss` at `at` (seconds), only if it still exists: a
    /// registration forgotten meanwhile (by this tab or another) stays forgotten.
    fn touch(&self, iss: &FhirBase, at: u64) -> impl Future<Output = Result<()>>;
    /// Every stored registration.
    fn list(&self) -> impl Future<Output = Result<Vec<RegistrationRecord>>>;
}

/// What the launch and refresh steps need of this browser's registrations: which client to launch
/// as, and a client assertion for a key-bound binding. [`NoIdentity`] serves builds without keys.
pub trait Identity {
    /// The registered (dynamic) client id for a server, if this browser has one.
    fn registered_client(&self, iss: &FhirBase) -> impl Future<Output = Result<Option<ClientId>>>;
    /// A fresh client assertion when `binding` authenticates with a key; `None` otherwise.
    fn assertion(&self, binding: &Binding) -> impl Future<Output = Result<Option<String>>>;
}

/// No registrations: every binding authenticates without a key.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoIdentity;

impl Identity for NoIdentity {
    async fn registered_client(&self, _iss: &FhirBase) -> Result<Option<ClientId>> {
        Ok(None)
    }
    async fn assertion(&self, _binding: &Binding) -> Result<Option<String>> {
        Ok(None)
    }
}

/// Registrations with their keys: the identity of a browser that registered.
pub struct KeyIdentity<'a, K, R, P> {
    /// Signs.
    pub keys: &'a K,
    /// Holds registrations and key pairs.
    pub registrations: &'a R,
    /// Randomness (for `jti`) and the clock.
    pub platform: &'a P,
}

#[inline(always)]
fn no_registration(iss: &FhirBase) -> Error {
    Error::NoRegistration { iss: iss.as_str().to_owned() }
}

/// The registration for `iss` with its key pair; `no_registration` when there is none.
async fn registration<R: Registrations>(registrations: &R, iss: &FhirBase) -> Result<(RegistrationRecord, R::Pair)> {
    registrations.get(iss).await?.ok_or_else(|| no_registration(iss))
}

impl<K: Keys, R: Registrations<Pair = K::Pair>, P: Platform> Identity for KeyIdentity<'_, K, R, P> {
    async fn registered_client(&self, iss: &FhirBase) -> Result<Option<ClientId>> {
        Ok(self.registrations.get(iss).await?.map(|(r, _)| r.binding.client_id))
    }
    async fn assertion(&self, binding: &Binding) -> Result<Option<String>> {
        if binding.auth != AuthMethod::PrivateKeyJwt {
            return Ok(None);
        }
        let (record, pair) = registration(self.registrations, &binding.iss).await?;
        sign_assertion(self.keys, self.platform, &pair, &record, self.platform.now()).await.map(Some)
    }
}

/// The client to act as with `server`: the configured one, or with `opts.use_registration` this
/// browser's registered client, authenticated by its key (seed 004 step 3b; Backend Services);
/// `no_registration` when there is none.
pub async fn acting_client<'a>(identity: &impl Identity, opts: &Options, server: &'a ServerEntry) -> Result<Cow<'a, ServerEntry>> {
    if !opts.use_registration {
        return Ok(Cow::Borrowed(server));
    }
    let id = identity.registered_client(&server.iss).await?.ok_or_else(|| no_registration(&server.iss))?;
    Ok(Cow::Owned(ServerEntry { client_id: id, client_secret: None, auth: AuthMethod::PrivateKeyJwt, ..server.clone() }))
}

/// The client credentials grant (RFC 6749 §4.4) for headless tests and internal tools — never for
/// code shipped to patients' browsers: with `client_secret_basic` (seed 003), or with a client
/// assertion from this browser's registered key (SMART Backend Services) when
/// `opts.use_registration`. The session is not stored; there is no refresh token.
pub async fn client_credentials<H: Http>(
    http: &H,
    identity: &impl Identity,
    opts: &Options,
    now: u64,
) -> Result<SessionOf<H>> {
    let (server, _) = opts.select(None)?;
    let server = acting_client(identity, opts, server).await?;
    let config = discover(http, &server.iss, &server.pins, opts.timeout_ms).await?;
    let binding = server.binding(config.token_endpoint, opts);
    let assertion = identity.assertion(&binding).await?;
    let auth = binding.client_auth(server.client_secret.as_ref(), assertion.as_deref())?;
    let resp = http.send(&client_credentials_request(&binding.token_endpoint, auth, &server.scope).timeout(binding.timeout_ms)).await?;
    let t = parse_token_response(resp.status, &resp.body)?;
    let mut session = Session::from_token(binding, &server.scope, t, resp.body, now);
    session.grant = Grant::ClientCredentials;
    Ok(session)
}

/// Signs an RFC 7523 assertion for `record`'s client: five minutes, a fresh `jti`.
pub async fn sign_assertion<K: Keys>(
    keys: &K,
    platform: &impl Platform,
    pair: &K::Pair,
    record: &RegistrationRecord,
    now: u64,
) -> Result<String> {
    let b = &record.binding;
    let claims = assertion_claims(&b.client_id, &b.token_endpoint, &platform.random32()?, now, MAX_ASSERTION_LIFETIME);
    let input = signing_input(record.alg, &record.kid, &claims, platform);
    let signature = keys.sign(pair, record.alg, input.as_bytes()).await?;
    compact(record.alg, &input, &signature)
}

/// Registers a new key for this browser with the server of `session`, a public-client launch whose
/// access token is the initial access token (RFC 7591 §3; used here once, kept in memory only).
/// The record and key pair are stored for the server.
pub async fn register<K: Keys, R: Registrations<Pair = K::Pair>, B>(
    http: &impl Http,
    keys: &K,
    registrations: &R,
    platform: &impl Platform,
    session: &Session<B>,
    how: DeviceRegistration,
) -> Result<RegistrationRecord> {
    let alg = how.alg;
    let b = &session.binding;
    let config = discover(http, &b.iss, &Pins::default(), b.timeout_ms).await?;
    let endpoint = config.registration_endpoint.ok_or(Error::RegistrationUnsupported)?;
    let pair = keys.generate(alg).await?;
    let public = public_jwk(alg, keys.public_jwk(&pair).await?)?;
    let kid = kid_from_digest(&platform.sha256(thumbprint_input(&public, platform).as_bytes()).await?);
    let metadata = (!how.minimal).then(|| ClientMetadata::new(&b.client_id, session.redirect_uri.as_ref(), alg));
    let req = registration_request(&endpoint, &session.access_token, &b.client_id, &registered_jwk(alg, &public, &kid), metadata, platform);
    let resp = http.send(&req.timeout(b.timeout_ms)).await?;
    let registered = parse_registration_response(resp.status, &resp.body)?;
    let now = platform.now();
    let record = RegistrationRecord {
        binding: Binding {
            client_id: registered.client_id,
            auth: AuthMethod::PrivateKeyJwt,
            token_endpoint: config.token_endpoint,
            ..b.clone()
        },
        software_id: b.client_id.clone(),
        kid,
        alg,
        scope: session.scope.clone(),
        created_at: now,
        last_used_at: now,
    };
    registrations.put(&record, &pair).await?;
    Ok(record)
}

/// Binds a key pair to a client the app registered with the server out of band (the SMART
/// confidential-asymmetric profile: the app gave the server this key's JWKS): the record is stored
/// for `iss`, so `authorize({ useRegistration: true })` launches as `client_id` with a client
/// assertion on the code exchange and every refresh. Returns the record and the public JWK to
/// register, whose `kid` (sent in every assertion's header) is `kid` when the app's key has one,
/// otherwise the RFC 7638 thumbprint.
#[allow(clippy::too_many_arguments)]
pub async fn bind_key<K: Keys, R: Registrations<Pair = K::Pair>>(
    http: &impl Http,
    keys: &K,
    registrations: &R,
    platform: &impl Platform,
    iss: &FhirBase,
    client_id: ClientId,
    alg: Alg,
    pair: K::Pair,
    kid: Option<String>,
    timeout_ms: u32,
) -> Result<(RegistrationRecord, PublicJwk)> {
    // A dynamic registration (its client id is the server's, not the app's) would be orphaned at
    // the server with its key gone: the app forgets it first, on purpose. A bound key may be
    // replaced (the app registers the new public key out of band).
    if let Some((existing, _)) = registrations.get(iss).await? {
        if existing.binding.client_id != existing.software_id {
            return Err(Error::InvalidOption {
                option: "iss".into(),
                reason: "already has this browser's dynamic registration: call forgetRegistration() first",
            });
        }
    }
    let config = discover(http, iss, &Pins::default(), timeout_ms).await?;
    let public = public_jwk(alg, keys.public_jwk(&pair).await?)?;
    let kid = match kid {
        Some(kid) => kid,
        None => kid_from_digest(&platform.sha256(thumbprint_input(&public, platform).as_bytes()).await?),
    };
    let now = platform.now();
    let record = RegistrationRecord {
        binding: Binding {
            iss: iss.clone(),
            client_id: client_id.clone(),
            auth: AuthMethod::PrivateKeyJwt,
            token_endpoint: config.token_endpoint,
            epic_client_id_header: false,
            refresh_margin: crate::core::config::DEFAULT_REFRESH_MARGIN,
            timeout_ms,
            require_id_token_signature: false,
        },
        software_id: client_id,
        kid: kid.clone(),
        alg,
        scope: crate::core::types::Scope::default(),
        created_at: now,
        last_used_at: now,
    };
    registrations.put(&record, &pair).await?;
    let jwk = registered_jwk(alg, &public, &kid);
    Ok((record, jwk))
}

/// Forgets this browser's registration with `iss`: its key pair and record here. The server's
/// registration stays, bound to a public key whose private half no longer exists anywhere (it was
/// never exportable): nobody can use it. (Deleting it at the server would take the RFC 7592
/// registration access token, which is not kept: see [`parse_registration_response`].)
pub async fn forget<R: Registrations>(registrations: &R, iss: &FhirBase) -> Result<()> {
    registrations.delete(iss).await
}

/// A new access token for a key-bound session: the refresh-token grant with a client assertion
/// (SMART confidential-asymmetric, seed 004 step 3b) when there is a refresh token, otherwise a new
/// JWT bearer grant (step 3a). Returns what [`super::refresh`] does.
pub async fn refresh_key_bound<H: Http, K: Keys, R: Registrations<Pair = K::Pair>>(
    http: &H,
    keys: &K,
    registrations: &R,
    platform: &impl Platform,
    store: &impl Store,
    session: &SessionOf<H>,
) -> Result<(SessionOf<H>, Option<Error>)> {
    if session.refresh_token.is_none() && session.grant == Grant::User {
        return jwt_bearer_sign_in(http, keys, registrations, platform, store, &session.binding.iss).await.map(|s| (s, None));
    }
    super::refresh(http, platform, store, &KeyIdentity { keys, registrations, platform }, session, None, platform.now()).await
}

/// Signs in without the user: the JWT bearer grant (RFC 7523 §2.1) with the stored registration
/// for `iss`. The new session is stored for the tab; the record's last use is updated.
pub async fn jwt_bearer_sign_in<H: Http, K: Keys, R: Registrations<Pair = K::Pair>>(
    http: &H,
    keys: &K,
    registrations: &R,
    platform: &impl Platform,
    store: &impl Store,
    iss: &FhirBase,
) -> Result<SessionOf<H>> {
    let (record, pair) = registration(registrations, iss).await?;
    let now = platform.now();
    let assertion = sign_assertion(keys, platform, &pair, &record, now).await?;
    let b = &record.binding;
    let resp = http.send(&jwt_bearer_request(&b.token_endpoint, &b.client_id, &assertion).timeout(b.timeout_ms)).await?;
    let t = parse_token_response(resp.status, &resp.body)?;
    let mut session = Session::from_token(b.clone(), &record.scope, t, resp.body, now);
    session.relay_key = Some(super::relay::new_key(platform)?);
    registrations.touch(&b.iss, now).await?;
    keep_session(store, &session)?;
    Ok(session)
}
