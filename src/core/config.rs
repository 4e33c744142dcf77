//! The app's configuration: the FHIR servers it knows (one entry per `iss`, each with its own client
//! id, as production and non-production ids differ — seeds 000/001) and the launch options. The
//! list is also the EHR-launch `iss` allow-list.
//!
//! Options arrive from JavaScript as an object decoded by serde ([`OptionsDoc`]); every member is
//! checked for type here, and unknown names are refused.

use serde::de::MapAccess;
use url::Url;

use super::binding::{AuthMethod, Binding};
use super::discovery::Pins;
use super::doc::{object_doc, Field, Lenient};
use super::error::{Error, Result};
use super::types::{ClientId, ClientSecret, FhirBase, HttpUrl, Scope};
use super::u64_text;

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
    /// Endpoints the app pinned for this server; the smart-configuration must name exactly these.
    pub pins: Pins,
}

impl ServerEntry {
    /// The binding of a launch with this server and client, with the token endpoint from its
    /// discovery.
    pub fn binding(&self, token_endpoint: HttpUrl, opts: &Options) -> Binding {
        Binding {
            iss: self.iss.clone(),
            client_id: self.client_id.clone(),
            auth: self.auth,
            token_endpoint,
            epic_client_id_header: opts.epic_client_id_header,
            refresh_margin: opts.refresh_margin,
            timeout_ms: opts.timeout_ms,
            require_id_token_signature: opts.require_id_token_signature,
        }
    }
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
    /// Milliseconds each request may take (default 30 s).
    pub timeout_ms: u32,
    /// Refuse an id_token whose signature cannot be checked (keys unreachable, an algorithm this
    /// browser cannot verify) instead of trusting the token endpoint's TLS (the default).
    pub require_id_token_signature: bool,
}

/// Default seconds before expiry at which a token is refreshed.
pub const DEFAULT_REFRESH_MARGIN: u64 = 30;

object_doc! {
    /// One server entry as the app wrote it (`servers[i]`, or the top level of the options).
    pub struct ServerDoc {
        /// FHIR base URL.
        "iss" => iss: String,
        /// Same as `iss` (fhirclient.js's name).
        "fhirServiceUrl" => fhir_service_url: String,
        /// Client id.
        "clientId" => client_id: String,
        /// Client secret (confidential-symmetric clients).
        "clientSecret" => client_secret: String,
        /// Scopes.
        "scope" => scope: String,
        /// Redirect URI, absolute or relative to the page.
        "redirectUri" => redirect_uri: String,
        /// How HTTP Basic carries the client secret: `"form"` (RFC 6749 §2.3.1, the default) or
        /// `"raw"` (id and secret as they are, for servers that compare them undecoded).
        "secretEncoding" => secret_encoding: String,
        /// The authorization endpoint the app expects of this server (a pin).
        "authorizationEndpoint" => authorization_endpoint: String,
        /// The token endpoint the app expects of this server (a pin).
        "tokenEndpoint" => token_endpoint: String,
    }
}

object_doc! {
    /// How to register this browser: `registerDevice: { … }` on `ready()`, or the options of
    /// `client.registerDynamicClient()` (identity entry).
    pub struct RegisterDoc {
        /// `ES384` (default), `RS384` or `RS256`.
        "alg" => alg: String,
        /// `"rfc7591"` (default): the client metadata a generic RFC 7591 server needs
        /// (`redirect_uris`, `grant_types`, `token_endpoint_auth_method`, …); `"minimal"`: only
        /// `software_id` and `jwks`, as seed 004 (Epic) shows.
        "metadata" => metadata: String,
    }
}

/// `registerDevice` on `ready()`: `true`, `false`, or `{ alg, metadata }`.
#[derive(Debug)]
pub enum RegisterDevice {
    /// `false`: do not register.
    No,
    /// `true` or an object: register.
    Yes(RegisterDoc),
}

impl Lenient for RegisterDevice {
    fn from_bool(b: bool) -> Option<Self> {
        Some(if b { RegisterDevice::Yes(RegisterDoc::default()) } else { RegisterDevice::No })
    }
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> core::result::Result<Option<Self>, A::Error> {
        Ok(RegisterDoc::from_map(map)?.map(RegisterDevice::Yes))
    }
}

