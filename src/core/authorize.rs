//! The authorization request (RFC 6749 §4.1.1 with PKCE, RFC 7636 §4.3, and SMART's `aud` and
//! `launch`) and the record of a launch in flight, stored by the driver under its `state`.

use serde::{Deserialize, Serialize};

use super::binding::Binding;
use super::config::{LaunchKind, Options, ServerEntry};
use super::discovery::SmartConfiguration;
use super::types::{HttpUrl, Issuer, PkceChallenge, PkceVerifier, Scope, State};

/// Everything needed to finish a launch on the redirect page. Holds no client secret.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LaunchRecord {
    /// The chosen server and client (a confidential one's secret must be supplied again).
    pub binding: Binding,
    /// Exact redirect URI sent, repeated in the token request.
    pub redirect_uri: HttpUrl,
    /// Scope requested.
    pub scope: Scope,
    /// Issuer from discovery, for the RFC 9207 check.
    pub issuer: Option<Issuer>,
    /// Whether the server promised `iss` on the redirect.
    pub iss_required: bool,
    /// The PKCE verifier for this launch.
    pub verifier: PkceVerifier,
    /// The OpenID Connect `nonce` sent (when the scope has `openid`): the id_token must carry it.
    #[serde(default)]
    pub nonce: Option<String>,
    /// The smart-configuration's `jwks_uri`: the keys an id_token is verified with (when absent,
    /// the issuer's own metadata is asked for them on the redirect page).
    #[serde(default)]
    pub jwks_uri: Option<HttpUrl>,
    /// The smart-configuration's `id_token_signing_alg_values_supported`, when published.
    #[serde(default)]
    pub id_token_algs: Vec<String>,
    /// When the launch started (seconds since the epoch).
    pub created_at: u64,
}

/// Launch records older than this are ignored and purged (seconds).
pub const LAUNCH_TTL: u64 = 15 * 60;

/// The fresh randomness one launch needs (from `getrandom` in the browser; fixed in tests).
pub struct LaunchRandom {
    /// 32 bytes for `state`.
    pub state: [u8; 32],
    /// 32 bytes for the PKCE verifier.
    pub verifier: [u8; 32],
    /// 32 bytes for the OpenID Connect `nonce` (sent only when the scope has `openid`).
    pub nonce: [u8; 32],
}

/// A prepared authorization request: the URL to navigate to, and what to store under `state`.
#[derive(Debug)]
pub struct AuthorizeRequest {
    /// The full authorization URL.
    pub url: String,
    /// The `state` it carries; the storage key of `record`.
    pub state: State,
    /// The record to store until the redirect comes back.
    pub record: LaunchRecord,
}

/// Builds the authorization request. `digest` is SHA-256 of the verifier made from
/// `random.verifier` (the driver computes it with WebCrypto).
#[allow(clippy::too_many_arguments)]
pub fn authorize_request(
    opts: &Options,
    server: &ServerEntry,
    kind: &LaunchKind,
    config: &SmartConfiguration,
    random: &LaunchRandom,
    digest: &[u8; 32],
    now: u64,
) -> AuthorizeRequest {
    let state = State::from_random(&random.state);
    let verifier = PkceVerifier::from_random(&random.verifier);
    let challenge = PkceChallenge::from_sha256(digest);
    let mut scope = server.scope.clone();
    if let LaunchKind::Ehr { .. } = kind {
        if !scope.contains("launch") {
            scope = Scope::parse(&["launch ", scope.as_str()].concat());
        }
    }
    // OpenID Connect: a nonce binds the id_token to this launch (OIDC Core §3.1.2.1).
    let nonce = scope.contains("openid").then(|| State::from_random(&random.nonce).as_str().to_owned());
    let mut url = config.authorization_endpoint.url().clone();
    {
        let mut q = url.query_pairs_mut();
        q.extend_pairs([
            ("response_type", "code"),
            ("client_id", server.client_id.as_str()),
            ("redirect_uri", server.redirect_uri.as_str()),
            ("scope", scope.as_str()),
            ("state", state.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ]);
        if opts.send_aud {
            q.append_pair("aud", server.iss.as_str());
        }
        if let LaunchKind::Ehr { launch } = kind {
            q.append_pair("launch", launch);
        }
        if let Some(n) = &nonce {
            q.append_pair("nonce", n);
        }
    }
    AuthorizeRequest {
        url: url.into(),
        state,
        record: LaunchRecord {
            binding: server.binding(config.token_endpoint.clone(), opts),
            redirect_uri: server.redirect_uri.clone(),
            scope,
            issuer: config.issuer.clone(),
            iss_required: config.iss_parameter_supported,
            verifier,
            nonce,
            jwks_uri: config.jwks_uri.clone(),
            id_token_algs: config.id_token_algs.clone(),
            created_at: now,
        },
    }
}

impl LaunchRecord {
    /// Whether the launch is too old to complete.
    pub fn expired(&self, now: u64) -> bool {
        now.saturating_sub(self.created_at) > LAUNCH_TTL
    }
}
