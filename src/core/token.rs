//! Token endpoint requests (RFC 6749 §4.1.3 with PKCE §4.5 of RFC 7636, refresh §6) and the
//! validation of their answers (§5.1, §5.2, plus the SMART launch-context fields).

use super::encode::{basic_auth, form, json_object, opt_bool, opt_str};
use super::json::{Json, Obj};
use super::error::{Error, Result};
use super::http::HttpRequest;
use super::types::{AccessToken, AuthorizationCode, ClientId, ClientSecret, HttpUrl, PkceVerifier, RefreshToken, Scope};

/// Largest token response accepted.
pub const TOKEN_RESPONSE_LIMIT: usize = 1024 * 1024;

/// How the client authenticates at the token endpoint.
#[derive(Clone, Copy, Debug)]
pub enum ClientAuth<'a> {
    /// Public client: `client_id` in the body (RFC 6749 §3.2.1).
    Public(&'a ClientId),
    /// Confidential-symmetric client: HTTP Basic with form-urlencoded id and secret (§2.3.1).
    Basic(&'a ClientId, &'a ClientSecret),
    /// Confidential-asymmetric client (`private_key_jwt`): a signed JWT, RFC 7523 §2.2.
    Assertion(&'a ClientId, &'a str),
}

/// RFC 7523 §2.1 grant type.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// RFC 7523 §2.2 client assertion type.
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn token_post<'a>(endpoint: &HttpUrl, auth: ClientAuth<'a>, mut pairs: Vec<(&'a str, &'a str)>) -> HttpRequest {
    match auth {
        ClientAuth::Public(id) => {
            pairs.push(("client_id", id.as_str()));
            HttpRequest::form_post(endpoint.as_str().to_owned(), form(&pairs))
        }
        ClientAuth::Basic(id, secret) => HttpRequest::form_post(endpoint.as_str().to_owned(), form(&pairs))
            .header("Authorization", basic_auth(id, secret)),
        ClientAuth::Assertion(id, assertion) => {
            pairs.extend([("client_id", id.as_str()), ("client_assertion_type", CLIENT_ASSERTION_TYPE), ("client_assertion", assertion)]);
            HttpRequest::form_post(endpoint.as_str().to_owned(), form(&pairs))
        }
    }
}

/// The JWT bearer grant (RFC 7523 §2.1) as seed 004 sends it: the assertion and the client id.
pub fn jwt_bearer_request(endpoint: &HttpUrl, client_id: &ClientId, assertion: &str) -> HttpRequest {
    let body = form(&[("grant_type", JWT_BEARER), ("assertion", assertion), ("client_id", client_id.as_str())]);
    HttpRequest::form_post(endpoint.as_str().to_owned(), body)
}

/// The client credentials grant (RFC 6749 §4.4; SMART Backend Services with an assertion, or
/// `client_secret_basic` as seed 003 describes). For tools and tests, never for patients' browsers.
pub fn client_credentials_request(endpoint: &HttpUrl, auth: ClientAuth<'_>, scope: &Scope) -> HttpRequest {
    token_post(endpoint, auth, vec![("grant_type", "client_credentials"), ("scope", scope.as_str())])
}

/// The authorization-code exchange, with the PKCE verifier.
pub fn code_request(
    endpoint: &HttpUrl,
    auth: ClientAuth<'_>,
    code: &AuthorizationCode,
    redirect_uri: &HttpUrl,
    verifier: &PkceVerifier,
) -> HttpRequest {
    token_post(
        endpoint,
        auth,
        vec![
            ("grant_type", "authorization_code"),
            ("code", code.secret()),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", verifier.secret()),
        ],
    )
}

/// The refresh-token grant.
pub fn refresh_request(endpoint: &HttpUrl, auth: ClientAuth<'_>, refresh_token: &RefreshToken) -> HttpRequest {
    token_post(endpoint, auth, vec![("grant_type", "refresh_token"), ("refresh_token", refresh_token.secret())])
}

/// A validated token response. `raw` keeps every field, known or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenResponse {
    /// `access_token`.
    pub access_token: AccessToken,
    /// `expires_in`, seconds, when sent.
    pub expires_in: Option<u64>,
    /// `scope` as granted, when sent (normalized).
    pub scope: Option<Scope>,
    /// `refresh_token`, when sent.
    pub refresh_token: Option<RefreshToken>,
    /// The whole JSON object as received.
    pub raw: Obj,
}

fn bad(field: &'static str, reason: &'static str) -> Error {
    Error::InvalidTokenResponse { field, reason }
}

/// The type each SMART launch-context field must have when present.
const CONTEXT_STRINGS: [&str; 7] = ["id_token", "patient", "encounter", "smart_style_url", "intent", "tenant", "fhirUser"];

/// Maps a token-endpoint error answer: an OAuth error body (§5.2) or a bare HTTP status.
fn error_answer(status: u16, body: &str) -> Error {
    match json_object("token response", body, TOKEN_RESPONSE_LIMIT) {
        Ok(m) => match m.get("error").and_then(Json::as_str) {
            Some(e) => Error::TokenError {
                status,
                error: e.to_owned(),
                description: m.get("error_description").and_then(Json::as_str).map(str::to_owned),
            },
            None => Error::HttpStatus { what: "token endpoint", status },
        },
        Err(_) => Error::HttpStatus { what: "token endpoint", status },
    }
}

/// Validates a token endpoint answer, status and body.
pub fn parse_token_response(status: u16, body: &str) -> Result<TokenResponse> {
    if !(200..300).contains(&status) {
        return Err(error_answer(status, body));
    }
    let m = json_object("token response", body, TOKEN_RESPONSE_LIMIT)?;
    let access_token = match opt_str(&m, "access_token", || bad("access_token", "must be a string"))? {
        Some(s) if !s.is_empty() => AccessToken::new(s),
        _ => return Err(bad("access_token", "is missing")),
    };
    match opt_str(&m, "token_type", || bad("token_type", "must be a string"))? {
        Some(t) if t.eq_ignore_ascii_case("bearer") => {}
        Some(t) => return Err(Error::UnsupportedTokenType { token_type: t.to_owned() }),
        None => return Err(bad("token_type", "is missing")),
    }
    let expires_in = match m.get("expires_in") {
        None | Some(Json::Null) => None,
        Some(v) => Some(v.as_u64().filter(|s| *s <= u64::from(u32::MAX)).ok_or_else(|| bad("expires_in", "must be a non-negative integer of seconds"))?),
    };
    let scope = opt_str(&m, "scope", || bad("scope", "must be a string"))?.map(Scope::parse);
    let refresh_token = match opt_str(&m, "refresh_token", || bad("refresh_token", "must be a string"))? {
        Some("") => return Err(bad("refresh_token", "is empty")),
        other => other.map(RefreshToken::new),
    };
    for field in CONTEXT_STRINGS {
        opt_str(&m, field, || bad(field, "must be a string"))?;
    }
    opt_bool(&m, "need_patient_banner", || bad("need_patient_banner", "must be a boolean"))?;
    match m.get("fhirContext") {
        None | Some(Json::Null) => {}
        Some(Json::Arr(a)) if a.iter().all(|x| x.as_object().is_some()) => {}
        Some(_) => return Err(bad("fhirContext", "must be an array of objects")),
    }
    Ok(TokenResponse { access_token, expires_in, scope, refresh_token, raw: m })
}
