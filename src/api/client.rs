//! `Client`: FHIR requests with the session's token. Refreshes shortly before expiry and once on a
//! 401; concurrent callers share one refresh (single flight); a 403 is `insufficient_scope`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::{error_value, js, Session};
use crate::core::config::Options;
use crate::core::fhir::{check_target, classify, fhir_request, resolve_url, resource_path, Verdict, MAX_PAGES, MAX_URL};
use crate::core::types::ClientSecret;
use crate::core::idtoken::SUB_CHANGED;
use crate::core::relay::LOCK_PREFIX;
use crate::core::Error;
use crate::driver::relay::{adopt, record, relay_of};
use crate::driver::{refresh, store_session, Platform};
use crate::web::fetch::Fetch;
#[cfg(feature = "identity")]
use {
    crate::core::binding::AuthMethod,
    crate::driver::identity::{jwt_bearer_sign_in, refresh_key_bound, register},
    crate::web::idb::IndexedDb,
    crate::web::keys::WebCryptoKeys,
};
use crate::web::json::to_js;
use crate::web::read::{request_args, Paging, RequestArgs};
use crate::web::platform::Browser;
use crate::web::storage::WebStorage;
use crate::web::{js_name, with_lock};

struct Inner {
    session: RefCell<Session>,
    secret: Option<ClientSecret>,
    /// The refresh in flight, shared by every caller that needs it.
    refreshing: RefCell<Option<Promise>>,
    /// Why `ready({ registerDevice })` could not register this browser, when it could not.
    #[cfg(feature = "identity")]
    registration_error: RefCell<JsValue>,
    /// Why the latest refresh's id_token was not adopted (the session kept the claims verified
    /// before), or `undefined`.
    id_token_error: RefCell<JsValue>,
    /// Set when a refresh's id_token named another user: the session has ended, every call fails.
    ended: core::cell::Cell<bool>,
}

/// A client bound to one FHIR server and one authorized session.
#[wasm_bindgen]
pub struct Client {
    inner: Rc<Inner>,
}

/// `client.patient`: requests about the patient in context.
#[wasm_bindgen]
pub struct PatientApi {
    inner: Rc<Inner>,
}

thread_local! {
    /// The session of each FHIR server open in this page, shared by every `Client` for it: two
    /// objects for one session must not refresh it separately (a rotated refresh token would be
    /// redeemed twice).
    static OPEN: RefCell<Vec<Rc<Inner>>> = const { RefCell::new(Vec::new()) };
}

impl Client {
    /// A client for a new session (a launch just completed), replacing this page's open one with
    /// the same FHIR server.
    pub(super) fn new(session: Session, opts: Option<&Options>) -> Client {
        let secret = crate::driver::secret_for(opts, &session).cloned();
        let inner = Rc::new(Inner {
            session: RefCell::new(session),
            secret,
            refreshing: RefCell::new(None),
            #[cfg(feature = "identity")]
            registration_error: RefCell::new(JsValue::UNDEFINED),
            id_token_error: RefCell::new(JsValue::UNDEFINED),
            ended: core::cell::Cell::new(false),
        });
        OPEN.with_borrow_mut(|open| {
            let iss = inner.session.borrow().binding.iss.clone();
            open.retain(|i| i.session.borrow().binding.iss != iss);
            open.push(Rc::clone(&inner));
        });
        Client { inner }
    }

    /// A client for a stored session: the page's open one for its server when there is one.
    pub(super) fn open(session: Session, opts: Option<&Options>) -> Client {
        let iss = &session.binding.iss;
        match OPEN.with_borrow(|open| open.iter().find(|i| i.session.borrow().binding.iss == *iss).cloned()) {
            Some(inner) => Client { inner },
            None => Client::new(session, opts),
        }
    }

    #[cfg(feature = "identity")]
    pub(super) fn set_registration_error(&self, e: JsValue) {
        *self.inner.registration_error.borrow_mut() = e;
    }
}

#[wasm_bindgen(module = "/src/web/browser.js")]
extern "C" {
    fn within(p: &Promise, ms: u32, signal: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = nextLink)]
    fn next_link(bundle: &JsValue) -> JsValue;
    fn resources(bundle: &JsValue) -> js_sys::Array;
    #[wasm_bindgen(js_name = callPage)]
    fn call_page(f: &JsValue, page: &JsValue) -> Promise;
}

impl Inner {
    /// The refresh every caller shares: the one in flight, or a new one.
    fn shared_refresh(self: &Rc<Self>) -> Promise {
        if let Some(p) = self.refreshing.borrow().clone() {
            return p;
        }
        let me = Rc::clone(self);
        let p = future_to_promise(async move {
            let result = me.refresh_across_tabs().await;
            me.refreshing.borrow_mut().take();
            result.map(|()| JsValue::UNDEFINED).map_err(js)
        });
        *self.refreshing.borrow_mut() = Some(p.clone());
        p
    }

