//! SMART discovery: `{iss}/.well-known/smart-configuration` (SMART App Launch 2.x §2.0.5, with the
//! RFC 8414 field names). Relative endpoint URLs are resolved against the FHIR base.

use super::encode::{json_object, opt_bool, opt_str};
use super::json::{Json, Obj};
use super::error::{Error, Result};
use super::http::HttpRequest;
use super::types::{FhirBase, HttpUrl, Issuer};

/// Largest smart-configuration document accepted.
pub const DISCOVERY_LIMIT: usize = 256 * 1024;

/// The parts of a SMART configuration the client acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmartConfiguration {
    /// `issuer`, when the server publishes one; the RFC 9207 `iss` check compares against it.
    pub issuer: Option<Issuer>,
    /// `authorization_endpoint`.
    pub authorization_endpoint: HttpUrl,
    /// `token_endpoint`.
    pub token_endpoint: HttpUrl,
    /// `registration_endpoint` (RFC 7591), if dynamic registration is offered.
    pub registration_endpoint: Option<HttpUrl>,
    /// `jwks_uri`, if published.
    pub jwks_uri: Option<HttpUrl>,
    /// `capabilities` (e.g. `launch-ehr`, `client-public`, `context-standalone-patient`).
    pub capabilities: Vec<String>,
    /// `grant_types_supported`.
    pub grant_types_supported: Vec<String>,
    /// `scopes_supported`.
    pub scopes_supported: Vec<String>,
    /// `code_challenge_methods_supported`.
    pub code_challenge_methods_supported: Vec<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3): when true, a redirect
    /// without `iss` is refused.
    pub iss_parameter_supported: bool,
}

/// The GET request for a server's SMART configuration.
pub fn discovery_request(base: &FhirBase) -> HttpRequest {
    HttpRequest::get(base.smart_configuration_url()).header("Accept", "application/json")
}

fn bad(field: &'static str, reason: &'static str) -> Error {
    Error::InvalidDiscovery { field, reason }
}

fn endpoint(m: &Obj, base: &FhirBase, field: &'static str) -> Result<Option<HttpUrl>> {
    match opt_str(m, field, || bad(field, "must be a string"))? {
        None => Ok(None),
        Some(s) => HttpUrl::join(field, base.as_dir(), s).map(Some),
    }
}

fn string_list(m: &Obj, field: &'static str) -> Result<Vec<String>> {
    match m.get(field) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Arr(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| bad(field, "must be an array of strings")))
            .collect(),
        Some(_) => Err(bad(field, "must be an array of strings")),
    }
}

/// Validates a smart-configuration response (status and body) for the server at `base`.
pub fn parse_smart_configuration(base: &FhirBase, status: u16, body: &str) -> Result<SmartConfiguration> {
    if !(200..300).contains(&status) {
        return Err(Error::HttpStatus { what: "smart-configuration", status });
    }
    let m = json_object("smart-configuration", body, DISCOVERY_LIMIT)?;
    let required = |field| endpoint(&m, base, field)?.ok_or_else(|| bad(field, "is missing"));
    let methods = string_list(&m, "code_challenge_methods_supported")?;
    // SMART requires S256; a server that lists methods without it cannot do PKCE with us.
    if !methods.is_empty() && !methods.iter().any(|x| x == "S256") {
        return Err(Error::PkceUnsupported);
    }
    let iss_parameter_supported = opt_bool(&m, "authorization_response_iss_parameter_supported", || {
        bad("authorization_response_iss_parameter_supported", "must be a boolean")
    })?
    .unwrap_or(false);
    Ok(SmartConfiguration {
        issuer: opt_str(&m, "issuer", || bad("issuer", "must be a string"))?.map(Issuer::new),
        authorization_endpoint: required("authorization_endpoint")?,
        token_endpoint: required("token_endpoint")?,
        registration_endpoint: endpoint(&m, base, "registration_endpoint")?,
        jwks_uri: endpoint(&m, base, "jwks_uri")?,
        capabilities: string_list(&m, "capabilities")?,
        grant_types_supported: string_list(&m, "grant_types_supported")?,
        scopes_supported: string_list(&m, "scopes_supported")?,
        code_challenge_methods_supported: methods,
        iss_parameter_supported,
    })
}