object_doc! {
    /// `createClientKey` / `importClientKey` (identity entry): the server and the client id the app
    /// registered (out of band) with the key's public JWKS.
    pub struct KeyDoc {
        /// FHIR base URL.
        "iss" => iss: String,
        /// The client id the server issued for this key.
        "clientId" => client_id: String,
        /// `ES384` (default) or `RS384` (or `RS256`); for an imported key, its `alg` when present.
        "alg" => alg: String,
        /// `importClientKey`: the private JWK (its key material is read by WebCrypto only; this module
        /// reads its `kty`, `crv` and `alg` to know the algorithm).
        "privateJwk" => private_jwk: JwkHint,
        /// Milliseconds the discovery request may take.
        "timeout" => timeout: u64,
    }
}

/// What a private JWK says about its algorithm: `kty`, `crv`, `alg` (other members are not read).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JwkHint {
    /// `kty`.
    pub kty: Option<String>,
    /// `crv`.
    pub crv: Option<String>,
    /// `alg`.
    pub alg: Option<String>,
}

impl Lenient for JwkHint {
    fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> core::result::Result<Option<Self>, A::Error> {
        let mut h = JwkHint::default();
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "kty" => &mut h.kty,
                "crv" => &mut h.crv,
                "alg" => &mut h.alg,
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    continue;
                }
            };
            *slot = map.next_value::<Field<String>>()?.value();
        }
        Ok(Some(h))
    }
}

/// The algorithm of a key: the one its JWK names, else the one its type and curve imply (RSA keys
/// sign RS384, SMART's RSA algorithm; P-384 keys ES384). An explicit `alg` option must agree.
fn key_alg(hint: Option<&JwkHint>, option: Option<String>) -> Result<super::jwt::Alg> {
    use super::jwt::Alg;
    let from_option = option.as_deref().map(Alg::parse).transpose()?;
    let Some(h) = hint else { return Ok(from_option.unwrap_or(Alg::ES384)) };
    let from_jwk = match (h.kty.as_deref(), h.crv.as_deref(), h.alg.as_deref()) {
        (_, _, Some(a)) => Alg::parse(a).map_err(|_| invalid("privateJwk.alg", "must be RS384, ES384 or RS256"))?,
        (Some("RSA"), _, None) => from_option.filter(|a| a.kty() == "RSA").unwrap_or(Alg::RS384),
        (Some("EC"), Some("P-384"), None) => Alg::ES384,
        _ => return Err(invalid("privateJwk", "must be an RSA or EC P-384 private key (kty, crv)")),
    };
    if h.kty.as_deref() != Some(from_jwk.kty()) || (from_jwk == Alg::ES384 && h.crv.as_deref() != Some("P-384")) {
        return Err(invalid("privateJwk", "has a kty or crv that does not fit its alg"));
    }
    match from_option {
        Some(a) if a != from_jwk => Err(invalid("alg", "differs from the key's own algorithm (its kty, crv and alg)")),
        _ => Ok(from_jwk),
    }
}

/// A checked `KeyDoc`: server, client id, algorithm (from the private JWK when there is one),
/// time limit.
pub fn key_options(doc: &KeyDoc) -> Result<(FhirBase, ClientId, super::jwt::Alg, u32)> {
    refuse_unknown(&doc.unknown, "")?;
    let iss = text(&doc.iss, &|| "iss".into())?.ok_or_else(|| invalid("iss", "is required"))?;
    let client_id = text(&doc.client_id, &|| "clientId".into())?.ok_or_else(|| invalid("clientId", "is required"))?;
    let jwk = match &doc.private_jwk {
        Field::Absent => None,
        Field::Value(h) => Some(h),
        Field::Wrong => return Err(invalid("privateJwk", "must be a JWK object")),
    };
    let alg = key_alg(jwk, text(&doc.alg, &|| "alg".into())?)?;
    let timeout = timeout_option(&doc.timeout)?.unwrap_or(super::http::DEFAULT_TIMEOUT_MS);
    Ok((FhirBase::parse("iss", &iss)?, ClientId::new(client_id), alg, timeout))
}