    /// Waits for the shared refresh at most `ms`, or until the app's `signal` aborts (the refresh
    /// goes on for its other callers).
    async fn refresh_within(self: &Rc<Self>, ms: u32, signal: &JsValue) -> Result<(), JsValue> {
        JsFuture::from(within(&self.shared_refresh(), ms, signal)).await.map(drop).map_err(|e| match js_name(&e).as_str() {
            "TimeoutError" => js(Error::Timeout { what: "token refresh", ms }),
            "AbortError" => js(Error::Aborted),
            _ => e,
        })
    }

    /// One refresh across this page and the origin's other tabs, under the session's Web Lock
    /// (waited for at most the session's time limit). A tab whose session another tab refreshed
    /// since — while both were open, or before this one was loaded — takes the state that tab
    /// recorded ([`crate::driver::relay`]) instead of redeeming a spent refresh token.
    async fn refresh_across_tabs(self: &Rc<Self>) -> crate::core::Result<()> {
        let mut current = self.session.borrow().clone();
        let relay = relay_of(&Browser, &mut current).await?;
        let name = [LOCK_PREFIX, &relay.id].concat();
        with_lock(&name, current.binding.timeout_ms, "another tab's token refresh", async {
            let now = Browser.now();
            if let Some(next) = adopt(&Browser, &WebStorage::Shared, &relay, &current, now).await? {
                store_session(&WebStorage::Session, &next)?;
                *self.session.borrow_mut() = next;
                return Ok(());
            }
            let result = match current.binding.auth {
                // A key-bound session without a refresh token signs in again (JWT bearer).
                #[cfg(feature = "identity")]
                AuthMethod::PrivateKeyJwt => refresh_key_bound(&Fetch, &WebCryptoKeys, &IndexedDb, &Browser, &WebStorage::Session, &current).await,
                _ => refresh(&Fetch, &Browser, &WebStorage::Session, &super::identity(), &current, self.secret.as_ref(), now).await,
            };
            match result {
                Ok((next, id_error)) => {
                    // Best effort: without the record (storage full or refused), another tab of
                    // the session redeems its spent token, and the server may end the grant.
                    let _ = record(&Browser, &WebStorage::Shared, &relay, &next, now).await;
                    *self.session.borrow_mut() = next;
                    *self.id_token_error.borrow_mut() = id_error.map_or(JsValue::UNDEFINED, js);
                    Ok(())
                }
                Err(e) => {
                    if e == (Error::InvalidIdToken { reason: SUB_CHANGED }) {
                        self.end();
                    }
                    Err(e)
                }
            }
        })
        .await
    }

    /// A launch-context string of the session (`patient`, `encounter`, …).
    fn context(&self, key: &str) -> Option<String> {
        self.session.borrow().context(key).map(str::to_owned)
    }

    /// Ends the session: a refresh's id_token named another user. The client is taken out of the
    /// page's open sessions and fails every later call.
    fn end(self: &Rc<Self>) {
        self.ended.set(true);
        OPEN.with_borrow_mut(|open| open.retain(|i| !Rc::ptr_eq(i, self)));
    }

    async fn request(self: Rc<Self>, a: RequestArgs) -> Result<JsValue, JsValue> {
        let RequestArgs { url: input, method, headers, body, signal, timeout_ms, include_response, .. } = a;
        let resolved = resolve_url(&self.session.borrow().binding.iss, &input).map_err(js)?;
        check_target(&self.session.borrow().binding.iss, &resolved, &method).map_err(js)?;
        let url = String::from(resolved);
        let ms = timeout_ms.unwrap_or(self.session.borrow().binding.timeout_ms);
        if self.session.borrow().needs_refresh(Browser.now()) {
            self.refresh_within(ms, &signal).await?;
        }
        let mut retried = false;
        loop {
            let (req, token_used) = {
                let s = self.session.borrow();
                let req = fhir_request(&s, &method, url.clone(), &headers, None);
                (req.timeout(ms), s.access_token.clone())
            };
            let resp = Fetch.send_unread(&req, &signal, &body).await.map_err(js)?;
            let verdict = classify(resp.status, resp.www_authenticate.as_deref(), resp.redirected.then_some(url.as_str()));
            match verdict {
                Verdict::Ok => return resp.body_value(include_response).await.map_err(js),
                Verdict::RefreshAndRetry if !retried && self.session.borrow().can_refresh() => {
                    retried = true;
                    // Another request may have refreshed already while this one was in flight.
                    if self.session.borrow().access_token == token_used {
                        self.refresh_within(ms, &signal).await?;
                    }
                }
                Verdict::RefreshAndRetry => return Err(error_value(&Error::Unauthorized, resp.body_value(false).await.ok())),
                Verdict::Fail(e) => return Err(error_value(&e, resp.body_value(false).await.ok())),
            }
        }
    }
}

