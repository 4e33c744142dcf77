//! Token endpoint requests (RFC 6749 §4.1.3 with PKCE §4.5 of RFC 7636, refresh §6) and the
//! validation of their answers (§5.1, §5.2, plus the SMART launch-context fields).

use serde::Deserialize;

use super::doc::{AnyObject, Body, Field, Lenient};
use super::encode::{basic_auth, basic_credentials, form};
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
    /// Confidential-symmetric client: HTTP Basic with form-urlencoded id and secret (§2.3.1), or
    /// with them as they are when the flag is set (`secretEncoding: "raw"`).
    Basic(&'a ClientId, &'a ClientSecret, bool),
    /// Confidential-asymmetric client (`private_key_jwt`): a signed JWT, RFC 7523 §2.2.
    Assertion(&'a ClientId, &'a str),
}

/// RFC 7523 §2.1 grant type.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// RFC 7523 §2.2 client assertion type.
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A form POST to the token endpoint, whose answer is a token response.
fn token_form(endpoint: &HttpUrl, pairs: &[(&str, &str)]) -> HttpRequest {
    HttpRequest::form_post(endpoint.as_str().to_owned(), form(pairs)).expect("token response", TOKEN_RESPONSE_LIMIT)
}

fn token_post<'a>(endpoint: &HttpUrl, auth: ClientAuth<'a>, mut pairs: Vec<(&'a str, &'a str)>) -> HttpRequest {
    match auth {
        ClientAuth::Public(id) => {
            pairs.push(("client_id", id.as_str()));
            token_form(endpoint, &pairs)
        }
        ClientAuth::Basic(id, secret, raw) => {
            let (id, secret) = (id.as_str(), secret.secret());
            let credentials = if raw { ["Basic ", &basic_credentials(id, secret)].concat() } else { basic_auth(id, secret) };
            token_form(endpoint, &pairs).header("Authorization", credentials)
        }
        ClientAuth::Assertion(id, assertion) => {
            pairs.extend([("client_id", id.as_str()), ("client_assertion_type", CLIENT_ASSERTION_TYPE), ("client_assertion", assertion)]);
            token_form(endpoint, &pairs)
        }
    }
}

/// The JWT bearer grant (RFC 7523 §2.1) as seed 004 sends it: the assertion and the client id.
pub fn jwt_bearer_request(endpoint: &HttpUrl, client_id: &ClientId, assertion: &str) -> HttpRequest {
    token_form(endpoint, &[("grant_type", JWT_BEARER), ("assertion", assertion), ("client_id", client_id.as_str())])
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

/// A token response as the server sent it (RFC 6749 §5.1 and SMART's launch context), every member
/// read leniently. Members not listed here are not read by the core; the platform keeps the whole
/// body for the app ([`crate::core::session::Session::token_response`]).
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct TokenResponseDoc {
    access_token: Field<String>,
    token_type: Field<String>,
    expires_in: Field<Seconds>,
    scope: Field<String>,
    refresh_token: Field<String>,
    id_token: Field<String>,
    patient: Field<String>,
    encounter: Field<String>,
    #[serde(rename = "fhirUser")]
    fhir_user: Field<String>,
    smart_style_url: Field<String>,
    intent: Field<String>,
    tenant: Field<String>,
    need_patient_banner: Field<Flag>,
    #[serde(rename = "fhirContext")]
    fhir_context: Field<Vec<AnyObject>>,
    /// An error answer's `error` (RFC 6749 §5.2): the same document type reads both answers.
    error: Field<String>,
    /// An error answer's `error_description`.
    error_description: Field<String>,
}

/// A number of seconds: a JSON integer, or its decimal digits in a string (as some servers send
/// `expires_in`).
#[derive(Debug, Default)]
struct Seconds(u64);

impl Lenient for Seconds {
    fn from_i64(n: i64) -> Option<Self> {
        u64::try_from(n).ok().map(Seconds)
    }
    fn from_u64(n: u64) -> Option<Self> {
        Some(Seconds(n))
    }
    fn from_string(s: String) -> Option<Self> {
        let digits = !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| s.parse().ok().map(Seconds)).flatten()
    }
}

