//! The requests the core asks its driver to send, and the parts of responses it reads. The core
//! never sends anything itself (sans-IO, after quinn-proto).

/// A request for the driver to send as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// Method, upper case.
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Header name/value pairs.
    pub headers: Vec<(String, String)>,
    /// Body, for POST.
    pub body: Option<String>,
    /// What the response is (for errors), and the most bytes its body may have: the driver
    /// refuses a larger answer before reading it into memory. `0`: the body is not read by the
    /// core (FHIR responses stay in JavaScript).
    pub expect: (super::error::What, usize),
    /// Milliseconds the whole exchange (answer and body) may take before it is abandoned with
    /// [`super::Error::Timeout`].
    pub timeout_ms: u32,
}

/// The default time a request may take: 30 seconds.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

impl HttpRequest {
    /// A GET request.
    pub fn get(url: String) -> Self {
        Self::new("GET", url)
    }

    /// A GET for a JSON document (`Accept: application/json`): `what` names it in errors, and an
    /// answer over `limit` bytes is refused.
    pub fn get_json(url: String, what: super::error::What, limit: usize) -> Self {
        Self::get(url).header("Accept", "application/json").expect(what, limit)
    }

    /// A request with any method and no headers or body yet.
    pub fn new(method: &str, url: String) -> Self {
        HttpRequest { method: method.to_ascii_uppercase(), url, headers: Vec::new(), body: None, expect: ("response", 0), timeout_ms: DEFAULT_TIMEOUT_MS }
    }

    /// A form POST (`application/x-www-form-urlencoded`, RFC 6749 §4.1.3), JSON accepted.
    pub fn form_post(url: String, body: String) -> Self {
        HttpRequest { body: Some(body), ..Self::new("POST", url) }
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
    }

    /// Names the document the response must be, and its largest size in bytes.
    pub fn expect(mut self, what: super::error::What, limit: usize) -> Self {
        self.expect = (what, limit);
        self
    }

    /// Sets how long the exchange may take.
    pub fn timeout(mut self, ms: u32) -> Self {
        self.timeout_ms = ms;
        self
    }

    /// Sets a header, replacing any of the same name (compared case-insensitively).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The value of a header this request carries (names compared case-insensitively).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}
