//! `fetch` behind [`Http`]. Redirects are never followed (`redirect: "manual"`): a token or a
//! token request must not travel to a URL the core did not check. Nothing goes through the HTTP
//! cache (`cache: "no-store"`): patient data and tokens stay out of the browser's disk cache.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCache, RequestInit, RequestMode, RequestRedirect, Response, ResponseType};

use super::{js_message, window};
use crate::core::http::HttpRequest;
use crate::core::{Error, Result};
use crate::driver::{Http, HttpResponse};

/// The browser's `fetch`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fetch;

fn network(v: JsValue) -> Error {
    Error::Network { message: js_message(&v) }
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
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsValue) -> core::result::Result<JsValue, JsValue>;
}

impl Unread {
    /// The body for JavaScript, never copied into wasm memory: parsed JSON, `null` when empty, the
    /// text when it is not JSON.
    pub async fn body_value(&self) -> Result<JsValue> {
        if self.redirected {
            return Ok(JsValue::NULL);
        }
        let text = JsFuture::from(self.response.text().map_err(network)?).await.map_err(network)?;
        if text.as_string().is_some_and(|s| s.is_empty()) {
            return Ok(JsValue::NULL);
        }
        Ok(json_parse(&text).unwrap_or(text))
    }
}

impl Fetch {
    /// Sends `req` and returns the response with its body unread.
    pub async fn send_unread(&self, req: &HttpRequest) -> Result<Unread> {
        let headers = Headers::new().map_err(network)?;
        for (name, value) in &req.headers {
            headers.set(name, value).map_err(network)?;
        }
        let init = RequestInit::new();
        init.set_method(&req.method);
        init.set_mode(RequestMode::Cors);
        init.set_redirect(RequestRedirect::Manual);
        init.set_cache(RequestCache::NoStore);
        init.set_headers(&headers);
        if let Some(body) = &req.body {
            init.set_body(&JsValue::from_str(body));
        }
        let request = Request::new_with_str_and_init(&req.url, &init).map_err(network)?;
        let response: Response = JsFuture::from(window()?.fetch_with_request(&request)).await.map_err(network)?.unchecked_into();
        let redirected = response.type_() == ResponseType::Opaqueredirect;
        Ok(Unread {
            status: if redirected { 0 } else { response.status() },
            www_authenticate: response.headers().get("WWW-Authenticate").ok().flatten(),
            redirected,
            response,
        })
    }
}

impl Http for Fetch {
    async fn send(&self, req: &HttpRequest) -> Result<HttpResponse> {
        let r = self.send_unread(req).await?;
        let body = if r.redirected {
            String::new()
        } else {
            JsFuture::from(r.response.text().map_err(network)?).await.map_err(network)?.as_string().unwrap_or_default()
        };
        Ok(HttpResponse { status: r.status, body, www_authenticate: r.www_authenticate, redirected: r.redirected })
    }
}
