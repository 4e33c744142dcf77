//! Reading what the app passes in. Every getter, `Proxy` trap and `toJSON` of the app's objects
//! runs here, in JavaScript, inside a `try`: a throw becomes a typed error instead of unwinding
//! through wasm (which would leave the module's stack pointer behind and, after a few thousand
//! throws, break the module for the life of the page). What crosses into wasm is plain data.

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::json::from_js;
use crate::core::doc::Field;
use crate::core::Error;

#[wasm_bindgen(module = "/src/web/browser.js")]
extern "C" {
    #[wasm_bindgen(js_name = plain)]
    fn plain_copy(v: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = readRequest)]
    fn read_request(input: &JsValue, init: &JsValue) -> JsValue;
}

/// An options object the app passed: its plain copy (getters run once, here, in JavaScript) and
/// that copy decoded as `T`. A getter or proxy that throws, or anything but a plain object, is
/// `invalid_option`.
pub fn app_object<T: serde::de::DeserializeOwned>(v: &JsValue) -> Result<(T, JsValue), Error> {
    let r = plain_copy(v);
    let copy = js_sys::Reflect::get(&r, &JsValue::from_str("v"))
        .ok()
        .filter(|_| js_sys::Reflect::has(&r, &JsValue::from_str("v")).unwrap_or(false))
        .ok_or(Error::InvalidOption { option: "options".into(), reason: "could not be read (a getter or proxy threw)" })?;
    let doc = if super::json::is_object(&copy) { from_js(copy.clone()) } else { None };
    let doc = doc.ok_or(Error::InvalidOption { option: "options".into(), reason: "must be an object" })?;
    Ok((doc, copy))
}

/// What `readRequest` read, as plain data (the signal is read separately: it is a JS object).
#[derive(Deserialize, Default)]
#[serde(default)]
struct RequestDoc {
    url: Field<String>,
    method: Field<String>,
    headers: Field<Vec<Vec<String>>>,
    json: Field<bool>,
    bad: Field<String>,
    why: Field<String>,
    timeout: Field<u64>,
    include: Field<bool>,
    pages: Field<u64>,
    #[serde(rename = "pagingTimeout")]
    paging_timeout: Field<u64>,
    flat: Field<bool>,
}

/// How a search's Bundle pages are followed (`pageLimit`, `pagingTimeout`, `flat`, `onPage`).
pub struct Paging {
    /// Pages to fetch at most; 0 for all, up to [`MAX_PAGES`](crate::core::fhir::MAX_PAGES).
    pub limit: u64,
    /// Milliseconds after which no further page is requested.
    pub timeout_ms: u64,
    /// The pages' entries' resources instead of the Bundles.
    pub flat: bool,
    /// Called (and awaited) with each page, instead of collecting them; or `undefined`.
    pub on_page: JsValue,
}

/// The arguments of `request(input, init)`: `input` a string or `{ url, method, headers, body }`.
pub struct RequestArgs {
    /// The URL or path.
    pub url: String,
    /// The method (`GET` by default).
    pub method: String,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// The body: a JS string (an object was written as JSON, and `Content-Type:
    /// application/fhir+json` added unless the app set one), or `undefined`. It stays in
    /// JavaScript: a large body is never copied into wasm memory.
    pub body: JsValue,
    /// The app's `AbortSignal`, or `undefined`.
    pub signal: JsValue,
    /// This request's time limit, when the app set one (`timeout`, milliseconds).
    pub timeout_ms: Option<u32>,
    /// Resolve to `{ body, status, headers }` instead of the body (`includeResponse`).
    pub include_response: bool,
    /// Follow the Bundle's `next` links, when any paging option is given.
    pub paging: Option<Paging>,
}

impl RequestArgs {
    /// A plain GET of `url` with the session's defaults.
    pub fn get(url: String) -> Self {
        RequestArgs {
            url,
            method: "GET".into(),
            headers: Vec::new(),
            body: JsValue::UNDEFINED,
            signal: JsValue::UNDEFINED,
            timeout_ms: None,
            include_response: false,
            paging: None,
        }
    }
}

fn invalid(option: &str, reason: &'static str) -> Error {
    Error::InvalidOption { option: option.into(), reason }
}

/// Reads and checks `request(input, init)`.
pub fn request_args(input: &JsValue, init: &JsValue) -> Result<RequestArgs, Error> {
    let read = read_request(input, init);
    let member = |k: &str| js_sys::Reflect::get(&read, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    let signal = member("signal");
    let on_page = member("onPage");
    let body = member("body");
    let r: RequestDoc = from_js(read).unwrap_or_default();
    if let Some(bad) = r.bad.value() {
        let reason = match r.why.value().as_deref() {
            Some("json") => "cannot be written as JSON (it holds a BigInt, a cycle or a throwing toJSON)",
            Some("long") => "is longer than 65536 characters",
            _ => "could not be read (a getter or proxy threw)",
        };
        return Err(invalid(&bad, reason));
    }
    let url = r.url.value().ok_or_else(|| invalid("url", "must be a string or an object with url"))?;
    let method = r.method.get(|| invalid("method", "must be a string"))?.unwrap_or_else(|| "GET".into());
    let mut headers = Vec::new();
    for pair in r.headers.get(|| invalid("headers", "must be an object or Headers of string values"))?.unwrap_or_default() {
        match <[String; 2]>::try_from(pair) {
            Ok([name, value]) => headers.push((name, value)),
            Err(_) => return Err(invalid("headers", "must be an object or Headers of string values")),
        }
    }
    if r.json.value() == Some(true) && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
        headers.push(("Content-Type".into(), "application/fhir+json".into()));
    }
    if !(signal.is_undefined() || signal.is_null() || signal.is_instance_of::<web_sys::AbortSignal>()) {
        return Err(invalid("signal", "must be an AbortSignal"));
    }
    let timeout_ms = crate::core::config::timeout_option(&r.timeout)?;
    let include_response = r.include.get(|| invalid("includeResponse", "must be a boolean"))?.unwrap_or(false);
    let limit = r.pages.get(|| invalid("pageLimit", "must be a non-negative integer (0: every page, up to 1000)"))?;
    let paging_timeout = match r.paging_timeout {
        Field::Absent => None,
        Field::Value(ms) if (1..=86_400_000).contains(&ms) => Some(ms),
        _ => return Err(invalid("pagingTimeout", "must be 1..=86400000 milliseconds")),
    };
    let flat = r.flat.get(|| invalid("flat", "must be a boolean"))?;
    if !(on_page.is_undefined() || on_page.is_function()) {
        return Err(invalid("onPage", "must be a function"));
    }
    let paging = (limit.is_some() || flat.is_some() || paging_timeout.is_some() || !on_page.is_undefined()).then(|| Paging {
        limit: limit.unwrap_or(1),
        timeout_ms: paging_timeout.unwrap_or(crate::core::fhir::PAGING_TIMEOUT_MS),
        flat: flat.unwrap_or(false),
        on_page,
    });
    if paging.is_some() && include_response {
        return Err(invalid("includeResponse", "cannot be combined with pageLimit, flat or onPage"));
    }
    Ok(RequestArgs { url, method, headers, body, signal, timeout_ms, include_response, paging })
}
