//! The authorized session: tokens, expiry, launch context; when to refresh and how to apply a
//! refresh answer. Kept in `sessionStorage` so a reload of the tab keeps the session.
//!
//! `B` is the platform's parsed body ([`Body`]): the whole token response as the server sent it,
//! unknown members included, kept for the app (`getState().tokenResponse`) and merged over
//! refreshes; the core reads only the typed [`Context`].

use serde::{Deserialize, Serialize};

use super::authorize::LaunchRecord;
use super::binding::{AuthMethod, Binding};
use super::doc::Body;
use super::encode::basic_credentials;
use super::error::{Error, Result};
use super::http::HttpRequest;
use super::idtoken::Verification;
use super::token::{client_credentials_request, refresh_request, Context, TokenResponse};
use super::types::{AccessToken, ClientId, ClientSecret, FhirBase, HttpUrl, Issuer, RefreshToken, RelayKey, Scope};

/// A SMART session with one FHIR server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session<B> {
    /// The server and client, as chosen at launch.
    pub binding: Binding,
    /// Current access token (for a [`Session::basic`] session: the Basic credentials).
    pub access_token: AccessToken,
    /// The `Authorization` scheme FHIR requests use: `Bearer`, or `Basic` for [`Session::basic`].
    pub basic: bool,
    /// Current refresh token, if any.
    pub refresh_token: Option<RefreshToken>,
    /// When the access token expires (seconds since the epoch), if the server said.
    pub expires_at: Option<u64>,
    /// When the access token was had (seconds since the epoch): it is not refreshed before it is
    /// [`MIN_TOKEN_AGE`] old, whatever its lifetime (`expires_in: 0` must not make every request
    /// refresh).
    #[serde(default)]
    pub obtained_at: u64,
    /// Scope granted (or requested, when the server did not say, RFC 6749 §5.1).
    pub scope: Scope,
    /// The launch context, merged over refreshes. Not stored: read again from the stored
    /// `token_response` ([`Context::of`]) when the session is restored.
    #[serde(skip)]
    pub context: Context,
    /// The token response as received, merged over refreshes.
    pub token_response: B,
    /// How a new access token is had: by the grant that gave the first one when it is the client
    /// credentials grant (it has no refresh token), otherwise by refresh (or a JWT bearer grant).
    #[serde(default)]
    pub grant: Grant,
    /// The redirect URI of the launch that started the session, when one did (a dynamic
    /// registration names it in its `redirect_uris`).
    #[serde(default)]
    pub redirect_uri: Option<HttpUrl>,
    /// The authorization server's issuer and `jwks_uri` as its smart-configuration named them, and
    /// the algorithms it says it signs id_tokens with: an id_token a refresh brings is verified
    /// against them.
    #[serde(default)]
    pub issuer: Option<Issuer>,
    /// See `issuer`.
    #[serde(default)]
    pub jwks_uri: Option<HttpUrl>,
    /// See `issuer`.
    #[serde(default)]
    pub id_token_algs: Vec<String>,
    /// The claims of the verified id_token (OpenID Connect), when the server issued one.
    #[serde(default)]
    pub id_claims: Option<B>,
    /// How the origin of `id_claims` was established.
    #[serde(default)]
    pub id_verified_by: Option<Verification>,
    /// The key the tabs sharing this session seal their relay records with
    /// ([`crate::core::relay`]); made by the driver when the session starts.
    #[serde(default)]
    pub relay_key: Option<RelayKey>,
    /// Refreshes since the session started: of two states of one session, the later one.
    #[serde(default)]
    pub generation: u64,
}

/// The grant a session started with, where it decides how the session renews.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Grant {
    /// A user's authorization (code, or JWT bearer): renewed with the refresh token, or for a
    /// key-bound client without one, a new JWT bearer grant.
    #[default]
    #[serde(rename = "user")]
    User,
    /// The client credentials grant (SMART Backend Services, seed 003): renewed by the same grant,
    /// with the client's secret or a fresh client assertion.
    #[serde(rename = "client_credentials")]
    ClientCredentials,
}

/// What `client.getState()` shows: fhirclient.js's shape.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct State<'a, B> {
    /// The FHIR base.
    pub server_url: &'a str,
    /// The client id.
    pub client_id: &'a str,
    /// The token endpoint.
    pub token_uri: &'a str,
    /// Granted scope.
    pub scope: &'a str,
    /// Expiry, seconds since the epoch.
    pub expires_at: Option<u64>,
    /// The token response (merged over refreshes).
    pub token_response: &'a B,
}

/// Seconds an access token is used before it may be refreshed ahead of expiry.
pub const MIN_TOKEN_AGE: u64 = 5;

fn expiry(now: u64, t: &TokenResponse) -> Option<u64> {
    t.expires_in.map(|s| now.saturating_add(s))
}

impl<B: Body> Session<B> {
    /// The session made by a successful code exchange.
    pub fn from_code_exchange(record: &LaunchRecord, t: TokenResponse, raw: B, now: u64) -> Self {
        Session {
            redirect_uri: Some(record.redirect_uri.clone()),
            issuer: record.issuer.clone(),
            jwks_uri: record.jwks_uri.clone(),
            id_token_algs: record.id_token_algs.clone(),
            ..Session::from_token(record.binding.clone(), &record.scope, t, raw, now)
        }
    }