/// The binding of `client(state)` (fhirClient.js's `FHIR.client(state)`): a public client of
/// `server_url`, for unit tests and tools. `has_refresh_token` says whether the token response
/// carries one (a refresh then needs `token_uri`). Members of the wrong type come as `Field::Wrong`.
pub fn client_state(
    server_url: Field<String>,
    client_id: Field<String>,
    token_uri: Field<String>,
    timeout: Field<u64>,
    has_refresh_token: bool,
) -> Result<Binding> {
    let iss = text(&server_url, &|| "serverUrl".into())?.ok_or_else(|| invalid("serverUrl", "is required"))?;
    let iss = FhirBase::parse("serverUrl", &iss)?;
    let token_endpoint = match text(&token_uri, &|| "tokenUri".into())? {
        Some(u) => HttpUrl::parse("tokenUri", &u)?,
        None if has_refresh_token => return Err(invalid("tokenUri", "is required with a refresh_token")),
        None => iss.as_dir().clone(),
    };
    Ok(Binding {
        client_id: ClientId::new(text(&client_id, &|| "clientId".into())?.unwrap_or_default()),
        auth: AuthMethod::None,
        token_endpoint,
        epic_client_id_header: false,
        refresh_margin: DEFAULT_REFRESH_MARGIN,
        timeout_ms: timeout_option(&timeout)?.unwrap_or(super::http::DEFAULT_TIMEOUT_MS),
        require_id_token_signature: false,
        iss,
    })
}

/// A checked registration choice: the key's algorithm, and whether to send the minimal body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceRegistration {
    /// The key's signature algorithm.
    pub alg: super::jwt::Alg,
    /// Send only `software_id` and `jwks` (seed 004).
    pub minimal: bool,
}

impl RegisterDoc {
    /// Checks the choice; `option` names it in errors.
    pub fn check(&self, option: &str) -> Result<DeviceRegistration> {
        refuse_unknown(&self.unknown, &[option, "."].concat())?;
        let alg = match text(&self.alg, &|| [option, ".alg"].concat())? {
            None => super::jwt::Alg::ES384,
            Some(a) => super::jwt::Alg::parse(&a)?,
        };
        let minimal = match text(&self.metadata, &|| [option, ".metadata"].concat())?.as_deref() {
            None | Some("rfc7591") => false,
            Some("minimal") => true,
            Some(_) => return Err(invalid([option, ".metadata"].concat(), "must be \"rfc7591\" or \"minimal\"")),
        };
        Ok(DeviceRegistration { alg, minimal })
    }
}

/// `registerDevice` of `ready()` options, checked: `None` when not asked for.
pub fn register_device(doc: &OptionsDoc) -> Result<Option<DeviceRegistration>> {
    match &doc.register_device {
        Field::Absent | Field::Value(RegisterDevice::No) => Ok(None),
        Field::Value(RegisterDevice::Yes(d)) => d.check("registerDevice").map(Some),
        Field::Wrong => Err(invalid("registerDevice", "must be a boolean or { alg, metadata }")),
    }
}

object_doc! {
    /// The options object of `authorize` / `ready` / `init` (and the identity entry's calls), as the
    /// app wrote it, decoded from the JS object by serde-wasm-bindgen. Every member is read
    /// leniently, so a wrong type is reported by name, and a member this library does not know is
    /// refused by name (a misspelt or unsupported option must not silently change what the app gets).
    pub struct OptionsDoc {
        /// The servers the app is registered with.
        "servers" => servers: Vec<ServerDoc>,
        /// Send `aud`.
        "aud" => aud: bool,
        /// Send `Epic-Client-ID`.
        "epicClientIdHeader" => epic_client_id_header: bool,
        /// Seconds before expiry at which to refresh.
        "refreshMargin" => refresh_margin: u64,
        /// Launch as this browser's registered client.
        "useRegistration" => use_registration: bool,
        /// `authorize()`: return the URL instead of navigating.
        "noRedirect" => no_redirect: bool,
        /// `ready()` (identity entry): register this browser at once.
        "registerDevice" => register_device: RegisterDevice,
        /// Milliseconds each request may take (1..=600000; default 30000).
        "timeout" => timeout: u64,
        /// Refuse id_tokens whose signature cannot be checked.
        "requireIdTokenSignature" => require_id_token_signature: bool,
    }
    + /// The single server's entry, or with `servers`: `iss` / `fhirServiceUrl` choose among them
      /// and `clientId` / `scope` / `redirectUri` are defaults for every entry.
      top: ServerDoc
}

fn invalid(option: impl Into<String>, reason: &'static str) -> Error {
    Error::InvalidOption { option: option.into(), reason }
}

fn refuse_unknown(unknown: &Option<String>, prefix: &str) -> Result<()> {
    match unknown {
        Some(k) => Err(invalid([prefix, k].concat(), "is not an option of this library")),
        None => Ok(()),
    }
}

