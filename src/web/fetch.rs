//! HTTP through gloo-net behind [`Http`]. Redirects are never followed (`redirect: "manual"`): a
//! token or a token request must not travel to a URL the core did not check. Nothing goes through
//! the HTTP cache (`cache: "no-store"`): patient data and tokens stay out of the browser's disk
//! cache.
//!
//! gloo-net's request builder re-serializes the URL: a query already in the URL would come back
//! with a trailing `&`. So the query is handed to the builder as pairs (`.query()`, which writes
//! them as `URLSearchParams` does, the same serialization the core approved), and the request goes
//! to exactly the URL the core checked.
//!
//! A protocol response (discovery, token, registration) is refused when its `Content-Length`, or
//! the bytes read so far without one, pass the limit the core set: the body never enters wasm
//! memory (it is read and parsed by the browser, then decoded from the JS value).

use gloo_net::http::{Headers, Method, RequestBuilder};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCache, RequestMode, RequestRedirect, Response, ResponseType};

use super::js_message;
use super::json::JsBody;
use crate::core::http::HttpRequest;
use crate::core::{Error, Result};
use crate::driver::{Http, HttpResponse};

/// The browser's `fetch`, through gloo-net.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fetch;

fn network(v: JsValue) -> Error {
    Error::Network { message: js_message(&v) }
}

/// A failed exchange: the deadline's `TimeoutError`, the app's `AbortError`, or the network.
fn failed(name: &str, message: String, (what, ms): (crate::core::error::What, u32)) -> Error {
    match name {
        "TimeoutError" => Error::Timeout { what, ms },
        "AbortError" => Error::Aborted,
        _ => Error::Network { message },
    }
}

/// A request that failed before any answer: `fetch` says no more than `TypeError: Failed to
/// fetch`, so the message names the request and what that usually means.
fn gloo(e: gloo_net::Error, req: &HttpRequest) -> Error {
    let (name, message) = match e {
        gloo_net::Error::JsError(j) => (j.name, j.message),
        gloo_net::Error::GlooError(message) => (String::new(), message),
    };
    let message = [
        req.method.as_str(),
        " ",
        &crate::core::error::redact_url(&req.url),
        " failed (",
        &name,
        if name.is_empty() { "" } else { ": " },
        &message,
        "): the server is unreachable, or it does not allow this page's origin (CORS)",
    ]
    .concat();
    failed(&name, message, (req.expect.0, req.timeout_ms))
}

#[wasm_bindgen(module = "/src/web/browser.js")]
extern "C" {
    #[wasm_bindgen(js_name = readCapped)]
    fn read_capped(response: &Response, limit: f64) -> js_sys::Promise;
    #[wasm_bindgen(js_name = bodyValue)]
    fn body_value(response: &Response, include: bool) -> js_sys::Promise;
    type Deadline;
    fn deadline(ms: u32, app: &JsValue) -> Deadline;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &Deadline) -> web_sys::AbortSignal;
    #[wasm_bindgen(method)]
    fn done(this: &Deadline);
}

/// A response whose body has not been read: the FHIR path hands it to JavaScript as it is.
pub struct Unread {
    /// Status code (0 for a refused redirect).
    pub status: u16,
    /// `WWW-Authenticate`, when exposed.
    pub www_authenticate: Option<String>,
    /// The request was answered with a redirect, which was not followed.
    pub redirected: bool,
    response: Response,
    /// The request's deadline, cleared once the body is read (or the response dropped).
    deadline: Deadline,
    /// What errors name the exchange, and its time limit.
    what: (crate::core::error::What, u32),
}

impl Drop for Unread {
    fn drop(&mut self) {
        self.deadline.done();
    }
}

impl Unread {
    fn failed(&self, v: JsValue) -> Error {
        failed(&super::js_name(&v), js_message(&v), self.what)
    }

