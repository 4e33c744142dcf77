//! The one error type of the crate. Every variant has a stable string [`Error::code`] that reaches
//! JavaScript as the `.code` of an `Error` object; the codes are listed in `pkg-template/index.d.ts`.
//!
//! Variants are grouped by who is at fault (after rustls): the caller's options, the server's
//! answers, the browser's APIs.

use core::fmt;

use super::u64_text;

/// Which protocol document or response an error is about.
pub type What = &'static str;

/// Everything that can go wrong in a SMART launch, typed; never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    // --- the caller's input (options, URLs given by the app) ---
    /// An option is missing or has the wrong type or value.
    InvalidOption { option: String, reason: &'static str },
    /// An EHR launch named an `iss` that is not in the app's list of servers (forged-iss defence).
    IssNotAllowed { iss: String },
    /// A URL (from the caller or a server) does not parse as an absolute URL.
    InvalidUrl { what: What, url: String },
    /// A URL is not `https:` and not a loopback address.
    InsecureUrl { what: What, url: String },
    /// `client.request` was given a URL outside the FHIR server the token was issued for.
    UrlNotAllowed { url: String },
    /// The launch context has no such item (e.g. `client.patient.read()` without a patient).
    MissingContext { key: &'static str },
    /// `ready()` found neither an authorization response to complete nor a stored session.
    NoLaunch,

    // --- the authorization server's or FHIR server's answers ---
    /// The SMART configuration document is missing a required field or has a wrong type.
    InvalidDiscovery { field: &'static str, reason: &'static str },
    /// The server lists `code_challenge_methods_supported` without `S256`; we never downgrade PKCE.
    PkceUnsupported,
    /// The redirect carries no `state` parameter.
    MissingState,
    /// The redirect's `state` matches no launch in flight: tampered, replayed or from another tab.
    UnknownState,
    /// The redirect carries neither `code` nor `error`.
    MissingCode,
    /// The smart-configuration's endpoints break the mix-up rule (authorization and token endpoint
    /// on different origins) or are not the ones the app pinned: refused before anyone is sent anywhere.
    EndpointMismatch { field: &'static str, reason: &'static str },
    /// RFC 9207: the redirect's `iss` differs from the authorization server's issuer.
    IssuerMismatch { expected: String, got: String },
    /// The authorization server redirected back with `error=` (RFC 6749 §4.1.2.1).
    AuthorizationError { error: String, description: Option<String> },
    /// The token endpoint answered with an OAuth error body (RFC 6749 §5.2).
    TokenError { status: u16, error: String, description: Option<String> },
    /// A token response field is missing or has the wrong type or value.
    InvalidTokenResponse { field: &'static str, reason: &'static str },
    /// The server offers no `registration_endpoint` (RFC 7591) in its SMART configuration.
    RegistrationUnsupported,
    /// The registration endpoint refused (RFC 7591 §3.2.2: `invalid_client_metadata`, …; or 401).
    RegistrationError { status: u16, error: Option<String>, description: Option<String> },
    /// A registration response field is missing or has the wrong type.
    InvalidRegistrationResponse { field: &'static str, reason: &'static str },
    /// No registration is stored for this server in this browser.
    NoRegistration { iss: String },
    /// `token_type` is not `bearer` (compared case-insensitively).
    UnsupportedTokenType { token_type: String },
    /// A refresh was needed or asked for, but the session holds no refresh token.
    NoRefreshToken,
    /// A response body is not the JSON object it must be.
    InvalidJson { what: What },
    /// A response body is larger than any legitimate answer of its kind.
    ResponseTooLarge { what: What, limit: usize },
    /// An HTTP status that is neither success nor one of the cases below.
    HttpStatus { what: What, status: u16 },
    /// The FHIR server answered 401 even after a token refresh.
    Unauthorized,
    /// The FHIR server answered 403: the token lacks the scope for this request.
    InsufficientScope { www_authenticate: Option<String> },
    /// A response tried to redirect a request that carries a token; not followed.
    UnexpectedRedirect { url: String },
    /// The token response's `id_token` failed verification (OIDC Core §3.1.3.7): signature, key,
    /// algorithm or a claim; nothing from it is used and no session is stored.
    InvalidIdToken { reason: &'static str },

    // --- the browser ---
    /// No complete answer within the request's time limit (the `timeout` option).
    Timeout { what: What, ms: u32 },
    /// The app aborted the request (its `AbortSignal`).
    Aborted,
    /// Paging through a search's `next` links reached its overall bound: `by` is `"pages"`
    /// (`pageLimit: 0` follows at most [`MAX_PAGES`](crate::core::fhir::MAX_PAGES)) or
    /// `"milliseconds"` (`pagingTimeout`).
    PagingLimit { by: &'static str, limit: u64 },
    /// `fetch` failed (network, CORS, DNS).
    Network { message: String },
    /// `sessionStorage` or a stored record failed.
    Storage { message: String },
    /// WebCrypto or the random source failed.
    Crypto { message: String },
}

impl Error {
    /// The stable machine-readable code JavaScript sees as `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidOption { .. } => "invalid_option",
            Error::IssNotAllowed { .. } => "iss_not_allowed",
            Error::InvalidUrl { .. } => "invalid_url",
            Error::InsecureUrl { .. } => "insecure_url",
            Error::UrlNotAllowed { .. } => "url_not_allowed",
            Error::MissingContext { .. } => "missing_context",
            Error::NoLaunch => "no_launch",
            Error::InvalidDiscovery { .. } => "invalid_discovery",
            Error::PkceUnsupported => "pkce_unsupported",
            Error::MissingState => "missing_state",
            Error::UnknownState => "unknown_state",
            Error::MissingCode => "missing_code",
            Error::IssuerMismatch { .. } => "issuer_mismatch",
            Error::EndpointMismatch { .. } => "endpoint_mismatch",
            Error::AuthorizationError { .. } => "authorization_error",
            Error::TokenError { .. } => "token_error",
            Error::InvalidTokenResponse { .. } => "invalid_token_response",
            Error::UnsupportedTokenType { .. } => "unsupported_token_type",
            Error::RegistrationUnsupported => "registration_unsupported",
            Error::RegistrationError { .. } => "registration_error",
            Error::InvalidRegistrationResponse { .. } => "invalid_registration_response",
            Error::NoRegistration { .. } => "no_registration",
            Error::NoRefreshToken => "no_refresh_token",
            Error::InvalidJson { .. } => "invalid_json",
            Error::ResponseTooLarge { .. } => "response_too_large",
            Error::HttpStatus { .. } => "http_error",
            Error::Unauthorized => "unauthorized",
            Error::InsufficientScope { .. } => "insufficient_scope",
            Error::UnexpectedRedirect { .. } => "unexpected_redirect",
            Error::InvalidIdToken { .. } => "invalid_id_token",
            Error::Timeout { .. } => "timeout",
            Error::Aborted => "aborted",
            Error::PagingLimit { .. } => "paging_limit",
            Error::Network { .. } => "network_error",
            Error::Storage { .. } => "storage_error",
            Error::Crypto { .. } => "crypto_error",
        }
    }

    /// The OAuth `error` value, for the variants that carry one.
    pub fn oauth_error(&self) -> Option<(&str, Option<&str>)> {
        match self {
            Error::AuthorizationError { error, description }
            | Error::TokenError { error, description, .. } => Some((error, description.as_deref())),
            Error::RegistrationError { error: Some(error), description, .. } => Some((error, description.as_deref())),
            _ => None,
        }
    }

    /// The HTTP status, for the variants that carry one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::TokenError { status, .. } | Error::HttpStatus { status, .. } | Error::RegistrationError { status, .. } => {
                Some(*status)
            }
            Error::Unauthorized => Some(401),
            Error::InsufficientScope { .. } => Some(403),
            _ => None,
        }
    }
}

