//! The authorized session: tokens, expiry, launch context; when to refresh and how to apply a
//! refresh answer. Serialized to `sessionStorage` so a reload of the tab keeps the session.

use super::authorize::LaunchRecord;
use super::encode::Stored;
use super::json::{Json, Obj};
use super::error::{Error, Result};
use super::http::HttpRequest;
use super::binding::{AuthMethod, Binding};
use super::token::{refresh_request, TokenResponse};
use super::encode::basic_credentials;
use super::types::{AccessToken, ClientId, ClientSecret, FhirBase, RefreshToken, Scope};

/// A SMART session with one FHIR server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
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
    /// Scope granted (or requested, when the server did not say, RFC 6749 §5.1).
    pub scope: Scope,
    /// The token response fields, merged over refreshes (launch context kept).
    pub token_response: Obj,
}

fn expiry(now: u64, t: &TokenResponse) -> Option<u64> {
    t.expires_in.map(|s| now.saturating_add(s))
}

impl Session {
    /// The session made by a successful code exchange.
    pub fn from_code_exchange(record: &LaunchRecord, t: TokenResponse, now: u64) -> Session {
        Session::from_token(record.binding.clone(), &record.scope, t, now)
    }

    /// The session a token response starts, for `binding`; `requested` is the scope when the
    /// answer does not name one (RFC 6749 §5.1).
    pub fn from_token(binding: Binding, requested: &Scope, t: TokenResponse, now: u64) -> Session {
        Session {
            binding,
            basic: false,
            expires_at: expiry(now, &t),
            scope: t.scope.clone().unwrap_or_else(|| requested.clone()),
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            token_response: t.raw,
        }
    }

    /// A session that sends HTTP Basic client credentials (RFC 7617) on every FHIR request, for
    /// servers that accept them (seed 002's `basic` clients). There is no token to refresh; the
    /// binding's token endpoint is the FHIR base and is never used. Tools and tests only.
    pub fn basic(iss: FhirBase, client_id: ClientId, secret: &ClientSecret) -> Session {
        Session {
            access_token: AccessToken::new(basic_credentials(&client_id, secret)),
            basic: true,
            refresh_token: None,
            expires_at: None,
            scope: Scope::default(),
            token_response: Obj::new(),
            binding: Binding {
                token_endpoint: iss.as_dir().clone(),
                iss,
                client_id,
                auth: AuthMethod::SecretBasic,
                epic_client_id_header: false,
                refresh_margin: 0,
            },
        }
    }

    /// The `Authorization` header value of FHIR requests.
    pub fn authorization(&self) -> String {
        crate::core::cat(&[if self.basic { "Basic " } else { "Bearer " }, self.access_token.secret()])
    }

    /// Whether a new access token can be had without the user: a refresh token, or this browser's
    /// registered key (a new JWT bearer grant).
    pub fn can_refresh(&self) -> bool {
        !self.basic && (self.refresh_token.is_some() || self.binding.auth == AuthMethod::PrivateKeyJwt)
    }

    /// Whether the access token is within `refresh_margin` of expiry and can be refreshed.
    pub fn needs_refresh(&self, now: u64) -> bool {
        self.can_refresh()
            && self.expires_at.is_some_and(|at| at <= now.saturating_add(self.binding.refresh_margin))
    }

    /// The refresh request (RFC 6749 §6), authenticated with the app's secret or a client
    /// assertion as the binding requires.
    pub fn refresh_request(&self, secret: Option<&ClientSecret>, assertion: Option<&str>) -> Result<HttpRequest> {
        let rt = self.refresh_token.as_ref().ok_or(Error::NoRefreshToken)?;
        Ok(refresh_request(&self.binding.token_endpoint, self.binding.client_auth(secret, assertion)?, rt))
    }

    /// Applies a refresh answer: new access token and expiry; a new refresh token replaces the
    /// old one (rotation), otherwise the old one stays; launch context not repeated is kept.
    pub fn apply_refresh(&mut self, t: TokenResponse, now: u64) {
        self.expires_at = expiry(now, &t);
        if let Some(s) = t.scope {
            self.scope = s;
        }
        self.access_token = t.access_token;
        if t.refresh_token.is_some() {
            self.refresh_token = t.refresh_token;
        }
        for (k, v) in t.raw {
            self.token_response.insert(&k, v);
        }
    }

    /// A launch-context string from the token response (`patient`, `encounter`, …).
    pub fn context(&self, key: &str) -> Option<&str> {
        self.token_response.get(key).and_then(Json::as_str)
    }

    /// The state shown to the app (`client.getState()`), as JSON text; fhirclient.js's shape.
    pub fn state_json(&self) -> String {
        Obj::new()
            .with("serverUrl", self.binding.iss.as_str())
            .with("clientId", self.binding.client_id.as_str())
            .with("tokenUri", self.binding.token_endpoint.as_str())
            .with("scope", self.scope.as_str())
            .with("expiresAt", self.expires_at)
            .with("tokenResponse", self.token_response.clone())
            .to_text()
    }

    /// The JSON text stored in `sessionStorage`.
    pub fn to_json(&self) -> String {
        self.binding
            .write(Obj::new().with("v", 1))
            .with("accessToken", self.access_token.secret())
            .with("basic", self.basic)
            .with("refreshToken", self.refresh_token.as_ref().map(RefreshToken::secret))
            .with("expiresAt", self.expires_at)
            .with("scope", self.scope.as_str())
            .with("tokenResponse", self.token_response.clone())
            .to_text()
    }

    /// Reads a stored session back; anything malformed is a [`Error::Storage`].
    pub fn from_json(s: &str) -> Result<Session> {
        let r = Stored::parse("session", s, 2 * 1024 * 1024)?;
        Ok(Session {
            binding: Binding::read(&r)?,
            access_token: AccessToken::new(r.str("accessToken")?),
            basic: r.bool("basic")?,
            refresh_token: r.opt_str("refreshToken")?.map(RefreshToken::new),
            expires_at: r.opt_u64("expiresAt")?,
            scope: Scope::parse(r.str("scope")?),
            token_response: r.obj("tokenResponse")?,
        })
    }
}
