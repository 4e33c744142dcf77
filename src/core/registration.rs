//! Dynamic client registration (RFC 7591) as seed 004 describes it for browser apps: after a
//! standalone launch as the public client, POST `{software_id, jwks}` with the launch's access
//! token as the initial access token; the answer is a client id bound to this browser's key and to
//! the user who launched. The per-issuer record that remembers it lives in IndexedDB.

use serde::{Deserialize, Serialize};

use super::binding::Binding;
use super::doc::{Body, Field, JsonText};
use super::error::{Error, Result};
use super::http::HttpRequest;
use super::jwt::{Alg, PublicJwk};
use super::token::ErrorDoc;
use super::types::{AccessToken, ClientId, FhirBase, HttpUrl, Scope};

/// Largest registration response accepted.
pub const REGISTRATION_RESPONSE_LIMIT: usize = 256 * 1024;

#[derive(Serialize)]
struct Jwks<'a> {
    keys: [&'a PublicJwk; 1],
}

/// RFC 7591 §2 client metadata a generic server needs to register a key-bound browser client.
/// (Written out beside `software_id` and `jwks` rather than `#[serde(flatten)]`ed: flattening
/// costs ~4 KB of wasm.)
#[derive(Clone, Copy)]
pub struct ClientMetadata<'a> {
    /// A name for the registration (the app's client id).
    pub client_name: &'a str,
    /// The redirect URI of the launch, for launches as the registered client.
    pub redirect_uris: Option<[&'a str; 1]>,
    /// The JWT bearer grant (silent sign-in), and the code and refresh grants (launches as the
    /// registered client, confidential-asymmetric).
    pub grant_types: [&'static str; 3],
    /// `code`.
    pub response_types: [&'static str; 1],
    /// `private_key_jwt`.
    pub token_endpoint_auth_method: &'static str,
    /// The key's algorithm.
    pub token_endpoint_auth_signing_alg: Alg,
}

impl<'a> ClientMetadata<'a> {
    /// The metadata for a key of `alg`, registered by the app `software_id` from a launch that
    /// came back to `redirect_uri`.
    pub fn new(software_id: &'a ClientId, redirect_uri: Option<&'a HttpUrl>, alg: Alg) -> Self {
        ClientMetadata {
            client_name: software_id.as_str(),
            redirect_uris: redirect_uri.map(|u| [u.as_str()]),
            grant_types: [super::token::JWT_BEARER, "authorization_code", "refresh_token"],
            response_types: ["code"],
            token_endpoint_auth_method: "private_key_jwt",
            token_endpoint_auth_signing_alg: alg,
        }
    }
}

#[derive(Serialize)]
struct RegistrationBody<'a> {
    software_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_uris: Option<[&'a str; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grant_types: Option<[&'static str; 3]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_types: Option<[&'static str; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_endpoint_auth_method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_endpoint_auth_signing_alg: Option<Alg>,
    jwks: Jwks<'a>,
}

/// The registration request: `software_id` = the app's client id, `jwks` = the public key, and
/// unless `metadata` is `None` (seed 004's minimal body, which Epic takes), the RFC 7591 metadata
/// a generic server requires.
pub fn registration_request(
    endpoint: &HttpUrl,
    initial_token: &AccessToken,
    software_id: &ClientId,
    jwk: &PublicJwk,
    metadata: Option<ClientMetadata<'_>>,
    json: &impl JsonText,
) -> HttpRequest {
    let m = metadata.as_ref();
    let body = json.json(&RegistrationBody {
        software_id: software_id.as_str(),
        client_name: m.map(|m| m.client_name),
        redirect_uris: m.and_then(|m| m.redirect_uris),
        grant_types: m.map(|m| m.grant_types),
        response_types: m.map(|m| m.response_types),
        token_endpoint_auth_method: m.map(|m| m.token_endpoint_auth_method),
        token_endpoint_auth_signing_alg: m.map(|m| m.token_endpoint_auth_signing_alg),
        jwks: Jwks { keys: [jwk] },
    });
    HttpRequest { body: Some(body), ..HttpRequest::new("POST", endpoint.as_str().to_owned()) }
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header("Authorization", ["Bearer ", initial_token.secret()].concat())
        .expect("registration response", REGISTRATION_RESPONSE_LIMIT)
}

/// A registration answer as the server sent it, read leniently.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct RegistrationDoc {
    client_id: Field<String>,
    client_id_issued_at: Field<u64>,
    grant_types: Field<Vec<String>>,
    token_endpoint_auth_method: Field<String>,
}

/// A successful registration answer (RFC 7591 §3.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The dynamic client id.
    pub client_id: ClientId,
    /// `client_id_issued_at`, when sent.
    pub client_id_issued_at: Option<u64>,
    /// `grant_types`, when sent.
    pub grant_types: Vec<String>,
    /// `token_endpoint_auth_method`, when sent.
    pub token_endpoint_auth_method: Option<String>,
}

