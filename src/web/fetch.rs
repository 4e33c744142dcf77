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

impl Http for Fetch {
    async fn send(&self, req: &HttpRequest) -> Result<HttpResponse> {
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
        let resp: Response = JsFuture::from(window()?.fetch_with_request(&request)).await.map_err(network)?.unchecked_into();
        if resp.type_() == ResponseType::Opaqueredirect {
            return Ok(HttpResponse { status: 0, body: String::new(), www_authenticate: None, redirected: true });
        }
        let body = JsFuture::from(resp.text().map_err(network)?).await.map_err(network)?;
        Ok(HttpResponse {
            status: resp.status(),
            body: body.as_string().unwrap_or_default(),
            www_authenticate: resp.headers().get("WWW-Authenticate").ok().flatten(),
            redirected: false,
        })
    }
}
