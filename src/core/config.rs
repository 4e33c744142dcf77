//! The app's configuration: the FHIR servers it knows (one entry per `iss`, each with its own client
//! id, as production and non-production ids differ — seeds 000/001) and the launch options. The
//! list is also the EHR-launch `iss` allow-list.
//!
//! Options arrive from JavaScript as a JSON object; every field is checked for type here.

use super::binding::AuthMethod;
use super::error::{Error, Result};
use super::json::{Json, Obj};
use super::types::{ClientId, ClientSecret, FhirBase, HttpUrl, Scope};

/// One FHIR server the app is registered with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerEntry {
    /// FHIR base URL, the SMART `iss`.
    pub iss: FhirBase,
    /// The client id this server issued to the app.
    pub client_id: ClientId,
    /// A client secret, for confidential-symmetric clients (never written to storage).
    pub client_secret: Option<ClientSecret>,
    /// How this client authenticates at the token endpoint.
    pub auth: AuthMethod,
    /// Scopes to request.
    pub scope: Scope,
    /// The exact redirect URI registered with this server.
    pub redirect_uri: HttpUrl,
}

/// Validated options of `authorize` / `ready` / `init`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Known servers; never empty.
    pub servers: Vec<ServerEntry>,
    /// For a standalone launch among several servers: which one.
    pub fhir_service_url: Option<FhirBase>,
    /// Send `aud` on the authorize request (default true; some servers reject it).
    pub send_aud: bool,
    /// Send `Epic-Client-ID: <client id>` on FHIR requests (seed 000).
    pub epic_client_id_header: bool,
    /// Seconds before expiry at which `request` refreshes the access token.
    pub refresh_margin: u64,
    /// Launch as this browser's registered client (confidential-asymmetric, seed 004 step 3b).
    pub use_registration: bool,
}

/// Default seconds before expiry at which a token is refreshed.
pub const DEFAULT_REFRESH_MARGIN: u64 = 30;

fn invalid(option: impl Into<String>, reason: &'static str) -> Error {
    Error::InvalidOption { option: option.into(), reason }
}

struct Reader<'a> {
    m: &'a Obj,
    prefix: String,
}

impl<'a> Reader<'a> {
    fn name(&self, key: &str) -> String {
        crate::core::cat(&[self.prefix.as_str(), key])
    }
    fn str(&self, key: &str) -> Result<Option<&'a str>> {
        match self.m.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Str(s)) if !s.trim().is_empty() => Ok(Some(s.as_str())),
            Some(Json::Str(_)) => Err(invalid(self.name(key), "must not be empty")),
            Some(_) => Err(invalid(self.name(key), "must be a string")),
        }
    }
    fn bool(&self, key: &str, default: bool) -> Result<bool> {
        match self.m.get(key) {
            None | Some(Json::Null) => Ok(default),
            Some(Json::Bool(b)) => Ok(*b),
            Some(_) => Err(invalid(self.name(key), "must be a boolean")),
        }
    }
}

/// Reads one server entry; `defaults` supplies the top-level `scope`/`redirectUri`/`clientId`
/// shared by all entries; `page_url` resolves a relative `redirectUri` (default: the page itself).
fn server_entry(r: &Reader<'_>, defaults: Option<&Reader<'_>>, page_url: &HttpUrl) -> Result<ServerEntry> {
    let get = |key: &str| -> Result<Option<&str>> {
        match r.str(key)? {
            Some(v) => Ok(Some(v)),
            None => defaults.map_or(Ok(None), |d| d.str(key)),
        }
    };
    let iss_key = if r.m.contains_key("iss") { "iss" } else { "fhirServiceUrl" };
    let iss = r.str(iss_key)?.ok_or_else(|| invalid(r.name("iss"), "is required"))?;
    let client_id = get("clientId")?.ok_or_else(|| invalid(r.name("clientId"), "is required"))?;
    let scope = Scope::parse(get("scope")?.ok_or_else(|| invalid(r.name("scope"), "is required"))?);
    let redirect_uri = match get("redirectUri")? {
        Some(s) => HttpUrl::join("redirectUri", page_url, s)?,
        None => {
            let mut u = page_url.url().clone();
            u.set_query(None);
            u.set_fragment(None);
            HttpUrl::check("redirectUri", u)?
        }
    };
    let client_secret = r.str("clientSecret")?.map(ClientSecret::new);
    Ok(ServerEntry {
        iss: FhirBase::parse("iss", iss)?,
        client_id: ClientId::new(client_id),
        auth: if client_secret.is_some() { AuthMethod::SecretBasic } else { AuthMethod::None },
        client_secret,
        scope,
        redirect_uri,
    })
}