fn bad(field: &'static str, reason: &'static str) -> Error {
    Error::InvalidRegistrationResponse { field, reason }
}

/// Validates the registration answer: 201 (or 200) with a `client_id`. An RFC 7592
/// `registration_access_token` in the answer is not read: with it, anyone could re-key this
/// registration (put their own JWKS on it) and act as this device from anywhere, and one XSS could
/// take it from wherever it were kept; so it is neither kept nor sent anywhere. 400
/// `invalid_client_metadata` and friends (§3.2.2), 401 and other statuses are
/// [`Error::RegistrationError`].
pub fn parse_registration_response(status: u16, body: &impl Body) -> Result<Registration> {
    if !(200..300).contains(&status) {
        let (error, description) = ErrorDoc::of(body);
        return Err(Error::RegistrationError { status, error, description });
    }
    let m: RegistrationDoc = body.decode().ok_or(Error::InvalidJson { what: "registration response" })?;
    let client_id = match m.client_id.get(|| bad("client_id", "must be a string"))? {
        Some(s) if !s.trim().is_empty() => ClientId::new(s.trim()),
        _ => return Err(bad("client_id", "is missing")),
    };
    Ok(Registration {
        client_id,
        client_id_issued_at: m.client_id_issued_at.get(|| bad("client_id_issued_at", "must be a non-negative integer"))?,
        grant_types: m.grant_types.get(|| bad("grant_types", "must be an array of strings"))?.unwrap_or_default(),
        token_endpoint_auth_method: m.token_endpoint_auth_method.get(|| bad("token_endpoint_auth_method", "must be a string"))?,
    })
}

/// What one app remembers of its registration with one server (one FHIR `iss`), stored in
/// IndexedDB beside the non-extractable key pair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationRecord {
    /// The server and the dynamic client (`auth` is `private_key_jwt`: the key proves it).
    pub binding: Binding,
    /// The app's own client id, sent as `software_id` (production and non-production differ).
    pub software_id: ClientId,
    /// `kid` of the registered key (RFC 7638 thumbprint).
    pub kid: String,
    /// Signature algorithm of the key.
    pub alg: Alg,
    /// Scope granted at registration, asked for again on silent sign-in.
    pub scope: Scope,
    /// When the registration was made (seconds since the epoch).
    pub created_at: u64,
    /// When the key last signed a grant.
    pub last_used_at: u64,
}

/// What `listRegistrations()` shows of a record: nothing secret is in a record.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationSummary<'a> {
    iss: &'a str,
    client_id: &'a str,
    software_id: &'a str,
    kid: &'a str,
    alg: Alg,
    scope: &'a str,
    token_endpoint: &'a str,
    created_at: u64,
    last_used_at: u64,
}

impl RegistrationRecord {
    /// The FHIR server this record is for (its IndexedDB key).
    pub fn iss(&self) -> &FhirBase {
        &self.binding.iss
    }

    /// What `listRegistrations()` shows of a record.
    pub fn summary(&self) -> RegistrationSummary<'_> {
        RegistrationSummary {
            iss: self.iss().as_str(),
            client_id: self.binding.client_id.as_str(),
            software_id: self.software_id.as_str(),
            kid: &self.kid,
            alg: self.alg,
            scope: self.scope.as_str(),
            token_endpoint: self.binding.token_endpoint.as_str(),
            created_at: self.created_at,
            last_used_at: self.last_used_at,
        }
    }
}
