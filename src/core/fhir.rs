//! FHIR requests with a session's token (RFC 6750 §2.1): which URLs may carry it, which headers it
//! adds, and what a response status means.

use super::error::{Error, Result};
use super::http::HttpRequest;
use super::session::Session;
use super::types::FhirBase;

/// Resolves `input` (a path relative to the FHIR base, like `Patient/123`, or an absolute URL) and
/// refuses any URL outside the base: the token is sent to its own server only.
pub fn resolve_url(base: &FhirBase, input: &str) -> Result<String> {
    let input = input.trim();
    let dir = base.as_dir().url();
    // A path is relative to the base even with a leading `/` (fhirclient.js does the same); an
    // absolute URL is taken as it is, then must lie under the base.
    let joined = dir.join(input.trim_start_matches('/'));
    let joined = joined.ok_or_else(|| Error::InvalidUrl { what: "request URL", url: input.to_owned() })?;
    // Dot segments are already resolved by the parser, so a prefix test on the path is exact.
    let inside = joined.path().starts_with(dir.path()) || joined.path() == dir.path().trim_end_matches('/');
    if !joined.same_origin(dir) || !inside || joined.fragment().is_some() {
        return Err(Error::UrlNotAllowed { url: input.to_owned() });
    }
    Ok(joined.href())
}

/// Headers the client owns on FHIR requests; a caller's header of these names is ignored.
pub const OWNED_HEADERS: [&str; 2] = ["Authorization", "Epic-Client-ID"];

/// A FHIR request with the session's token: the caller's headers first (except the owned ones),
/// then `Authorization: Bearer` and, when configured, `Epic-Client-ID` (seed 000).
pub fn fhir_request(session: &Session, method: &str, url: String, caller_headers: &[(String, String)], body: Option<String>) -> HttpRequest {
    let mut req = HttpRequest::new(method, url).header("Accept", "application/fhir+json");
    for (name, value) in caller_headers {
        if !OWNED_HEADERS.iter().any(|o| o.eq_ignore_ascii_case(name)) {
            req = req.header(name, value.as_str());
        }
    }
    req = req.header("Authorization", session.authorization());
    if session.binding.epic_client_id_header {
        req = req.header("Epic-Client-ID", session.binding.client_id.as_str());
    }
    req.body = body;
    req
}

/// What the driver does with a FHIR response status.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Success: return the body.
    Ok,
    /// 401: refresh once and retry, if the session can; otherwise [`Error::Unauthorized`].
    RefreshAndRetry,
    /// A final error.
    Fail(Error),
}

/// Classifies a FHIR response. Any 403 is `insufficient_scope` (seed 000: Epic answers a call
/// outside the app's scope with 403, with or without `WWW-Authenticate`).
pub fn classify(status: u16, www_authenticate: Option<&str>, redirected_from: Option<&str>) -> Verdict {
    if let Some(url) = redirected_from {
        return Verdict::Fail(Error::UnexpectedRedirect { url: url.to_owned() });
    }
    match status {
        200..=299 => Verdict::Ok,
        401 => Verdict::RefreshAndRetry,
        403 => Verdict::Fail(Error::InsufficientScope { www_authenticate: www_authenticate.map(str::to_owned) }),
        s => Verdict::Fail(Error::HttpStatus { what: "FHIR server", status: s }),
    }
}
