//! The authorization response on the redirect page (RFC 6749 §4.1.2, RFC 9207 `iss`).

use super::authorize::LaunchRecord;
use super::error::{redact_url, Error, Result};
use super::types::{AuthorizationCode, State};
use url::Url;

/// What the redirect URL carries.
#[derive(Debug, PartialEq, Eq)]
pub struct Callback {
    /// `state`, to look up the launch record.
    pub state: State,
    /// `code`, or the OAuth error the server sent instead.
    pub outcome: core::result::Result<AuthorizationCode, Error>,
    /// `iss` (RFC 9207), if sent.
    pub iss: Option<String>,
}

/// Whether a page URL looks like an authorization response (has `code`, `error` or `state`).
pub fn is_callback(page_url: &str) -> bool {
    Url::parse(page_url).is_ok_and(|u| u.query_pairs().any(|(k, _)| k == "code" || k == "error" || k == "state"))
}

/// The page URL without the authorization response parameters, for the address bar once the
/// response is used (so a reload or a shared link does not carry the code).
pub fn without_response_params(page_url: &str) -> Option<String> {
    let mut url = Url::parse(page_url).ok()?;
    const RESPONSE: [&str; 7] = ["code", "state", "iss", "error", "error_description", "error_uri", "session_state"];
    let kept: Vec<(String, String)> =
        url.query_pairs().filter(|(k, _)| !RESPONSE.contains(&&**k)).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    url.set_query(None);
    if !kept.is_empty() {
        url.query_pairs_mut().extend_pairs(kept);
    }
    Some(url.into())
}

/// Parses the redirect URL. A missing `state` is an error before anything else is looked at.
pub fn parse_callback(page_url: &str) -> Result<Callback> {
    let url = Url::parse(page_url).map_err(|_| Error::InvalidUrl { what: "redirect URL", url: redact_url(page_url) })?;
    let (mut code, mut state, mut error, mut description, mut iss) = (None, None, None, None, None);
    for (k, v) in url.query_pairs() {
        let slot = match &*k {
            "code" => &mut code,
            "state" => &mut state,
            "error" => &mut error,
            "error_description" => &mut description,
            "iss" => &mut iss,
            _ => continue,
        };
        // RFC 6749 §3.1: parameters must not repeat; a repeated one is a forged response.
        if slot.replace(v.into_owned()).is_some() {
            return Err(Error::InvalidUrl { what: "redirect URL with a repeated parameter", url: redact_url(page_url) });
        }
    }
    let state = state.filter(|s| !s.is_empty()).map(State::new).ok_or(Error::MissingState)?;
    let outcome = match (error, code) {
        (Some(error), _) => Err(Error::AuthorizationError { error, description }),
        (None, Some(c)) if !c.is_empty() => Ok(AuthorizationCode::new(c)),
        (None, _) => Err(Error::MissingCode),
    };
    Ok(Callback { state, outcome, iss })
}

impl Callback {
    /// Checks the response against the launch it answers and yields the code. Runs the RFC 9207
    /// check first, so an error response from a mixed-up server is reported as a mix-up. Issuers
    /// compare as strings, one trailing slash aside ([`super::idtoken::same_issuer`]).
    pub fn verify(self, record: &LaunchRecord) -> Result<AuthorizationCode> {
        match (&self.iss, &record.issuer) {
            (Some(got), Some(expected)) if !super::idtoken::same_issuer(got, expected.as_str()) => {
                return Err(Error::IssuerMismatch { expected: expected.as_str().to_owned(), got: got.clone() })
            }
            (None, Some(expected)) if record.iss_required => {
                return Err(Error::IssuerMismatch { expected: expected.as_str().to_owned(), got: String::new() })
            }
            _ => {}
        }
        self.outcome
    }
}
