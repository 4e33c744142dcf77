//! Newtypes for protocol strings (after oauth2-rs): a redirect URI cannot be passed where a token
//! URL is expected, and secrets print as `[redacted]`.

use core::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::{Host, Url};

use super::error::{Error, Result, What};

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
        #[serde(transparent)]
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
        #[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
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
secret_newtype!(
    /// The key (32 bytes, base64url) the tabs sharing a session seal their relay records with
    /// ([`crate::core::relay`]); kept only in the session (`sessionStorage`).
    RelayKey
);

/// PKCE `code_verifier` (RFC 7636 §4.1). Deliberately not `Clone`: it is sent once.
#[derive(PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PkceVerifier(String);

impl<'de> Deserialize<'de> for PkceVerifier {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        PkceVerifier::parse(&String::deserialize(d)?).map_err(|_| D::Error::custom("bad verifier"))
    }
}

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

/// An absolute URL: `https:`, or `http:` on a loopback host (RFC 8252 §8.3), parsed by the WHATWG
/// URL standard (the `url` crate, the same standard the browser's `fetch` applies). No userinfo.
/// Compares on its serialization.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HttpUrl(Url);

impl HttpUrl {
    /// Parses and checks an absolute URL.
    pub fn parse(what: What, s: &str) -> Result<Self> {
        Self::check(what, Url::parse(s).map_err(|_| Error::InvalidUrl { what, url: s.to_owned() })?)
    }

    /// Resolves `s` against `base` (a relative endpoint in a discovery document), then checks it.
    pub fn join(what: What, base: &HttpUrl, s: &str) -> Result<Self> {
        Self::check(what, base.0.join(s).map_err(|_| Error::InvalidUrl { what, url: s.to_owned() })?)
    }

    /// Checks a parsed URL: `http:` or `https:`, no userinfo, and `http:` only on loopback.
    pub fn check(what: What, url: Url) -> Result<Self> {
        let web = matches!(url.scheme(), "https" | "http");
        if !web || !url.username().is_empty() || url.password().is_some() || url.host().is_none() {
            return Err(Error::InvalidUrl { what, url: url.into() });
        }
        if url.scheme() == "http" && !is_loopback(&url) {
            return Err(Error::InsecureUrl { what, url: url.into() });
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

/// Whether the host is `localhost` or a loopback address.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d == "localhost",
        Some(Host::Ipv4(a)) => a.is_loopback(),
        Some(Host::Ipv6(a)) => a.is_loopback(),
        None => false,
    }
}

/// A URL type in stored records: written as its string, read back by parsing (and checking) it
/// again, so a tampered record cannot smuggle in a URL the type would refuse.
macro_rules! url_serde {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
                <$t>::parse("stored URL", &String::deserialize(d)?).map_err(|_| D::Error::custom("bad URL"))
            }
        }
    };
}

url_serde!(HttpUrl);
url_serde!(FhirBase);

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
        let dir = [url.path().trim_end_matches('/'), "/"].concat();
        url.set_path(&dir);
        Ok(FhirBase(HttpUrl(url)))
    }

    /// The base without a trailing slash.
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// The base with a trailing slash, for resolving relative URLs.
    pub fn as_dir(&self) -> &HttpUrl {
        &self.0
    }

    /// `{base}/.well-known/smart-configuration` (SMART App Launch §2.0.5).
    pub fn smart_configuration_url(&self) -> String {
        [self.0.as_str(), ".well-known/smart-configuration"].concat()
    }
}


/// A space-separated OAuth scope list (RFC 6749 §3.3), normalized: single spaces, no duplicates,
/// first occurrence order. Linear in the number of tokens (n log n with the duplicate check).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Scope(String);

impl Scope {
    /// Normalizes a scope string; extra whitespace (as in seed 004's `"Patient.read Patient.search "`)
    /// is tolerated.
    pub fn parse(s: &str) -> Self {
        // The distinct tokens, sorted; each is written the first time it occurs (n log n).
        let mut distinct: Vec<&str> = s.split_ascii_whitespace().collect();
        distinct.sort_unstable();
        distinct.dedup();
        let mut written = vec![false; distinct.len()];
        let mut out = String::with_capacity(s.len());
        for t in s.split_ascii_whitespace() {
            if let Ok(i) = distinct.binary_search(&t) {
                if !core::mem::replace(&mut written[i], true) {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(t);
                }
            }
        }
        Scope(out)
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

impl From<String> for Scope {
    fn from(s: String) -> Self {
        Scope::parse(&s)
    }
}

impl From<Scope> for String {
    fn from(s: Scope) -> Self {
        s.0
    }
}