/// A boolean, or the string `"true"` / `"false"`.
#[derive(Debug, Default)]
struct Flag(bool);

impl Lenient for Flag {
    fn from_bool(b: bool) -> Option<Self> {
        Some(Flag(b))
    }
    fn from_string(s: String) -> Option<Self> {
        match s.as_str() {
            "true" => Some(Flag(true)),
            "false" => Some(Flag(false)),
            _ => None,
        }
    }
}

/// An OAuth error body (RFC 6749 §5.2, RFC 7591 §3.2.2).
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct ErrorDoc {
    /// `error`.
    pub error: Field<String>,
    /// `error_description`.
    pub error_description: Field<String>,
}

impl ErrorDoc {
    /// `(error, error_description)` of a body, when it is an OAuth error body.
    pub fn of(body: &impl Body) -> (Option<String>, Option<String>) {
        let d: ErrorDoc = body.decode().unwrap_or_default();
        (d.error.value(), d.error_description.value())
    }
}

/// The SMART launch context of a token response (SMART App Launch §2.0.8 / §2.1.8).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Context {
    /// `patient`.
    pub patient: Option<String>,
    /// `encounter`.
    pub encounter: Option<String>,
    /// `fhirUser`.
    pub fhir_user: Option<String>,
    /// `id_token` (not verified here).
    pub id_token: Option<String>,
    /// `need_patient_banner`.
    pub need_patient_banner: Option<bool>,
    /// `smart_style_url`.
    pub smart_style_url: Option<String>,
    /// `intent`.
    pub intent: Option<String>,
    /// `tenant`.
    pub tenant: Option<String>,
}

impl Context {
    /// The context a token response (as stored: merged over refreshes, already validated when it
    /// arrived) names; members of the wrong type count as absent.
    pub fn of(raw: &impl Body) -> Context {
        let d: TokenResponseDoc = raw.decode().unwrap_or_default();
        Context {
            patient: resource_id(d.patient.value()),
            encounter: resource_id(d.encounter.value()),
            fhir_user: d.fhir_user.value(),
            id_token: d.id_token.value(),
            need_patient_banner: d.need_patient_banner.value().map(|f| f.0),
            smart_style_url: d.smart_style_url.value(),
            intent: d.intent.value(),
            tenant: d.tenant.value(),
        }
    }

    /// Applies a newer context: what it names replaces, what it omits is kept (a refresh need
    /// not repeat the launch context).
    pub fn update(&mut self, newer: Context) {
        fn keep<T>(old: &mut Option<T>, new: Option<T>) {
            if new.is_some() {
                *old = new;
            }
        }
        keep(&mut self.patient, newer.patient);
        keep(&mut self.encounter, newer.encounter);
        keep(&mut self.fhir_user, newer.fhir_user);
        keep(&mut self.id_token, newer.id_token);
        keep(&mut self.need_patient_banner, newer.need_patient_banner);
        keep(&mut self.smart_style_url, newer.smart_style_url);
        keep(&mut self.intent, newer.intent);
        keep(&mut self.tenant, newer.tenant);
    }

    /// A launch-context string by its token-response name.
    pub fn get(&self, key: &str) -> Option<&str> {
        match key {
            "patient" => self.patient.as_deref(),
            "encounter" => self.encounter.as_deref(),
            "fhirUser" => self.fhir_user.as_deref(),
            "id_token" => self.id_token.as_deref(),
            "smart_style_url" => self.smart_style_url.as_deref(),
            "intent" => self.intent.as_deref(),
            "tenant" => self.tenant.as_deref(),
            _ => None,
        }
    }
}

/// A validated token response.
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
    /// The launch context.
    pub context: Context,
}

