//! Newtypes for protocol strings (after oauth2-rs): a redirect URI cannot be passed where a token
//! URL is expected, and secrets print as `[redacted]`.

use core::fmt;

use url::Url;

use super::error::{Error, Result, What};

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Debug)]
        pub struct $name(String);
        impl $name {
            /// Wraps a string; no validation beyond what the constructor of the caller did.
            pub fn new(s: impl Into<String>) -> Self { Self(s.into()) }
            /// The protocol string.
            pub fn as_str(&self) -> &str { &self.0 }
        }
    };
}

macro_rules! secret_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);
        impl $name {
            /// Wraps a secret string.
            pub fn new(s: impl Into<String>) -> Self { Self(s.into()) }
            /// The secret itself; call only where it is sent.
            pub fn secret(&self) -> &str { &self.0 }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

string_newtype!(
    /// OAuth `client_id` (RFC 6749 §2.2).
    ClientId
);
string_newtype!(
    /// The authorization server's issuer identifier (RFC 8414 §2), compared exactly.
    Issuer
);
string_newtype!(
    /// The `state` of one authorization request (RFC 6749 §10.12), single use.
    State
);
string_newtype!(
    /// PKCE `code_challenge` (RFC 7636 §4.2), always method S256.
    PkceChallenge
);
secret_newtype!(
    /// OAuth `client_secret` (RFC 6749 §2.3.1).
    ClientSecret
);
secret_newtype!(
    /// Bearer access token (RFC 6750).
    AccessToken
);
secret_newtype!(
    /// Refresh token (RFC 6749 §6).
    RefreshToken
);
secret_newtype!(
    /// Authorization code (RFC 6749 §4.1.2).
    AuthorizationCode
);

/// PKCE `code_verifier` (RFC 7636 §4.1). Deliberately not `Clone`: it is sent once.
#[derive(PartialEq, Eq)]
pub struct PkceVerifier(String);

impl PkceVerifier {
    /// A verifier from 32 random bytes: 43 base64url characters, 256 bits.
    pub fn from_random(bytes: &[u8; 32]) -> Self {
        PkceVerifier(super::encode::b64url(bytes))
    }
    /// A verifier read back from the launch record; must be 43–128 unreserved characters.
    pub fn parse(s: &str) -> Result<Self> {
        let ok = (43..=128).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if ok {
            Ok(PkceVerifier(s.to_owned()))
        } else {
            Err(Error::Storage { message: "stored PKCE verifier is malformed".into() })
        }
    }
    /// The verifier itself; call only where it is stored or sent.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PkceVerifier([redacted])")
    }
}

impl PkceChallenge {
    /// `code_challenge = BASE64URL(SHA-256(code_verifier))` (RFC 7636 §4.2); the digest is computed
    /// by the caller (WebCrypto in the browser), so the core stays free of I/O and crypto code.
    pub fn from_sha256(digest: &[u8; 32]) -> Self {
        PkceChallenge(super::encode::b64url(digest))
    }
}

impl State {
    /// A state from 32 random bytes: 256 bits, base64url.
    pub fn from_random(bytes: &[u8; 32]) -> Self {
        State(super::encode::b64url(bytes))
    }
}

/// An absolute URL that keeps the exact string it was given beside the parsed form (after
/// oauth2-rs): endpoints from discovery, redirect URIs.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HttpUrl(Url);

impl HttpUrl {
    /// Parses an absolute `https:` URL, or `http:` on a loopback host (RFC 8252 §8.3).
    pub fn parse(what: What, s: &str) -> Result<Self> {
        let url = Url::parse(s).map_err(|_| Error::InvalidUrl { what, url: s.to_owned() })?;
        Self::check(what, url)
    }

    /// Resolves `s` against `base` (a relative endpoint in a discovery document), then checks it.
    pub fn join(what: What, base: &HttpUrl, s: &str) -> Result<Self> {
        let url = base.0.join(s).map_err(|_| Error::InvalidUrl { what, url: s.to_owned() })?;
        Self::check(what, url)
    }

    fn check(what: What, url: Url) -> Result<Self> {
        let secure = match url.scheme() {
            "https" => true,
            "http" => match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            },
            _ => return Err(Error::InvalidUrl { what, url: url.into() }),
        };
        if !secure {
            return Err(Error::InsecureUrl { what, url: url.into() });
        }
        if url.cannot_be_a_base() || url.host().is_none() {
            return Err(Error::InvalidUrl { what, url: url.into() });
        }
        Ok(HttpUrl(url))
    }

    /// The URL as a string.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed URL.
    pub fn url(&self) -> &Url {
        &self.0
    }
}

/// A FHIR base URL (the SMART `iss`). Stored without a trailing slash, so `…/R4` and `…/R4/`
/// name the same server; no query or fragment.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FhirBase(HttpUrl);

impl FhirBase {
    /// Parses and normalizes a FHIR base URL.
    pub fn parse(what: What, s: &str) -> Result<Self> {
        let mut url = HttpUrl::parse(what, s.trim())?.0;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::InvalidUrl { what, url: s.to_owned() });
        }
        let path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&path);
        Ok(FhirBase(HttpUrl(url)))
    }

    /// The base without a trailing slash.
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// The base with a trailing slash, for resolving relative URLs.
    pub fn as_dir(&self) -> HttpUrl {
        let mut u = self.0 .0.clone();
        let p = format!("{}/", u.path().trim_end_matches('/'));
        u.set_path(&p);
        HttpUrl(u)
    }

    /// `{base}/.well-known/smart-configuration` (SMART App Launch §2.0.5).
    pub fn smart_configuration_url(&self) -> String {
        format!("{}/.well-known/smart-configuration", self.as_str())
    }
}

/// A space-separated OAuth scope list (RFC 6749 §3.3), normalized: single spaces, no duplicates.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Scope(String);

impl Scope {
    /// Normalizes a scope string; extra whitespace (as in seed 004's `"Patient.read Patient.search "`)
    /// is tolerated.
    pub fn parse(s: &str) -> Self {
        let mut out: Vec<&str> = Vec::new();
        for t in s.split_ascii_whitespace() {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        Scope(out.join(" "))
    }
    /// The normalized scope string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Whether one scope token is present.
    pub fn contains(&self, token: &str) -> bool {
        self.0.split(' ').any(|t| t == token)
    }
}
