//! What binds a launch, and then its session, to one server and one client: chosen at `authorize`,
//! stored with the launch record, carried into the session. Never holds the client secret.

use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::token::ClientAuth;
use super::types::{ClientId, ClientSecret, FhirBase, HttpUrl};

/// How the client authenticates at the token endpoint (RFC 7591 `token_endpoint_auth_method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthMethod {
    /// A public client (`none`): `client_id` in the body.
    #[serde(rename = "none")]
    None,
    /// A confidential-symmetric client (`client_secret_basic`); the secret comes from the app's
    /// options each time, it is never stored.
    #[serde(rename = "client_secret_basic")]
    SecretBasic,
    /// `client_secret_basic` with id and secret as they are, not form-encoded first: what many
    /// servers (and fhirclient.js) do, against RFC 6749 §2.3.1. Chosen by `secretEncoding: "raw"`.
    #[serde(rename = "client_secret_basic_raw")]
    SecretBasicRaw,
    /// A confidential-asymmetric client (`private_key_jwt`): a JWT signed by this browser's
    /// non-extractable key (a dynamic registration).
    #[serde(rename = "private_key_jwt")]
    PrivateKeyJwt,
}

/// The server and client of a launch or session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    /// FHIR base.
    pub iss: FhirBase,
    /// Client id.
    pub client_id: ClientId,
    /// How token requests authenticate the client.
    pub auth: AuthMethod,
    /// Token endpoint from discovery.
    pub token_endpoint: HttpUrl,
    /// Send `Epic-Client-ID` on FHIR calls (seed 000).
    pub epic_client_id_header: bool,
    /// Seconds before expiry at which to refresh.
    pub refresh_margin: u64,
    /// Milliseconds a request to these servers may take.
    pub timeout_ms: u32,
    /// Refuse id_tokens whose signature cannot be checked (`requireIdTokenSignature`).
    #[serde(default)]
    pub require_id_token_signature: bool,
}

impl Binding {
    /// The client authentication for token requests: the secret comes from the app's options,
    /// the assertion from this browser's key (signed by the driver just before).
    pub fn client_auth<'a>(&'a self, secret: Option<&'a ClientSecret>, assertion: Option<&'a str>) -> Result<ClientAuth<'a>> {
        let missing = |option: &str, reason| Error::InvalidOption { option: option.into(), reason };
        match self.auth {
            AuthMethod::None => Ok(ClientAuth::Public(&self.client_id)),
            AuthMethod::SecretBasic | AuthMethod::SecretBasicRaw => secret
                .map(|s| ClientAuth::Basic(&self.client_id, s, self.auth == AuthMethod::SecretBasicRaw))
                .ok_or_else(|| missing("clientSecret", "is required for this confidential client's token requests")),
            AuthMethod::PrivateKeyJwt => assertion
                .map(|a| ClientAuth::Assertion(&self.client_id, a))
                .ok_or_else(|| missing("assertion", "is required for a key-bound client's token requests")),
        }
    }
}
