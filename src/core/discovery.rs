//! SMART discovery: `{iss}/.well-known/smart-configuration` (SMART App Launch 2.x §2.0.5, with the
//! RFC 8414 field names), and for servers that publish none, the endpoints SMART App Launch 1.0
//! put in the CapabilityStatement (`{iss}/metadata`, the `oauth-uris` extension), as fhirclient.js
//! reads them too. Relative endpoint URLs are resolved against the FHIR base.

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
    /// `id_token_signing_alg_values_supported` (OpenID Discovery; some smart-configurations carry it).
    pub id_token_signing_alg_values_supported: Field<Vec<String>>,
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
    /// `id_token_signing_alg_values_supported`, when published: an id_token signed otherwise is refused.
    pub id_token_algs: Vec<String>,
}

/// The GET request for a server's SMART configuration.
pub fn discovery_request(base: &FhirBase) -> HttpRequest {
    HttpRequest::get_json(base.smart_configuration_url(), "smart-configuration", DISCOVERY_LIMIT)
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
        id_token_algs: m.id_token_signing_alg_values_supported.value().unwrap_or_default(),
    })
}

/// Largest CapabilityStatement accepted (real ones list every resource and search parameter; the
/// browser parses it, and only the security extension is read into wasm).
pub const CAPABILITY_LIMIT: usize = 8 * 1024 * 1024;

/// The SMART App Launch 1.0 extension of `CapabilityStatement.rest.security` naming the endpoints.
const OAUTH_URIS: &str = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

/// The members of a CapabilityStatement the `oauth-uris` extension is found by:
/// `rest[].security.extension[]`, each extension's `url` and its nested `extension[]` of `url` and
/// `valueUri`. Nothing else is read, and nothing deeper: the types are not recursive, so a statement
/// nested without end costs no more than its first five levels. A member of another type makes the
/// statement one that names no SMART endpoint.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CapabilityDoc {
    rest: Vec<CapabilityRest>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CapabilityRest {
    security: CapabilitySecurity,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CapabilitySecurity {
    extension: Vec<OauthUris>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OauthUris {
    url: String,
    extension: Vec<OauthUri>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct OauthUri {
    url: String,
    value_uri: String,
}

/// The GET request for a server's CapabilityStatement, asked when it publishes no
/// smart-configuration.
pub fn capability_statement_request(base: &FhirBase) -> HttpRequest {
    HttpRequest::get_json([base.as_dir().as_str(), "metadata"].concat(), "CapabilityStatement", CAPABILITY_LIMIT)
}

/// The endpoints a CapabilityStatement names in the first `oauth-uris` extension of its `rest`
/// entries (`authorize`, `token`, `register`), as a configuration with nothing else in it (no
/// issuer, keys or capabilities: SMART 1.0 had no place for them). `None` when the answer is no
/// CapabilityStatement naming both endpoints as URLs.
pub fn parse_capability_statement(base: &FhirBase, status: u16, body: &impl Body) -> Option<SmartConfiguration> {
    if !(200..300).contains(&status) {
        return None;
    }
    let doc: CapabilityDoc = body.decode()?;
    let uris = doc.rest.iter().flat_map(|r| &r.security.extension).find(|e| e.url == OAUTH_URIS)?;
    let uri = |name: &'static str| {
        let e = uris.extension.iter().find(|e| e.url == name)?;
        HttpUrl::join(name, base.as_dir(), &e.value_uri).ok()
    };
    Some(SmartConfiguration {
        issuer: None,
        authorization_endpoint: uri("authorize")?,
        token_endpoint: uri("token")?,
        registration_endpoint: uri("register"),
        jwks_uri: None,
        capabilities: Vec::new(),
        grant_types_supported: Vec::new(),
        scopes_supported: Vec::new(),
        code_challenge_methods_supported: Vec::new(),
        iss_parameter_supported: false,
        id_token_algs: Vec::new(),
    })
}

/// Where an id_token's keys may be described when the smart-configuration names no `jwks_uri`, in
/// the order they are tried: the issuer's OpenID Discovery (`{issuer}/.well-known/openid-configuration`),
/// its RFC 8414 metadata (`{origin}/.well-known/oauth-authorization-server{path}`), and OpenID
/// Discovery under the FHIR base (where some EHRs publish it instead). Each is a statement of the
/// server about itself, read only for its `jwks_uri`, `issuer` and signing algorithms; none of them
/// decides whether a launch may start.
pub fn issuer_metadata_requests(issuer: Option<&Issuer>, base: &FhirBase) -> Vec<HttpRequest> {
    let mut urls = Vec::new();
    if let Some(url) = issuer.and_then(|i| HttpUrl::parse("issuer", i.as_str()).ok()) {
        let u = url.url();
        let path = u.path().trim_end_matches('/');
        let origin = &u[..url::Position::BeforePath];
        urls.push([origin, path, "/.well-known/openid-configuration"].concat());
        urls.push([origin, "/.well-known/oauth-authorization-server", path].concat());
    }
    let under_base = [base.as_str(), "/.well-known/openid-configuration"].concat();
    if !urls.contains(&under_base) {
        urls.push(under_base);
    }
    urls.into_iter().map(|s| HttpRequest::get_json(s, "issuer metadata", DISCOVERY_LIMIT)).collect()
}

/// What an issuer's own metadata says about its id_tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuerMetadata {
    /// Its `issuer`, when it names one (an id_token's `iss` may be this string).
    pub issuer: Option<String>,
    /// Its `jwks_uri`.
    pub jwks_uri: HttpUrl,
    /// `id_token_signing_alg_values_supported`, when published.
    pub id_token_algs: Vec<String>,
}

/// Reads an issuer metadata answer ([`issuer_metadata_requests`]); `None` when it is no usable
/// metadata (another status, not a JSON object, no valid `jwks_uri`): the next location is tried.
pub fn parse_issuer_metadata(status: u16, body: &impl Body) -> Option<IssuerMetadata> {
    if !(200..300).contains(&status) {
        return None;
    }
    let m: SmartConfigurationDoc = body.decode()?;
    Some(IssuerMetadata {
        jwks_uri: HttpUrl::parse("jwks_uri", &m.jwks_uri.value()?).ok()?,
        issuer: m.issuer.value(),
        id_token_algs: m.id_token_signing_alg_values_supported.value().unwrap_or_default(),
    })
}

/// Endpoints the app pinned for a server (`authorizationEndpoint`, `tokenEndpoint`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pins {
    /// The authorization endpoint the smart-configuration must name.
    pub authorization_endpoint: Option<HttpUrl>,
    /// The token endpoint the smart-configuration must name.
    pub token_endpoint: Option<HttpUrl>,
}

