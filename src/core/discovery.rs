//! SMART discovery: `{iss}/.well-known/smart-configuration` (SMART App Launch 2.x §2.0.5, with the
//! RFC 8414 field names). Relative endpoint URLs are resolved against the FHIR base.

use serde::Deserialize;

use super::doc::{Body, Field};
use super::error::{Error, Result};
use super::http::HttpRequest;
use super::types::{FhirBase, HttpUrl, Issuer};

/// Largest smart-configuration document accepted.
pub const DISCOVERY_LIMIT: usize = 256 * 1024;

/// The smart-configuration document as the server sent it (every member read leniently, so a
/// wrong type is reported by name).
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct SmartConfigurationDoc {
    /// `issuer`.
    pub issuer: Field<String>,
    /// `authorization_endpoint`.
    pub authorization_endpoint: Field<String>,
    /// `token_endpoint`.
    pub token_endpoint: Field<String>,
    /// `registration_endpoint`.
    pub registration_endpoint: Field<String>,
    /// `jwks_uri`.
    pub jwks_uri: Field<String>,
    /// `capabilities`.
    pub capabilities: Field<Vec<String>>,
    /// `grant_types_supported`.
    pub grant_types_supported: Field<Vec<String>>,
    /// `scopes_supported`.
    pub scopes_supported: Field<Vec<String>>,
    /// `code_challenge_methods_supported`.
    pub code_challenge_methods_supported: Field<Vec<String>>,
    /// `authorization_response_iss_parameter_supported`.
    pub authorization_response_iss_parameter_supported: Field<bool>,
}

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
    HttpRequest::get(base.smart_configuration_url())
        .header("Accept", "application/json")
        .expect("smart-configuration", DISCOVERY_LIMIT)
}

fn bad(field: &'static str, reason: &'static str) -> Error {
    Error::InvalidDiscovery { field, reason }
}

fn endpoint(f: Field<String>, base: &FhirBase, field: &'static str) -> Result<Option<HttpUrl>> {
    match f.get(|| bad(field, "must be a string"))? {
        None => Ok(None),
        Some(s) => HttpUrl::join(field, base.as_dir(), &s).map(Some),
    }
}

fn list(f: Field<Vec<String>>, field: &'static str) -> Result<Vec<String>> {
    Ok(f.get(|| bad(field, "must be an array of strings"))?.unwrap_or_default())
}

/// Validates a smart-configuration response (status and body) for the server at `base`.
pub fn parse_smart_configuration(base: &FhirBase, status: u16, body: &impl Body) -> Result<SmartConfiguration> {
    if !(200..300).contains(&status) {
        return Err(Error::HttpStatus { what: "smart-configuration", status });
    }
    let m: SmartConfigurationDoc = body.decode().ok_or(Error::InvalidJson { what: "smart-configuration" })?;
    let required = |f, field| endpoint(f, base, field)?.ok_or_else(|| bad(field, "is missing"));
    let methods = list(m.code_challenge_methods_supported, "code_challenge_methods_supported")?;
    // SMART requires S256; a server that lists methods without it cannot do PKCE with us.
    if !methods.is_empty() && !methods.iter().any(|x| x == "S256") {
        return Err(Error::PkceUnsupported);
    }
    let iss_parameter_supported = m
        .authorization_response_iss_parameter_supported
        .get(|| bad("authorization_response_iss_parameter_supported", "must be a boolean"))?
        .unwrap_or(false);
    Ok(SmartConfiguration {
        issuer: m.issuer.get(|| bad("issuer", "must be a string"))?.map(Issuer::new),
        authorization_endpoint: required(m.authorization_endpoint, "authorization_endpoint")?,
        token_endpoint: required(m.token_endpoint, "token_endpoint")?,
        registration_endpoint: endpoint(m.registration_endpoint, base, "registration_endpoint")?,
        jwks_uri: endpoint(m.jwks_uri, base, "jwks_uri")?,
        capabilities: list(m.capabilities, "capabilities")?,
        grant_types_supported: list(m.grant_types_supported, "grant_types_supported")?,
        scopes_supported: list(m.scopes_supported, "scopes_supported")?,
        code_challenge_methods_supported: methods,
        iss_parameter_supported,
    })
}

/// The issuer's own metadata, in the order they are tried: OpenID Discovery
/// (`{issuer}/.well-known/openid-configuration`), then RFC 8414 §3
/// (`{origin}/.well-known/oauth-authorization-server{path}`).
pub fn issuer_metadata_requests(issuer: &Issuer) -> Result<[HttpRequest; 2]> {
    let url = HttpUrl::parse("issuer", issuer.as_str())?;
    let u = url.url();
    let path = u.path().trim_end_matches('/');
    let origin = &u[..url::Position::BeforePath];
    let get = |s: String| HttpRequest::get(s).header("Accept", "application/json").expect("issuer metadata", DISCOVERY_LIMIT);
    Ok([
        get(crate::core::cat(&[origin, path, "/.well-known/openid-configuration"])),
        get(crate::core::cat(&[origin, "/.well-known/oauth-authorization-server", path])),
    ])
}

fn mismatch(field: &'static str, reason: &'static str) -> Error {
    Error::IssuerMetadataMismatch { field, reason }
}

/// The mix-up defence (RFC 8414 §3.3, RFC 9207 §2.4): a smart-configuration is unauthenticated,
/// so when it names an `issuer`, its authorization and token endpoints must be the ones that
/// issuer publishes itself, and that metadata must name the same issuer. `answer` is the status and
/// body of a metadata request ([`issuer_metadata_requests`]); `Ok(None)` when the issuer does not
/// publish metadata there (try the next URL); otherwise the issuer's own `jwks_uri` (the keys its
/// id_tokens are verified with), if it publishes one.
pub fn check_issuer_metadata(config: &SmartConfiguration, status: u16, body: &impl Body) -> Result<Option<Option<HttpUrl>>> {
    if !(200..300).contains(&status) {
        return Ok(None);
    }
    let Some(issuer) = &config.issuer else { return Ok(Some(None)) };
    let m: SmartConfigurationDoc = body.decode().ok_or(mismatch("metadata", "is not a JSON object"))?;
    if m.issuer.value().as_deref() != Some(issuer.as_str()) {
        return Err(mismatch("issuer", "differs from the issuer's own metadata"));
    }
    let same = |f: Field<String>, ours: &HttpUrl| f.value().and_then(|s| HttpUrl::parse("issuer metadata", &s).ok()).is_some_and(|u| u == *ours);
    if !same(m.authorization_endpoint, &config.authorization_endpoint) {
        return Err(mismatch("authorization_endpoint", "differs from the issuer's own metadata"));
    }
    if !same(m.token_endpoint, &config.token_endpoint) {
        return Err(mismatch("token_endpoint", "differs from the issuer's own metadata"));
    }
    match m.jwks_uri.get(|| mismatch("jwks_uri", "must be a string"))? {
        Some(s) => Ok(Some(Some(HttpUrl::parse("jwks_uri", &s)?))),
        None => Ok(Some(None)),
    }
}