fn bad(field: &'static str, reason: &'static str) -> Error {
    Error::InvalidTokenResponse { field, reason }
}

/// Maps a token-endpoint error answer: an OAuth error body (§5.2) or a bare HTTP status.
fn error_answer(status: u16, body: &impl Body) -> Error {
    let d: TokenResponseDoc = body.decode().unwrap_or_default();
    match (d.error.value(), d.error_description.value()) {
        (Some(error), description) => Error::TokenError { status, error, description },
        (None, _) => Error::HttpStatus { what: "token endpoint", status },
    }
}

/// Whether a token can travel in an HTTP header (`Authorization: Bearer …`) as it is: visible
/// ASCII only (RFC 6750's b64token is a subset). A token with a line break or a non-ASCII byte is
/// a forged or broken answer; it would also make `fetch` throw.
fn header_safe(token: &str) -> bool {
    token.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// A context resource id, unless it is not one path segment (`Patient/..` would address the
/// server's base): such an id is no context.
fn resource_id(id: Option<String>) -> Option<String> {
    id.filter(|v| !matches!(v.as_str(), "" | "." | ".."))
}

fn context_str(f: Field<String>, field: &'static str) -> Result<Option<String>> {
    f.get(|| bad(field, "must be a string"))
}

/// Validates a token endpoint answer, status and body.
pub fn parse_token_response(status: u16, body: &impl Body) -> Result<TokenResponse> {
    if !(200..300).contains(&status) {
        return Err(error_answer(status, body));
    }
    let m: TokenResponseDoc = body.decode().ok_or(Error::InvalidJson { what: "token response" })?;
    let access_token = match m.access_token.get(|| bad("access_token", "must be a string"))? {
        Some(s) if s.is_empty() => return Err(bad("access_token", "is missing")),
        Some(s) if !header_safe(&s) => return Err(bad("access_token", "has characters not allowed in an HTTP header")),
        Some(s) => AccessToken::new(s),
        None => return Err(bad("access_token", "is missing")),
    };
    match m.token_type.get(|| bad("token_type", "must be a string"))? {
        Some(t) if t.eq_ignore_ascii_case("bearer") => {}
        Some(t) => return Err(Error::UnsupportedTokenType { token_type: t }),
        None => return Err(bad("token_type", "is missing")),
    }
    let expires_in = match m.expires_in {
        Field::Absent => None,
        Field::Value(Seconds(s)) if s <= u64::from(u32::MAX) => Some(s),
        _ => return Err(bad("expires_in", "must be a non-negative integer of seconds")),
    };
    let scope = m.scope.get(|| bad("scope", "must be a string"))?.map(|s| Scope::parse(&s));
    let refresh_token = match m.refresh_token.get(|| bad("refresh_token", "must be a string"))? {
        Some(s) if s.is_empty() => return Err(bad("refresh_token", "is empty")),
        Some(s) if !header_safe(&s) => return Err(bad("refresh_token", "has characters not allowed in an HTTP header")),
        other => other.map(RefreshToken::new),
    };
    let context = Context {
        id_token: context_str(m.id_token, "id_token")?,
        patient: resource_id(context_str(m.patient, "patient")?),
        encounter: resource_id(context_str(m.encounter, "encounter")?),
        smart_style_url: context_str(m.smart_style_url, "smart_style_url")?,
        intent: context_str(m.intent, "intent")?,
        tenant: context_str(m.tenant, "tenant")?,
        fhir_user: context_str(m.fhir_user, "fhirUser")?,
        // A hint for the app's layout: a value of another type (some EHRs send "true") is read
        // leniently rather than failing a sign-in the token endpoint granted.
        need_patient_banner: m.need_patient_banner.value().map(|f| f.0),
    };
    m.fhir_context.get(|| bad("fhirContext", "must be an array of objects"))?;
    Ok(TokenResponse { access_token, expires_in, scope, refresh_token, context })
}