    /// The body for JavaScript, never copied into wasm memory: parsed JSON, `null` when empty, the
    /// text when it is not JSON; with `include`, `{ body, status, headers }`.
    pub async fn body_value(&self, include: bool) -> Result<JsValue> {
        if self.redirected {
            return Ok(JsValue::NULL);
        }
        JsFuture::from(body_value(&self.response, include)).await.map_err(|e| self.failed(e))
    }

    /// The body parsed as JSON, refused past `limit` bytes (checked on `Content-Length` first).
    async fn json_capped(&self, what: crate::core::error::What, limit: usize) -> Result<JsBody> {
        let too_large = || Error::ResponseTooLarge { what, limit };
        let declared = self.response.headers().get("Content-Length").ok().flatten();
        if declared.and_then(|n| n.trim().parse::<u64>().ok()).is_some_and(|n| n > limit as u64) {
            if let Some(body) = self.response.body() {
                let _ = body.cancel();
            }
            return Err(too_large());
        }
        let read = JsFuture::from(read_capped(&self.response, limit as f64)).await.map_err(|e| self.failed(e))?;
        if read.is_null() {
            return Err(too_large());
        }
        // `undefined` when the body is not JSON: it decodes as no document.
        Ok(JsBody(js_sys::Reflect::get(&read, &JsValue::from_str("v")).unwrap_or(JsValue::UNDEFINED)))
    }
}

impl Fetch {
    /// Sends `req` and returns the response with its body unread. The exchange, body included, is
    /// abandoned after `req.timeout_ms` ([`Error::Timeout`]) or when `app_signal` (an
    /// `AbortSignal`, or `undefined`) aborts ([`Error::Aborted`]). `app_body`, a JS string, is
    /// sent instead of `req.body` when it is one (the app's body never enters wasm memory).
    pub async fn send_unread(&self, req: &HttpRequest, app_signal: &JsValue, app_body: &JsValue) -> Result<Unread> {
        let invalid = |r| Error::InvalidOption { option: "request".into(), reason: r };
        let mut url = url::Url::parse(&req.url).map_err(|_| Error::InvalidUrl { what: "request URL", url: crate::core::error::redact_url(&req.url) })?;
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        url.set_query(None);
        let method = Method::from_bytes(req.method.as_bytes()).map_err(|_| invalid("has an invalid method"))?;
        // web-sys Headers, whose errors are caught (gloo's `header()` would throw on a bad value).
        let headers = web_sys::Headers::new().map_err(network)?;
        for (name, value) in &req.headers {
            headers.set(name, value).map_err(network)?;
        }
        let deadline = deadline(req.timeout_ms, app_signal);
        let builder = RequestBuilder::new(url.as_str())
            .abort_signal(Some(&deadline.signal()))
            .method(method)
            .mode(RequestMode::Cors)
            .redirect(RequestRedirect::Manual)
            .cache(RequestCache::NoStore)
            .headers(Headers::from_raw(headers))
            .query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let request = match &req.body {
            _ if app_body.is_string() => builder.body(app_body),
            Some(body) => builder.body(body.as_str()),
            None => builder.build(),
        }
        .map_err(|e| gloo(e, req))?;
        let response: Response = request.send().await.map_err(|e| gloo(e, req))?.into();
        let redirected = response.type_() == ResponseType::Opaqueredirect;
        Ok(Unread {
            status: if redirected { 0 } else { response.status() },
            www_authenticate: response.headers().get("WWW-Authenticate").ok().flatten(),
            redirected,
            response,
            deadline,
            what: (req.expect.0, req.timeout_ms),
        })
    }
}

impl Http for Fetch {
    type Body = JsBody;

    async fn send(&self, req: &HttpRequest) -> Result<HttpResponse<JsBody>> {
        let r = self.send_unread(req, &JsValue::UNDEFINED, &JsValue::UNDEFINED).await?;
        let (what, limit) = req.expect;
        let body = if r.redirected { JsBody::default() } else { r.json_capped(what, limit).await? };
        Ok(HttpResponse { status: r.status, body, www_authenticate: r.www_authenticate.clone(), redirected: r.redirected })
    }
}
