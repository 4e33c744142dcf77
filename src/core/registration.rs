//! Dynamic client registration (RFC 7591) as seed 004 describes it for browser apps: after a
//! standalone launch as the public client, POST `{software_id, jwks}` with the launch's access
//! token as the initial access token; the answer is a client id bound to this browser's key and to
//! the user who launched. The per-issuer record that remembers it lives in IndexedDB.

use super::binding::Binding;
use super::encode::{json_object, opt_str, Stored};
use super::error::{Error, Result};
use super::http::HttpRequest;
use super::json::{Json, Obj};
use super::jwt::Alg;
use super::types::{AccessToken, ClientId, FhirBase, HttpUrl, Scope};

/// Largest registration response accepted.
pub const REGISTRATION_RESPONSE_LIMIT: usize = 256 * 1024;

/// The registration request: `software_id` = the app's client id, `jwks` = the public key.
pub fn registration_request(endpoint: &HttpUrl, initial_token: &AccessToken, software_id: &ClientId, jwk: &Obj) -> HttpRequest {
    let body = Obj::new()
        .with("software_id", software_id.as_str())
        .with("jwks", Obj::new().with("keys", Json::Arr(vec![Json::Obj(jwk.clone())])));
    HttpRequest { body: Some(body.to_text()), ..HttpRequest::new("POST", endpoint.as_str().to_owned()) }
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header("Authorization", crate::core::cat(&["Bearer ", initial_token.secret()]))
}

/// A successful registration answer (RFC 7591 §3.2.1); `raw` keeps every field.
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
    /// The whole answer.
    pub raw: Obj,
}

fn bad(field: &'static str, reason: &'static str) -> Error {
    Error::InvalidRegistrationResponse { field, reason }
}

/// Validates the registration answer: 201 (or 200) with a `client_id`; 400
/// `invalid_client_metadata` and friends (§3.2.2), 401 and other statuses are
/// [`Error::RegistrationError`].
pub fn parse_registration_response(status: u16, body: &str) -> Result<Registration> {
    if !(200..300).contains(&status) {
        let m = json_object("registration response", body, REGISTRATION_RESPONSE_LIMIT).ok();
        let get = |k| m.as_ref().and_then(|m| m.get(k)).and_then(Json::as_str).map(str::to_owned);
        return Err(Error::RegistrationError { status, error: get("error"), description: get("error_description") });
    }
    let m = json_object("registration response", body, REGISTRATION_RESPONSE_LIMIT)?;
    let client_id = match opt_str(&m, "client_id", || bad("client_id", "must be a string"))? {
        Some(s) if !s.trim().is_empty() => ClientId::new(s.trim()),
        _ => return Err(bad("client_id", "is missing")),
    };
    let client_id_issued_at = match m.get("client_id_issued_at") {
        None | Some(Json::Null) => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| bad("client_id_issued_at", "must be a non-negative integer"))?),
    };
    let grant_types = match m.get("grant_types") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Arr(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| bad("grant_types", "must be an array of strings")))
            .collect::<Result<_>>()?,
        Some(_) => return Err(bad("grant_types", "must be an array of strings")),
    };
    let method = opt_str(&m, "token_endpoint_auth_method", || bad("token_endpoint_auth_method", "must be a string"))?;
    Ok(Registration { client_id, client_id_issued_at, grant_types, token_endpoint_auth_method: method.map(str::to_owned), raw: m })
}

/// What one app remembers of its registration with one server (one FHIR `iss`), stored in
/// IndexedDB beside the non-extractable key pair.
#[derive(Clone, Debug, PartialEq, Eq)]
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

impl RegistrationRecord {
    /// The FHIR server this record is for (its IndexedDB key).
    pub fn iss(&self) -> &FhirBase {
        &self.binding.iss
    }

    /// What `listRegistrations()` shows of a record (JSON text): nothing secret is in a record.
    pub fn summary_json(&self) -> String {
        Obj::new()
            .with("iss", self.iss().as_str())
            .with("clientId", self.binding.client_id.as_str())
            .with("softwareId", self.software_id.as_str())
            .with("kid", self.kid.as_str())
            .with("alg", self.alg.name())
            .with("scope", self.scope.as_str())
            .with("tokenEndpoint", self.binding.token_endpoint.as_str())
            .with("createdAt", self.created_at)
            .with("lastUsedAt", self.last_used_at)
            .to_text()
    }

    /// The JSON text stored beside the key pair.
    pub fn to_json(&self) -> String {
        self.binding
            .write(Obj::new().with("v", 1))
            .with("softwareId", self.software_id.as_str())
            .with("kid", self.kid.as_str())
            .with("alg", self.alg.name())
            .with("scope", self.scope.as_str())
            .with("createdAt", self.created_at)
            .with("lastUsedAt", self.last_used_at)
            .to_text()
    }

    /// Reads a stored record back; anything malformed is [`Error::Storage`].
    pub fn from_json(s: &str) -> Result<Self> {
        let r = Stored::parse("registration", s, 64 * 1024)?;
        Ok(RegistrationRecord {
            binding: Binding::read(&r)?,
            software_id: ClientId::new(r.str("softwareId")?),
            kid: r.str("kid")?.to_owned(),
            alg: Alg::parse(r.str("alg")?).map_err(|_| r.corrupt())?,
            scope: Scope::parse(r.str("scope")?),
            created_at: r.u64("createdAt")?,
            last_used_at: r.u64("lastUsedAt")?,
        })
    }
}