/// Validates the options object. `page_url` is the URL of the page the app runs on.
pub fn parse_options(v: &Json, page_url: &str) -> Result<Options> {
    let m = v.as_object().ok_or_else(|| invalid("options", "must be an object"))?;
    let page = HttpUrl::parse("page URL", page_url)?;
    let top = Reader { m, prefix: String::new() };
    let servers = match m.get("servers") {
        None | Some(Json::Null) => vec![server_entry(&top, None, &page)?],
        Some(Json::Arr(list)) if !list.is_empty() => list
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let prefix = crate::core::cat(&["servers[", &super::json::u64_text(i as u64), "]"]);
                let m = e.as_object().ok_or_else(|| invalid(prefix.as_str(), "must be an object"))?;
                server_entry(&Reader { m, prefix: prefix + "." }, Some(&top), &page)
            })
            .collect::<Result<Vec<_>>>()?,
        Some(_) => return Err(invalid("servers", "must be a non-empty array")),
    };
    let fhir_service_url = match m.get("servers") {
        // With a list, `iss`/`fhirServiceUrl` at the top level chooses among it.
        Some(Json::Arr(_)) => match top.str("fhirServiceUrl")?.or(top.str("iss")?) {
            Some(s) => Some(FhirBase::parse("fhirServiceUrl", s)?),
            None => None,
        },
        _ => None,
    };
    let refresh_margin = match m.get("refreshMargin") {
        None | Some(Json::Null) => DEFAULT_REFRESH_MARGIN,
        Some(v) => v.as_u64().filter(|s| *s <= 86_400).ok_or_else(|| invalid("refreshMargin", "must be 0..=86400 seconds"))?,
    };
    Ok(Options {
        servers,
        fhir_service_url,
        send_aud: top.bool("aud", true)?,
        epic_client_id_header: top.bool("epicClientIdHeader", false)?,
        refresh_margin,
        use_registration: top.bool("useRegistration", false)?,
    })
}

/// `{ iss, clientId, clientSecret }` for a client that sends HTTP Basic credentials to the FHIR
/// server itself (seed 002); all three required.
pub fn parse_basic_client(v: &Json) -> Result<(FhirBase, ClientId, ClientSecret)> {
    let m = v.as_object().ok_or_else(|| invalid("options", "must be an object"))?;
    let r = Reader { m, prefix: String::new() };
    let need = |k: &str| r.str(k)?.ok_or_else(|| invalid(k, "is required"));
    let iss = match r.str("iss")? {
        Some(s) => s,
        None => need("fhirServiceUrl")?,
    };
    Ok((FhirBase::parse("iss", iss)?, ClientId::new(need("clientId")?), ClientSecret::new(need("clientSecret")?)))
}

/// How the page was launched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LaunchKind {
    /// The app started the launch itself.
    Standalone,
    /// An EHR opened the app with `?iss=…&launch=…` (SMART App Launch §2.0.6).
    Ehr { launch: String },
}

/// Reads `iss` and `launch` from the page URL of an EHR launch, if present.
pub fn ehr_launch_params(page_url: &str) -> Result<Option<(String, Option<String>)>> {
    let url = super::url::Url::parse(page_url).ok_or_else(|| Error::InvalidUrl { what: "page URL", url: page_url.to_owned() })?;
    let mut iss = None;
    let mut launch = None;
    for (k, v) in url.query_pairs() {
        match k.as_str() {
            "iss" => iss = Some(v),
            "launch" => launch = Some(v),
            _ => {}
        }
    }
    Ok(iss.map(|i| (i, launch)))
}

impl Options {
    /// Chooses the server for this launch. An `iss` from an EHR launch must be one of the
    /// configured servers ([`Error::IssNotAllowed`] otherwise); so must `fhirServiceUrl`.
    pub fn select(&self, ehr: Option<(&str, Option<&str>)>) -> Result<(&ServerEntry, LaunchKind)> {
        let find = |iss: &str| -> Result<&ServerEntry> {
            let wanted = FhirBase::parse("iss", iss).map_err(|_| Error::IssNotAllowed { iss: iss.to_owned() })?;
            self.servers.iter().find(|s| s.iss == wanted).ok_or_else(|| Error::IssNotAllowed { iss: iss.to_owned() })
        };
        if let Some((iss, launch)) = ehr {
            let entry = find(iss)?;
            return Ok(match launch {
                Some(l) if !l.is_empty() => (entry, LaunchKind::Ehr { launch: l.to_owned() }),
                _ => (entry, LaunchKind::Standalone),
            });
        }
        match (&self.fhir_service_url, self.servers.as_slice()) {
            (Some(base), _) => Ok((find(base.as_str())?, LaunchKind::Standalone)),
            (None, [only]) => Ok((only, LaunchKind::Standalone)),
            (None, _) => Err(invalid("fhirServiceUrl", "is required to choose among several servers")),
        }
    }

    /// The configured entry for a server and client id (to find a secret on the redirect page).
    pub fn entry_for(&self, iss: &FhirBase, client_id: &ClientId) -> Option<&ServerEntry> {
        self.servers.iter().find(|s| &s.iss == iss && &s.client_id == client_id)
    }
}