impl Inner {
    /// A search followed through its Bundle's `next` links (`pageLimit`, `pagingTimeout`, `flat`,
    /// `onPage`). Each next link is requested like any URL the app gives: one outside this FHIR
    /// server is `url_not_allowed`, and the token never goes there. A link already followed ends
    /// the paging; `pageLimit: 0` past [`MAX_PAGES`] pages, or paging past its time limit, is
    /// [`Error::PagingLimit`].
    async fn pages(self: Rc<Self>, mut a: RequestArgs, p: Paging) -> Result<JsValue, JsValue> {
        let out = js_sys::Array::new();
        let (headers, signal, timeout_ms) = (a.headers.clone(), a.signal.clone(), a.timeout_ms);
        let started = js_sys::Date::now();
        // Links are compared as the URLs they resolve to (a relative and an absolute spelling of
        // one page are the same page); one that does not resolve is left for `request` to refuse.
        let resolved = |u: &str| resolve_url(&self.session.borrow().binding.iss, u).map_or_else(|_| u.to_owned(), String::from);
        let mut seen: Vec<String> = vec![resolved(&a.url)];
        loop {
            let page = Rc::clone(&self).request(a).await?;
            let item: JsValue = if p.flat { resources(&page).into() } else { page.clone() };
            if p.on_page.is_function() {
                JsFuture::from(call_page(&p.on_page, &item)).await?;
            } else if p.flat {
                for r in item.unchecked_ref::<js_sys::Array>().iter() {
                    out.push(&r);
                }
            } else {
                out.push(&item);
            }
            let link = next_link(&page);
            if link.is_null() {
                return Err(js(Error::InvalidOption { option: "onPage".into(), reason: "made the page's next link unreadable (a getter or proxy threw)" }));
            }
            if link.dyn_ref::<js_sys::JsString>().is_some_and(|u| u.length() > MAX_URL) {
                return Err(js(Error::InvalidUrl { what: "next link", url: "(longer than 65536 characters)".into() }));
            }
            let Some(url) = link.as_string() else { break };
            let next = resolved(&url);
            if seen.contains(&next) {
                break;
            }
            let n = seen.len() as u64;
            if p.limit != 0 && n >= p.limit {
                break;
            }
            if p.limit == 0 && n >= MAX_PAGES {
                return Err(js(Error::PagingLimit { by: "pages", limit: MAX_PAGES }));
            }
            if js_sys::Date::now() - started >= p.timeout_ms as f64 {
                return Err(js(Error::PagingLimit { by: "milliseconds", limit: p.timeout_ms }));
            }
            seen.push(next);
            a = RequestArgs { url, headers: headers.clone(), signal: signal.clone(), timeout_ms, ..RequestArgs::get(String::new()) };
        }
        Ok(if p.on_page.is_function() { JsValue::NULL } else { out.into() })
    }
}

/// The asynchronous operations of `Client`, run by one promise-making function (each separate
/// `future_to_promise` costs ~1–2 KB of wasm).
enum Op {
    Request(JsValue, JsValue),
    Refresh,
    ReadPatient,
    #[cfg(feature = "identity")]
    Register(JsValue),
}

fn run(inner: Rc<Inner>, op: Op) -> Promise {
    future_to_promise(async move {
        if inner.ended.get() {
            return Err(js(Error::InvalidIdToken { reason: SUB_CHANGED }));
        }
        match op {
            Op::Request(input, init) => {
                let mut a = request_args(&input, &init).map_err(js)?;
                match a.paging.take() {
                    Some(p) => inner.pages(a, p).await,
                    None => inner.request(a).await,
                }
            }
            #[cfg(feature = "identity")]
            Op::Register(opts) => {
                let how = if opts.is_undefined() || opts.is_null() {
                    crate::core::config::RegisterDoc::default()
                } else {
                    crate::web::read::app_object(&opts).map_err(js)?.0
                };
                let how = how.check("options").map_err(js)?;
                let session = inner.session.borrow().clone();
                let record = register(&Fetch, &WebCryptoKeys, &IndexedDb, &Browser, &session, how).await.map_err(js)?;
                // The launch's token was the one-time initial access token: from now on this client
                // is the registered one, with a token from the JWT bearer grant.
                let next = jwt_bearer_sign_in(&Fetch, &WebCryptoKeys, &IndexedDb, &Browser, &WebStorage::Session, record.iss()).await.map_err(js)?;
                *inner.session.borrow_mut() = next;
                Ok(to_js(&record.summary()))
            }
            Op::Refresh => {
                if !inner.session.borrow().can_refresh() {
                    return Err(js(Error::NoRefreshToken));
                }
                JsFuture::from(inner.shared_refresh()).await?;
                Ok(state_value(&inner.session.borrow()))
            }
            Op::ReadPatient => {
                let id = inner.context("patient");
                let id = id.ok_or_else(|| js(Error::MissingContext { key: "patient" }))?;
                inner.request(RequestArgs::get(resource_path("Patient", &id))).await
            }
        }
    })
}