    /// The session a token response starts, for `binding`; `requested` is the scope when the
    /// answer does not name one (RFC 6749 §5.1). `raw` is the response body as received.
    pub fn from_token(binding: Binding, requested: &Scope, t: TokenResponse, raw: B, now: u64) -> Self {
        Session {
            binding,
            basic: false,
            expires_at: expiry(now, &t),
            obtained_at: now,
            scope: t.scope.clone().unwrap_or_else(|| requested.clone()),
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            context: t.context,
            token_response: raw,
            grant: Grant::User,
            redirect_uri: None,
            issuer: None,
            jwks_uri: None,
            id_token_algs: Vec::new(),
            id_claims: None,
            id_verified_by: None,
            relay_key: None,
            generation: 0,
        }
    }

    /// A session that sends HTTP Basic client credentials (RFC 7617) on every FHIR request, for
    /// servers that accept them (seed 002's `basic` clients). There is no token to refresh; the
    /// binding's token endpoint is the FHIR base and is never used. Tools and tests only.
    pub fn basic(iss: FhirBase, client_id: ClientId, secret: &ClientSecret) -> Self {
        Session {
            access_token: AccessToken::new(basic_credentials(client_id.as_str(), secret.secret())),
            basic: true,
            refresh_token: None,
            expires_at: None,
            obtained_at: 0,
            scope: Scope::default(),
            context: Context::default(),
            token_response: B::default(),
            grant: Grant::User,
            redirect_uri: None,
            issuer: None,
            jwks_uri: None,
            id_token_algs: Vec::new(),
            id_claims: None,
            id_verified_by: None,
            relay_key: None,
            generation: 0,
            binding: Binding {
                token_endpoint: iss.as_dir().clone(),
                iss,
                client_id,
                auth: AuthMethod::SecretBasic,
                epic_client_id_header: false,
                refresh_margin: 0,
                timeout_ms: super::http::DEFAULT_TIMEOUT_MS,
                require_id_token_signature: false,
            },
        }
    }

    /// The `Authorization` header value of FHIR requests.
    pub fn authorization(&self) -> String {
        [if self.basic { "Basic " } else { "Bearer " }, self.access_token.secret()].concat()
    }

    /// Whether a new access token can be had without the user: a refresh token, this browser's
    /// registered key (a new JWT bearer grant), or the client credentials grant again.
    pub fn can_refresh(&self) -> bool {
        !self.basic
            && (self.refresh_token.is_some() || self.binding.auth == AuthMethod::PrivateKeyJwt || self.grant == Grant::ClientCredentials)
    }

    /// Whether the access token is within `refresh_margin` of expiry, is at least
    /// [`MIN_TOKEN_AGE`] old, and can be refreshed. (A token that a short lifetime makes refresh
    /// sooner is still refreshed on a 401.)
    pub fn needs_refresh(&self, now: u64) -> bool {
        self.can_refresh()
            && now >= self.obtained_at.saturating_add(MIN_TOKEN_AGE)
            && self.expires_at.is_some_and(|at| at <= now.saturating_add(self.binding.refresh_margin))
    }

    /// The refresh request (RFC 6749 §6), authenticated with the app's secret or a client
    /// assertion as the binding requires.
    /// For a client credentials session, the same grant again (RFC 6749 §4.4; there is no refresh
    /// token).
    pub fn refresh_request(&self, secret: Option<&ClientSecret>, assertion: Option<&str>) -> Result<HttpRequest> {
        let b = &self.binding;
        if self.grant == Grant::ClientCredentials {
            return Ok(client_credentials_request(&b.token_endpoint, b.client_auth(secret, assertion)?, &self.scope));
        }
        let rt = self.refresh_token.as_ref().ok_or(Error::NoRefreshToken)?;
        Ok(refresh_request(&b.token_endpoint, b.client_auth(secret, assertion)?, rt))
    }

    /// Applies a refresh answer: new access token and expiry; a new refresh token replaces the
    /// old one (rotation), otherwise the old one stays; launch context not repeated is kept.
    pub fn apply_refresh(&mut self, t: TokenResponse, raw: &B, now: u64) {
        self.expires_at = expiry(now, &t);
        self.obtained_at = now;
        self.generation += 1;
        if let Some(s) = t.scope {
            self.scope = s;
        }
        self.access_token = t.access_token;
        if t.refresh_token.is_some() {
            self.refresh_token = t.refresh_token;
        }
        self.context.update(t.context);
        self.token_response = self.token_response.merged(raw);
    }

    /// The session as read back from storage or another tab: its launch context, which is not
    /// stored, read again from the stored token response.
    pub fn with_context(mut self) -> Self {
        self.context = Context::of(&self.token_response);
        self
    }

    /// A launch-context string from the token response (`patient`, `encounter`, …).
    pub fn context(&self, key: &str) -> Option<&str> {
        self.context.get(key)
    }

    /// The state shown to the app (`client.getState()`).
    pub fn state(&self) -> State<'_, B> {
        State {
            server_url: self.binding.iss.as_str(),
            client_id: self.binding.client_id.as_str(),
            token_uri: self.binding.token_endpoint.as_str(),
            scope: self.scope.as_str(),
            expires_at: self.expires_at,
            token_response: &self.token_response,
        }
    }
}