fn mismatch(field: &'static str, reason: &'static str) -> Error {
    Error::EndpointMismatch { field, reason }
}

/// The mix-up rule, checked before anyone is sent anywhere. The smart-configuration is
/// unauthenticated: a configured server that is hostile (or compromised) could name an honest
/// server's authorization endpoint beside its own token endpoint, so that the user signs in
/// honestly and the code and PKCE verifier go to it (with or without naming an `issuer`). Real
/// EHRs serve both endpoints from one origin, so by default they must share one
/// (`endpoint_mismatch` otherwise). An app that knows a server's endpoints pins them instead: then
/// the document must name exactly those, on whatever origins they are.
pub fn check_endpoints(config: &SmartConfiguration, pins: &Pins) -> Result<()> {
    let pinned = pins.authorization_endpoint.is_some() || pins.token_endpoint.is_some();
    let same = |pin: &Option<HttpUrl>, ours: &HttpUrl| pin.as_ref().is_none_or(|p| p == ours);
    if !same(&pins.authorization_endpoint, &config.authorization_endpoint) {
        return Err(mismatch("authorization_endpoint", "is not the endpoint the app pinned for this server"));
    }
    if !same(&pins.token_endpoint, &config.token_endpoint) {
        return Err(mismatch("token_endpoint", "is not the endpoint the app pinned for this server"));
    }
    let origin = |u: &HttpUrl| u.url()[..url::Position::BeforePath].to_owned();
    if !pinned && origin(&config.authorization_endpoint) != origin(&config.token_endpoint) {
        return Err(mismatch("token_endpoint", "is on another origin than the authorization endpoint (pin both endpoints for a server that does this)"));
    }
    Ok(())
}