impl Error {
    /// A human-readable message (built without `core::fmt`, which costs wasm bytes).
    pub fn message(&self) -> String {
        let c = |parts: &[&str]| parts.concat();
        match self {
            Error::InvalidOption { option, reason } => c(&["option `", option, "` ", reason]),
            Error::IssNotAllowed { iss } => c(&["iss ", iss, " is not one of the configured servers"]),
            Error::InvalidUrl { what, url } => c(&[what, " is not an acceptable absolute URL: ", url]),
            Error::InsecureUrl { what, url } => c(&[what, " must use https (or a loopback host): ", url]),
            Error::UrlNotAllowed { url } => c(&[url, " is outside the FHIR server of this session"]),
            Error::MissingContext { key } => c(&["no ", key, " in the launch context"]),
            Error::NoLaunch => c(&["no authorization response to complete and no stored session"]),
            Error::InvalidDiscovery { field, reason } => c(&["smart-configuration `", field, "` ", reason]),
            Error::PkceUnsupported => c(&["server does not support PKCE S256"]),
            Error::MissingState => c(&["authorization response has no state"]),
            Error::UnknownState => c(&["authorization response state matches no launch in flight"]),
            Error::MissingCode => c(&["authorization response has no code"]),
            Error::IssuerMismatch { expected, got } => c(&["iss `", got, "` is not the issuer `", expected, "`"]),
            Error::EndpointMismatch { field, reason } => c(&["smart-configuration `", field, "` ", reason]),
            Error::AuthorizationError { error, description } | Error::TokenError { error, description, .. } => match description {
                Some(d) => c(&[error, ": ", d]),
                None => error.clone(),
            },
            Error::InvalidTokenResponse { field, reason } => c(&["token response `", field, "` ", reason]),
            Error::UnsupportedTokenType { token_type } => c(&["token_type ", token_type, " is not bearer"]),
            Error::RegistrationUnsupported => c(&["the server offers no dynamic client registration"]),
            Error::RegistrationError { status, error, description } => c(&[
                "registration refused: HTTP ",
                &u64_text(u64::from(*status)),
                " ",
                error.as_deref().unwrap_or(""),
                " ",
                description.as_deref().unwrap_or(""),
            ]),
            Error::InvalidRegistrationResponse { field, reason } => c(&["registration response `", field, "` ", reason]),
            Error::NoRegistration { iss } => c(&["no registration stored for ", iss]),
            Error::NoRefreshToken => c(&["no refresh token"]),
            Error::InvalidJson { what } => c(&[what, " is not a JSON object"]),
            Error::ResponseTooLarge { what, limit } => c(&[what, " is larger than ", &u64_text(*limit as u64), " bytes"]),
            Error::HttpStatus { what, status } => c(&[what, " answered HTTP ", &u64_text(u64::from(*status))]),
            Error::Unauthorized => c(&["FHIR server answered 401 after a token refresh"]),
            Error::InsufficientScope { .. } => c(&["FHIR server answered 403: insufficient scope"]),
            Error::UnexpectedRedirect { url } => c(&["refused to follow a redirect from ", url]),
            Error::InvalidIdToken { reason } => c(&["id_token refused: ", reason]),
            Error::Timeout { what, ms } => c(&[what, ": no complete answer within ", &u64_text(u64::from(*ms)), " ms"]),
            Error::Aborted => c(&["the request was aborted"]),
            Error::PagingLimit { by, limit } => c(&[
                "paging stopped after ",
                &u64_text(*limit),
                " ",
                by,
                ": give `pageLimit` (pages) or `pagingTimeout` (milliseconds) a larger value to follow more",
            ]),
            Error::Network { message } | Error::Storage { message } | Error::Crypto { message } => message.clone(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Error {}

/// A URL as error messages show it: without its query and fragment, which may carry an
/// authorization code, a `state`, or search values with patient data. `…` marks the cut.
pub fn redact_url(url: &str) -> String {
    match url.find(['?', '#']) {
        Some(i) => [url.get(..i).unwrap_or_default(), "…"].concat(),
        None => url.to_owned(),
    }
}

/// Result with the crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::Error;

    /// One of each variant. `exhaustive` below stops compiling when a variant is added, as a
    /// reminder to add it here too.
    fn samples() -> Vec<Error> {
        let s = || String::from("x");
        vec![
            Error::InvalidOption { option: s(), reason: "" },
            Error::IssNotAllowed { iss: s() },
            Error::InvalidUrl { what: "", url: s() },
            Error::InsecureUrl { what: "", url: s() },
            Error::UrlNotAllowed { url: s() },
            Error::MissingContext { key: "" },
            Error::NoLaunch,
            Error::InvalidDiscovery { field: "", reason: "" },
            Error::PkceUnsupported,
            Error::MissingState,
            Error::UnknownState,
            Error::MissingCode,
            Error::IssuerMismatch { expected: s(), got: s() },
            Error::EndpointMismatch { field: "", reason: "" },
            Error::AuthorizationError { error: s(), description: None },
            Error::TokenError { status: 400, error: s(), description: None },
            Error::InvalidTokenResponse { field: "", reason: "" },
            Error::UnsupportedTokenType { token_type: s() },
            Error::RegistrationUnsupported,
            Error::RegistrationError { status: 400, error: None, description: None },
            Error::InvalidRegistrationResponse { field: "", reason: "" },
            Error::NoRegistration { iss: s() },
            Error::NoRefreshToken,
            Error::InvalidJson { what: "" },
            Error::ResponseTooLarge { what: "", limit: 0 },
            Error::HttpStatus { what: "", status: 500 },
            Error::Unauthorized,
            Error::InsufficientScope { www_authenticate: None },
            Error::UnexpectedRedirect { url: s() },
            Error::InvalidIdToken { reason: "" },
            Error::Timeout { what: "", ms: 1 },
            Error::Aborted,
            Error::PagingLimit { by: "pages", limit: 1 },
            Error::Network { message: s() },
            Error::Storage { message: s() },
            Error::Crypto { message: s() },
        ]
    }

    #[allow(dead_code)]
    fn exhaustive(e: &Error) {
        match e {
            Error::InvalidOption { .. } | Error::IssNotAllowed { .. } | Error::InvalidUrl { .. } | Error::InsecureUrl { .. }
            | Error::UrlNotAllowed { .. } | Error::MissingContext { .. } | Error::NoLaunch | Error::InvalidDiscovery { .. }
            | Error::PkceUnsupported | Error::MissingState | Error::UnknownState | Error::MissingCode
            | Error::IssuerMismatch { .. } | Error::EndpointMismatch { .. } | Error::AuthorizationError { .. } | Error::TokenError { .. }
            | Error::InvalidTokenResponse { .. } | Error::UnsupportedTokenType { .. } | Error::NoRefreshToken
            | Error::RegistrationUnsupported | Error::RegistrationError { .. } | Error::InvalidRegistrationResponse { .. }
            | Error::NoRegistration { .. }
            | Error::InvalidJson { .. } | Error::ResponseTooLarge { .. } | Error::HttpStatus { .. } | Error::Unauthorized
            | Error::InsufficientScope { .. } | Error::UnexpectedRedirect { .. } | Error::InvalidIdToken { .. } | Error::Timeout { .. } | Error::Aborted
            | Error::PagingLimit { .. } | Error::Network { .. }
            | Error::Storage { .. } | Error::Crypto { .. } => {}
        }
    }

    #[test]
    fn codes_are_unique_and_exactly_those_the_typescript_types_list() {
        let codes: Vec<&str> = samples().iter().map(Error::code).collect();
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), codes.len(), "duplicate codes");
        let dts = include_str!("../../pkg-template/index.d.ts");
        let union = dts.lines().skip_while(|l| !l.starts_with("export type ErrorCode =")).skip(1);
        let mut declared = Vec::new();
        for line in union {
            let code = line.split("//").next().unwrap_or("");
            declared.extend(code.split('\'').skip(1).step_by(2));
            if code.trim_end().ends_with(';') {
                break;
            }
        }
        // Codes only the JavaScript layer makes (before the module exists).
        declared.retain(|c| *c != "module_load_failed");
        declared.sort_unstable();
        assert_eq!(declared, unique);
        for e in samples() {
            assert!(!e.message().is_empty(), "{e:?}");
        }
    }
}
