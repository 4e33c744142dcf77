//! What binds a launch, and then its session, to one server and one client: chosen at `authorize`,
//! stored with the launch record, carried into the session. Never holds the client secret.

use super::encode::Stored;
use super::error::Result;
use super::json::Obj;
use super::token::ClientAuth;
use super::types::{ClientId, ClientSecret, FhirBase, HttpUrl};

/// The server and client of a launch or session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// FHIR base.
    pub iss: FhirBase,
    /// Client id.
    pub client_id: ClientId,
    /// Whether token requests need the configured client secret.
    pub confidential: bool,
    /// Token endpoint from discovery.
    pub token_endpoint: HttpUrl,
    /// Send `Epic-Client-ID` on FHIR calls (seed 000).
    pub epic_client_id_header: bool,
    /// Seconds before expiry at which to refresh.
    pub refresh_margin: u64,
}

impl Binding {
    /// The client authentication for token requests (the secret comes from the app's options).
    pub fn client_auth<'a>(&'a self, secret: Option<&'a ClientSecret>) -> Result<ClientAuth<'a>> {
        ClientAuth::for_client(&self.client_id, self.confidential, secret)
    }

    /// Adds the binding's fields to a record being written.
    pub fn write(&self, o: Obj) -> Obj {
        o.with("iss", self.iss.as_str())
            .with("clientId", self.client_id.as_str())
            .with("confidential", self.confidential)
            .with("tokenEndpoint", self.token_endpoint.as_str())
            .with("epicClientIdHeader", self.epic_client_id_header)
            .with("refreshMargin", self.refresh_margin)
    }

    /// Reads the binding's fields back from a stored record.
    pub fn read(r: &Stored) -> Result<Self> {
        Ok(Binding {
            iss: FhirBase::parse("iss", r.str("iss")?)?,
            client_id: ClientId::new(r.str("clientId")?),
            confidential: r.bool("confidential")?,
            token_endpoint: HttpUrl::parse("token_endpoint", r.str("tokenEndpoint")?)?,
            epic_client_id_header: r.bool("epicClientIdHeader")?,
            refresh_margin: r.u64("refreshMargin")?,
        })
    }
}