/// A string option: absent, non-blank, or an error naming it.
fn text(f: &Field<String>, name: &dyn Fn() -> String) -> Result<Option<String>> {
    match f {
        Field::Absent => Ok(None),
        Field::Value(s) if !s.trim().is_empty() => Ok(Some(s.clone())),
        Field::Value(_) => Err(invalid(name(), "must not be empty")),
        Field::Wrong => Err(invalid(name(), "must be a string")),
    }
}

fn flag(f: &Field<bool>, name: &str, default: bool) -> Result<bool> {
    Ok(f.clone().get(|| invalid(name, "must be a boolean"))?.unwrap_or(default))
}

impl ServerDoc {
    fn refuse_unknown(&self, prefix: &str) -> Result<()> {
        refuse_unknown(&self.unknown, prefix)
    }

    /// `iss`, or `fhirServiceUrl`.
    pub fn iss(&self, prefix: &str) -> Result<Option<String>> {
        match text(&self.iss, &|| [prefix, "iss"].concat())? {
            Some(s) => Ok(Some(s)),
            None => text(&self.fhir_service_url, &|| [prefix, "fhirServiceUrl"].concat()),
        }
    }
}

/// Reads one server entry; `defaults` supplies the top-level `scope`/`redirectUri`/`clientId`
/// shared by all entries; `page_url` resolves a relative `redirectUri` (default: the page itself).
fn server_entry(d: &ServerDoc, prefix: &str, defaults: Option<&ServerDoc>, page_url: &HttpUrl) -> Result<ServerEntry> {
    d.refuse_unknown(prefix)?;
    let name = |key: &str| [prefix, key].concat();
    let get = |key: &str, pick: fn(&ServerDoc) -> &Field<String>| -> Result<Option<String>> {
        match text(pick(d), &|| name(key))? {
            Some(v) => Ok(Some(v)),
            None => defaults.map_or(Ok(None), |top| text(pick(top), &|| key.to_owned())),
        }
    };
    let iss = d.iss(prefix)?.ok_or_else(|| invalid(name("iss"), "is required"))?;
    let client_id = get("clientId", |d| &d.client_id)?.ok_or_else(|| invalid(name("clientId"), "is required"))?;
    let scope = Scope::parse(&get("scope", |d| &d.scope)?.ok_or_else(|| invalid(name("scope"), "is required"))?);
    let redirect_uri = match get("redirectUri", |d| &d.redirect_uri)? {
        Some(s) => HttpUrl::join("redirectUri", page_url, &s)?,
        None => {
            let mut u = page_url.url().clone();
            u.set_query(None);
            u.set_fragment(None);
            HttpUrl::check("redirectUri", u)?
        }
    };
    let client_secret = text(&d.client_secret, &|| name("clientSecret"))?.map(ClientSecret::new);
    let raw = match get("secretEncoding", |d| &d.secret_encoding)?.as_deref() {
        None | Some("form") => false,
        Some("raw") => true,
        Some(_) => return Err(invalid(name("secretEncoding"), "must be \"form\" or \"raw\"")),
    };
    // Pins belong to one server entry (never taken from the top-level defaults of a list).
    let pin = |what: &'static str, f: &Field<String>| text(f, &|| name(what))?.map(|s| HttpUrl::parse(what, &s)).transpose();
    let pins = Pins {
        authorization_endpoint: pin("authorizationEndpoint", &d.authorization_endpoint)?,
        token_endpoint: pin("tokenEndpoint", &d.token_endpoint)?,
    };
    let auth = match (&client_secret, raw) {
        (None, _) => AuthMethod::None,
        (Some(_), false) => AuthMethod::SecretBasic,
        (Some(_), true) => AuthMethod::SecretBasicRaw,
    };
    Ok(ServerEntry {
        iss: FhirBase::parse("iss", &iss)?,
        client_id: ClientId::new(client_id),
        auth,
        client_secret,
        scope,
        redirect_uri,
        pins,
    })
}

