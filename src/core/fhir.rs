//! FHIR requests with a session's token (RFC 6750 §2.1): which URLs may carry it, which headers it
//! adds, and what a response status means.

use super::error::{redact_url, Error, Result};
use super::http::HttpRequest;
use super::doc::Body;
use super::session::Session;
use super::types::FhirBase;
use url::Url;

/// Whether a path segment, percent-decoded, holds a `..` step: `..%2f`, `..%5c`, `..%00`, `..;`.
/// WHATWG resolves only literal and `%2e` dot segments; a server that decodes `%2F` (or reads `;`
/// as a parameter) would resolve the rest itself and route the token elsewhere on the origin.
fn hides_dot_dot(segment: &str) -> bool {
    let decoded: Vec<u8> = percent_encoding::percent_decode_str(segment).collect();
    decoded.split(|b| matches!(b, b'/' | b'\\' | b';' | 0)).any(|piece| piece == b"..")
}

/// Resolves `input` (a path relative to the FHIR base, like `Patient/123`, or an absolute URL) by
/// the WHATWG URL standard and refuses any URL outside the base: the token is sent to its own
/// server only. The query is re-serialized as `application/x-www-form-urlencoded` (what
/// `URLSearchParams` writes), so search values the app left unencoded (`system|code`, `O'Brien`,
/// `Müller`) reach the server with the same decoded values.
pub fn resolve_url(base: &FhirBase, input: &str) -> Result<Url> {
    let input = input.trim();
    let dir = base.as_dir().url();
    // A path is relative to the base even with a leading `/` (fhirclient.js does the same); an
    // absolute URL is taken as it is, then must lie under the base.
    let mut joined = dir
        .join(input.trim_start_matches('/'))
        .map_err(|_| Error::InvalidUrl { what: "request URL", url: redact_url(input) })?;
    // Dot segments are already resolved by the parser, so a prefix test on the path is exact.
    let inside = joined.path().starts_with(dir.path()) || joined.path() == dir.path().trim_end_matches('/');
    let userinfo = !joined.username().is_empty() || joined.password().is_some();
    let hidden = joined.path_segments().is_some_and(|mut s| s.any(hides_dot_dot));
    // Same scheme, host and port: the serializations agree up to the path (default ports are
    // already dropped by the parser; userinfo, which would also appear there, is refused anyway).
    let same_origin = joined[..url::Position::BeforePath] == dir[..url::Position::BeforePath];
    if !same_origin || !inside || userinfo || hidden || joined.fragment().is_some() {
        return Err(Error::UrlNotAllowed { url: redact_url(input) });
    }
    let pairs: Vec<(String, String)> = joined.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    joined.set_query(None);
    if !pairs.is_empty() {
        joined.query_pairs_mut().extend_pairs(pairs);
    }
    Ok(joined)
}

/// PUT, PATCH and DELETE act on a resource (or a type, in their conditional forms), never on the
/// FHIR base itself: `delete('')` or `update()` of an id `..` is refused before it is sent.
pub fn check_target(base: &FhirBase, url: &Url, method: &str) -> Result<()> {
    let below = url.path().strip_prefix(base.as_dir().url().path()).unwrap_or("");
    let writes = ["PUT", "PATCH", "DELETE"].iter().any(|m| m.eq_ignore_ascii_case(method));
    if writes && below.trim_matches('/').is_empty() {
        return Err(Error::InvalidOption { option: "url".into(), reason: "must name a resource or a type for PUT, PATCH and DELETE, not the FHIR base" });
    }
    Ok(())
}

/// Characters percent-encoded in a path segment: all but RFC 3986 `unreserved`.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `{type}/{id}`, the id percent-encoded as one path segment.
pub fn resource_path(resource_type: &str, id: &str) -> String {
    [resource_type, "/", &percent_encoding::utf8_percent_encode(id, SEGMENT).collect::<String>()].concat()
}

/// Characters a request URL may have (the app's, or a server's next link); checked before the URL
/// is copied into wasm memory.
pub const MAX_URL: u32 = 65_536;
/// Pages `pageLimit: 0` follows at most ([`Error::PagingLimit`] past them).
pub const MAX_PAGES: u64 = 1000;
/// Milliseconds after which paging requests no further page, unless the app sets `pagingTimeout`.
pub const PAGING_TIMEOUT_MS: u64 = 300_000;

/// Headers the client owns on FHIR requests; a caller's header of these names is ignored.
pub const OWNED_HEADERS: [&str; 2] = ["Authorization", "Epic-Client-ID"];

/// A FHIR request with the session's token: the caller's headers first (except the owned ones),
/// then `Authorization: Bearer` and, when configured, `Epic-Client-ID` (seed 000).
pub fn fhir_request<B: Body>(session: &Session<B>, method: &str, url: String, caller_headers: &[(String, String)], body: Option<String>) -> HttpRequest {
    let mut req = HttpRequest::new(method, url).header("Accept", "application/fhir+json").expect("FHIR server", 0);
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
        return Verdict::Fail(Error::UnexpectedRedirect { url: redact_url(url) });
    }
    match status {
        200..=299 => Verdict::Ok,
        401 => Verdict::RefreshAndRetry,
        403 => Verdict::Fail(Error::InsufficientScope { www_authenticate: www_authenticate.map(str::to_owned) }),
        s => Verdict::Fail(Error::HttpStatus { what: "FHIR server", status: s }),
    }
}