#[wasm_bindgen]
impl Client {
    /// `request(urlOrPath, init?)`: a FHIR request with the Bearer token; resolves to the parsed JSON.
    pub fn request(&self, input: JsValue, init: JsValue) -> Promise {
        run(Rc::clone(&self.inner), Op::Request(input, init))
    }

    /// Refreshes the access token now (RFC 6749 §6); resolves to the new state.
    pub fn refresh(&self) -> Promise {
        run(Rc::clone(&self.inner), Op::Refresh)
    }

    /// The patient in context (`patient` of the token response), or `null`.
    #[wasm_bindgen(js_name = getPatientId)]
    pub fn get_patient_id(&self) -> Option<String> {
        self.inner.context("patient")
    }

    /// The encounter in context, or `null`.
    #[wasm_bindgen(js_name = getEncounterId)]
    pub fn get_encounter_id(&self) -> Option<String> {
        self.inner.context("encounter")
    }

    /// The session state: `serverUrl`, `clientId`, `scope`, `expiresAt`, `tokenResponse`.
    #[wasm_bindgen(js_name = getState)]
    pub fn get_state(&self) -> JsValue {
        state_value(&self.inner.session.borrow())
    }

    /// The claims of the id_token, verified (signature by the issuer's key, `iss`, `aud`, `exp`,
    /// `nonce`), or `null` when the server issued none (the scope lacked `openid`).
    #[wasm_bindgen(js_name = getIdToken)]
    pub fn get_id_token(&self) -> JsValue {
        self.inner.session.borrow().id_claims.as_ref().map_or(JsValue::NULL, |c| c.0.clone())
    }

    /// How the id_token's origin was established: `'signature'` (verified with a key the server
    /// publishes) or `'tls'` (its keys could not be had, or its algorithm cannot be checked in this
    /// browser: trusted as the token endpoint's answer over TLS); `null` without an id_token.
    #[wasm_bindgen(js_name = getIdTokenVerification)]
    pub fn get_id_token_verification(&self) -> JsValue {
        self.inner.session.borrow().id_verified_by.as_ref().map_or(JsValue::NULL, to_js)
    }

    /// Why the latest refresh's id_token was not adopted (a `SmartError`; the session kept the
    /// claims verified before), or `undefined`.
    #[wasm_bindgen(getter, js_name = idTokenError)]
    pub fn id_token_error(&self) -> JsValue {
        self.inner.id_token_error.borrow().clone()
    }

    /// The `Authorization` header value FHIR requests carry (`Bearer …`), for requests the app
    /// makes itself (e.g. to load an image `Binary`).
    #[wasm_bindgen(js_name = getAuthorizationHeader)]
    pub fn get_authorization_header(&self) -> String {
        self.inner.session.borrow().authorization()
    }

    /// Same as `getState()`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> JsValue {
        self.get_state()
    }

    /// Registers this browser with the server (RFC 7591): a new WebCrypto key pair (`alg`
    /// `ES384` by default, or `RS384`, `RS256`) whose private key cannot be exported, kept in
    /// IndexedDB; the client then uses the registered identity. Resolves to the registration.
    #[cfg(feature = "identity")]
    #[wasm_bindgen(js_name = registerDynamicClient)]
    pub fn register_dynamic_client(&self, options: JsValue) -> Promise {
        run(Rc::clone(&self.inner), Op::Register(options))
    }

    /// The `SmartError` that kept `ready({ registerDevice })` from registering this browser (the
    /// launch's session is kept and this client uses it), or `undefined`.
    #[cfg(feature = "identity")]
    #[wasm_bindgen(getter, js_name = registrationError)]
    pub fn registration_error(&self) -> JsValue {
        self.inner.registration_error.borrow().clone()
    }

    /// `client.patient.read()` and friends.
    #[wasm_bindgen(getter)]
    pub fn patient(&self) -> PatientApi {
        PatientApi { inner: Rc::clone(&self.inner) }
    }
}

fn state_value(s: &Session) -> JsValue {
    to_js(&s.state())
}

#[wasm_bindgen]
impl PatientApi {
    /// The patient in context, or `null` when there is none.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> Option<String> {
        self.inner.context("patient")
    }

    /// Reads `Patient/{id}` of the patient in context.
    pub fn read(&self) -> Promise {
        run(Rc::clone(&self.inner), Op::ReadPatient)
    }
}