/// Validates the options object. `page_url` is the URL of the page the app runs on.
pub fn parse_options(doc: &OptionsDoc, page_url: &str) -> Result<Options> {
    let page = HttpUrl::parse("page URL", page_url)?;
    let top = &doc.top;
    refuse_unknown(&doc.unknown, "")?;
    let (servers, fhir_service_url) = match &doc.servers {
        Field::Absent => (vec![server_entry(top, "", None, &page)?], None),
        Field::Value(list) if !list.is_empty() => {
            for (f, key) in [(&top.authorization_endpoint, "authorizationEndpoint"), (&top.token_endpoint, "tokenEndpoint")] {
                if !matches!(f, Field::Absent) {
                    return Err(invalid(key, "pins one server's endpoint: give it in that servers[] entry"));
                }
            }
            let servers = list
                .iter()
                .enumerate()
                .map(|(i, e)| server_entry(e, &["servers[", &u64_text(i as u64), "]."].concat(), Some(top), &page))
                .collect::<Result<Vec<_>>>()?;
            // With a list, `iss`/`fhirServiceUrl` at the top level chooses among it.
            let chosen = match text(&top.fhir_service_url, &|| "fhirServiceUrl".into())? {
                Some(s) => Some(s),
                None => text(&top.iss, &|| "iss".into())?,
            };
            (servers, chosen.map(|s| FhirBase::parse("fhirServiceUrl", &s)).transpose()?)
        }
        _ => return Err(invalid("servers", "must be a non-empty array")),
    };
    let refresh_margin = match &doc.refresh_margin {
        Field::Absent => DEFAULT_REFRESH_MARGIN,
        Field::Value(s) if *s <= 86_400 => *s,
        _ => return Err(invalid("refreshMargin", "must be 0..=86400 seconds")),
    };
    flag(&doc.no_redirect, "noRedirect", false)?;
    let timeout_ms = timeout_option(&doc.timeout)?.unwrap_or(super::http::DEFAULT_TIMEOUT_MS);
    Ok(Options {
        servers,
        fhir_service_url,
        send_aud: flag(&doc.aud, "aud", true)?,
        epic_client_id_header: flag(&doc.epic_client_id_header, "epicClientIdHeader", false)?,
        refresh_margin,
        use_registration: flag(&doc.use_registration, "useRegistration", false)?,
        timeout_ms,
        require_id_token_signature: flag(&doc.require_id_token_signature, "requireIdTokenSignature", false)?,
    })
}

/// A `timeout` option in milliseconds (1..=600000), when given.
pub fn timeout_option(f: &Field<u64>) -> Result<Option<u32>> {
    match f {
        Field::Absent => Ok(None),
        Field::Value(ms) if (1..=600_000).contains(ms) => Ok(Some(*ms as u32)),
        _ => Err(invalid("timeout", "must be 1..=600000 milliseconds")),
    }
}

/// The options of `ready()`: the full options when they name a client (a confidential client's
/// secret is found there), `None` when they do not (a public client's redirect page needs no
/// server list: `ready({ registerDevice: true })`); and the FHIR server whose stored session to
/// restore when the page is not a redirect (top-level `iss` / `fhirServiceUrl`: `ready({ iss })`).
/// Unknown names are refused either way.
pub fn parse_ready_options(doc: &OptionsDoc, page_url: &str) -> Result<(Option<Options>, Option<FhirBase>)> {
    let t = &doc.top;
    let chosen = t.iss("")?.map(|s| FhirBase::parse("iss", &s)).transpose()?;
    let client_fields = [&t.client_id, &t.client_secret, &t.scope, &t.redirect_uri, &t.secret_encoding];
    if matches!(doc.servers, Field::Absent) && client_fields.iter().all(|f| matches!(f, Field::Absent)) {
        refuse_unknown(&doc.unknown, "")?;
        return Ok((None, chosen));
    }
    parse_options(doc, page_url).map(|o| (Some(o), chosen))
}

/// `{ iss, clientId, clientSecret }` for a client that sends HTTP Basic credentials to the FHIR
/// server itself (seed 002); all three required.
pub fn parse_basic_client(doc: &OptionsDoc) -> Result<(FhirBase, ClientId, ClientSecret)> {
    let d = &doc.top;
    refuse_unknown(&doc.unknown, "")?;
    let need = |f: &Field<String>, k: &str| text(f, &|| k.to_owned())?.ok_or_else(|| invalid(k, "is required"));
    let iss = d.iss("")?.ok_or_else(|| invalid("iss", "is required"))?;
    Ok((FhirBase::parse("iss", &iss)?, ClientId::new(need(&d.client_id, "clientId")?), ClientSecret::new(need(&d.client_secret, "clientSecret")?)))
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
    let url = Url::parse(page_url).map_err(|_| Error::InvalidUrl { what: "page URL", url: super::error::redact_url(page_url) })?;
    let mut iss = None;
    let mut launch = None;
    for (k, v) in url.query_pairs() {
        match &*k {
            "iss" => iss = Some(v.into_owned()),
            "launch" => launch = Some(v.into_owned()),
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
