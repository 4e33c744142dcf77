//! The JavaScript API, fhirclient.js-shaped: `authorize`, `ready`, `init` and [`Client`].
//! Options cross the boundary as JS values decoded by serde-wasm-bindgen and are validated by the
//! core; results cross back the same way. Every error reaches JS as an `Error` named `SmartError`
//! with a stable `.code`.

mod client;

pub use client::{Client, PatientApi};

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::core::callback::is_callback;
use crate::core::config::{ehr_launch_params, parse_options, parse_ready_options, Options, OptionsDoc};
#[cfg(feature = "identity")]
use {
    crate::driver::Platform,
    crate::core::types::FhirBase,
    crate::driver::identity::jwt_bearer_sign_in,
    crate::driver::Registrations,
    crate::web::idb::IndexedDb,
    crate::web::keys::WebCryptoKeys,
};
use crate::core::Error;
use crate::driver::{begin_launch, complete_launch, keep_session, restore_session, session_servers};
use crate::web::fetch::Fetch;
use crate::web::platform::Browser;
use crate::web::json::JsBody;
use crate::web::storage::WebStorage;
use crate::web::{js_message, window};

/// A session of this platform.
pub(crate) type Session = crate::core::session::Session<JsBody>;

fn set(obj: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

#[wasm_bindgen(module = "/src/web/browser.js")]
extern "C" {
    #[wasm_bindgen(js_name = smartError)]
    fn smart_error(message: &str, code: &str) -> JsValue;
}

/// Converts an error for JS: a `SmartError` (the class the entries export) with `.code`, and
/// `.status`, `.error`, `.errorDescription`, `.body` (the response, parsed) where they apply.
pub fn error_value(e: &Error, body: Option<JsValue>) -> JsValue {
    let v = smart_error(&e.message(), e.code());
    if let Some(status) = e.status() {
        set(&v, "status", &JsValue::from(status));
    }
    if let Some((error, description)) = e.oauth_error() {
        set(&v, "error", &JsValue::from_str(error));
        if let Some(d) = description {
            set(&v, "errorDescription", &JsValue::from_str(d));
        }
    }
    if let Some(b) = body.filter(|b| !b.is_null()) {
        set(&v, "body", &b);
    }
    v
}

/// This build's identity: registrations and keys in the identity entry, none in the default one.
#[cfg(feature = "identity")]
pub(crate) fn identity() -> crate::driver::identity::KeyIdentity<'static, WebCryptoKeys, IndexedDb, Browser> {
    crate::driver::identity::KeyIdentity { keys: &WebCryptoKeys, registrations: &IndexedDb, platform: &Browser }
}
#[cfg(not(feature = "identity"))]
pub(crate) fn identity() -> crate::driver::NoIdentity {
    crate::driver::NoIdentity
}

fn js(e: Error) -> JsValue {
    error_value(&e, None)
}

fn page_url() -> Result<String, JsValue> {
    window().and_then(|w| w.location().href().map_err(|e| Error::Network { message: js_message(&e) })).map_err(js)
}

/// The options object, decoded (every member checked by the core afterwards).
fn options_doc(v: &JsValue) -> Result<OptionsDoc, JsValue> {
    let (doc, _): (OptionsDoc, _) = crate::web::read::app_object(v).map_err(js)?;
    #[cfg(not(feature = "identity"))]
    if !matches!(doc.register_device, crate::core::doc::Field::Absent) {
        return Err(js(Error::InvalidOption { option: "registerDevice".into(), reason: "needs the smart-wasm/identity entry" }));
    }
    Ok(doc)
}

/// The options of `ready` and `clients`, which may be left out (`undefined` or `null`).
fn optional_options_doc(v: &JsValue) -> Result<OptionsDoc, JsValue> {
    if v.is_undefined() || v.is_null() { Ok(OptionsDoc::default()) } else { options_doc(v) }
}

/// Reads and validates the options object.
fn options(v: &JsValue) -> Result<(Options, OptionsDoc), JsValue> {
    let doc = options_doc(v)?;
    Ok((parse_options(&doc, &page_url()?).map_err(js)?, doc))
}

/// The one entry point `index.js` calls: `0` authorize, `1` ready, `2` init, `3` resume,
/// `4` forgetRegistration, `5` listRegistrations, … `10` clients, `11` client(state). (One exported async function instead of six
/// saves wasm bytes; the public names live in `index.js`.)
#[wasm_bindgen]
pub fn run(op: u8, opts: JsValue) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        match op {
            0 => authorize(opts).await,
            1 => ready(opts).await.map(JsValue::from),
            10 => clients(opts).await,
            11 => client_from_state(&opts),
            #[cfg(feature = "identity")]
            3..=9 => identity_op(op, opts).await,
            _ => init(opts).await.map(JsValue::from),
        }
    })
}

#[cfg(feature = "identity")]
async fn identity_op(op: u8, opts: JsValue) -> Result<JsValue, JsValue> {
    match op {
        // A resume and a forget of one server never interleave, in any tab (a Web Lock per server,
        // waited for at most the call's `timeout`): a registration forgotten during a resume stays
        // forgotten.
        3 | 4 => {
            let (iss, ms) = iss_option(&opts)?;
            let lock = ["smart-wasm:registration ", iss.as_str()].concat();
            crate::web::with_lock(&lock, ms, "another tab's resume or forgetRegistration", async {
                if op == 3 {
                    let session = jwt_bearer_sign_in(&Fetch, &WebCryptoKeys, &IndexedDb, &Browser, &WebStorage::Session, &iss).await?;
                    Ok(Client::new(session, None).into())
                } else {
                    crate::driver::identity::forget(&IndexedDb, &iss).await.map(|()| JsValue::UNDEFINED)
                }
            })
            .await
            .map_err(js)
        }
        6 => {
            let (o, _) = options(&opts)?;
            let session = crate::driver::identity::client_credentials(&Fetch, &identity(), &o, Browser.now()).await.map_err(js)?;
            Ok(Client::new(session, Some(&o)).into())
        }
        7 => {
            let (iss, id, secret) = crate::core::config::parse_basic_client(&options_doc(&opts)?).map_err(js)?;
            Ok(Client::new(Session::basic(iss, id, &secret), None).into())
        }
        8 | 9 => client_key(op == 9, &opts).await,
        _ => {
            let records = IndexedDb.list().await.map_err(js)?;
            Ok(crate::web::json::to_js(&records.iter().map(|r| r.summary()).collect::<Vec<_>>()))
        }
    }
}

/// `createClientKey` (a new non-extractable key pair) or `importClientKey` (the app's private
/// JWK): bound to a client the app registers (or registered) out of band with its public JWKS.
#[cfg(feature = "identity")]
async fn client_key(import: bool, opts: &JsValue) -> Result<JsValue, JsValue> {
    use crate::core::config::{key_options, KeyDoc};
    let (doc, plain): (KeyDoc, _) = crate::web::read::app_object(opts).map_err(js)?;
    let (iss, client_id, alg, timeout) = key_options(&doc).map_err(js)?;
    let (pair, kid) = if import {
        let jwk = Reflect::get(&plain, &"privateJwk".into()).unwrap_or(JsValue::UNDEFINED);
        if !crate::web::json::is_object(&jwk) {
            return Err(js(Error::InvalidOption { option: "privateJwk".into(), reason: "must be a JWK object" }));
        }
        // The app's key keeps its own `kid`: that is what its registered JWKS names.
        let kid = Reflect::get(&jwk, &"kid".into()).ok().and_then(|k| k.as_string()).filter(|k| !k.is_empty());
        (WebCryptoKeys.import(&jwk, alg).await.map_err(js)?, kid)
    } else {
        (crate::driver::Keys::generate(&WebCryptoKeys, alg).await.map_err(js)?, None)
    };
    let (record, jwk) = crate::driver::identity::bind_key(&Fetch, &WebCryptoKeys, &IndexedDb, &Browser, &iss, client_id, alg, pair, kid, timeout)
        .await
        .map_err(js)?;
    #[derive(serde::Serialize)]
    struct Jwks<'a> {
        keys: [&'a crate::core::jwt::PublicJwk; 1],
    }
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Bound<'a> {
        #[serde(flatten)]
        summary: crate::core::registration::RegistrationSummary<'a>,
        jwks: Jwks<'a>,
    }
    Ok(crate::web::json::to_js(&Bound { summary: record.summary(), jwks: Jwks { keys: [&jwk] } }))
}

#[cfg(feature = "identity")]
/// The FHIR server an identity call is about — a string, or `{ iss }` / `{ fhirServiceUrl }` —
/// and the call's `timeout` (milliseconds; the default when a string or left out).
fn iss_option(v: &JsValue) -> Result<(FhirBase, u32), JsValue> {
    let (s, timeout) = match v.as_string() {
        Some(s) => (Some(s), None),
        None => {
            let doc = options_doc(v)?;
            (doc.top.iss("").map_err(js)?, crate::core::config::timeout_option(&doc.timeout).map_err(js)?)
        }
    };
    let s = s.ok_or_else(|| js(Error::InvalidOption { option: "iss".into(), reason: "is required" }))?;
    let iss = FhirBase::parse("iss", &s).map_err(js)?;
    Ok((iss, timeout.unwrap_or(crate::core::http::DEFAULT_TIMEOUT_MS)))
}

/// Starts a SMART launch: standalone, or EHR when the page URL has `iss` (which must be one of the
/// configured servers) and `launch`. Navigates to the authorization server; with
/// `noRedirect: true` returns the URL instead.
async fn authorize(opts: JsValue) -> Result<JsValue, JsValue> {
    let (o, doc) = options(&opts)?;
    let url = begin_launch(&Fetch, &WebStorage::Session, &Browser, &identity(), &o, &page_url()?).await.map_err(js)?;
    if doc.no_redirect.value() == Some(true) {
        return Ok(JsValue::from_str(&url));
    }
    window().map_err(js)?.location().assign(&url).map_err(|e| js(Error::Network { message: js_message(&e) }))?;
    Ok(JsValue::UNDEFINED)
}

/// Removes the authorization response parameters from the address bar, so a reload or a shared
/// link does not carry the (now used) code.
fn clean_address_bar(page: &str) {
    let Some(url) = crate::core::callback::without_response_params(page) else { return };
    if let Ok(h) = window().and_then(|w| w.history().map_err(|e| Error::Network { message: js_message(&e) })) {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// On the redirect page: completes the launch (code → token) and returns a [`Client`]; on a later
/// load of the same tab, returns the stored session's client. `options` (the same object given to
/// `authorize`) is needed for confidential clients, whose secret is never stored.
async fn ready(opts: JsValue) -> Result<Client, JsValue> {
    let page = page_url()?;
    let doc = optional_options_doc(&opts)?;
    let (o, chosen) = parse_ready_options(&doc, &page).map_err(js)?;
    let session = if is_callback(&page) {
        let s = complete_launch(&Fetch, &Browser, &WebStorage::Session, &identity(), o.as_ref(), &page, crate::driver::Platform::now(&Browser)).await;
        clean_address_bar(&page);
        let s = s.map_err(js)?;
        #[cfg(feature = "identity")]
        if let Some(how) = crate::core::config::register_device(&doc).map_err(js)? {
            // The launch's token is the one-time initial access token: it is used for the
            // registration and never stored; the tab keeps the registered client's session.
            let registered = match crate::driver::identity::register(&Fetch, &WebCryptoKeys, &IndexedDb, &Browser, &s, how).await {
                Ok(record) => jwt_bearer_sign_in(&Fetch, &WebCryptoKeys, &IndexedDb, &Browser, &WebStorage::Session, record.iss()).await,
                Err(e) => Err(e),
            };
            match registered {
                Ok(next) => return Ok(Client::new(next, o.as_ref())),
                // The launch itself succeeded: keep its session, and report the registration
                // failure on the client (`registrationError`) instead of throwing the launch away.
                Err(e) => {
                    keep_session(&WebStorage::Session, &s).map_err(js)?;
                    let client = Client::new(s, o.as_ref());
                    client.set_registration_error(js(e));
                    return Ok(client);
                }
            }
        }
        keep_session(&WebStorage::Session, &s).map_err(js)?;
        s
    } else {
        let s = restore_session(&WebStorage::Session, chosen.as_ref()).map_err(js)?.ok_or_else(|| js(Error::NoLaunch))?;
        return Ok(Client::open(s, o.as_ref()));
    };
    #[cfg(not(feature = "identity"))]
    let _ = doc;
    Ok(Client::new(session, o.as_ref()))
}

/// `clients(options?)`: a client for every session this tab holds, one per FHIR server (the
/// options supply confidential clients' secrets, as for `ready`).
async fn clients(opts: JsValue) -> Result<JsValue, JsValue> {
    let (o, _) = parse_ready_options(&optional_options_doc(&opts)?, &page_url()?).map_err(js)?;
    let out = js_sys::Array::new();
    for iss in session_servers(&WebStorage::Session).map_err(js)? {
        if let Some(s) = restore_session::<JsBody>(&WebStorage::Session, Some(&iss)).map_err(js)? {
            out.push(&Client::open(s, o.as_ref()).into());
        }
    }
    Ok(out.into())
}

/// `client(state)`: a client from a token response the app already has, for unit tests and tools
/// (no launch; the session is not stored). `api.js` reads the state's members (in that order:
/// `serverUrl`, `tokenResponse`, `clientId`, `tokenUri`, `timeout`) and refuses other names; the
/// token response is checked as a token endpoint's.
fn client_from_state(members: &JsValue) -> Result<JsValue, JsValue> {
    use crate::core::doc::Field;
    let member = |i: u32| js_sys::Reflect::get_u32(members, i).unwrap_or(JsValue::UNDEFINED);
    let text = |v: JsValue| match v.as_string() {
        Some(s) => Field::Value(s),
        None if v.is_undefined() || v.is_null() => Field::Absent,
        None => Field::Wrong,
    };
    let timeout = match member(4) {
        v if v.is_undefined() || v.is_null() => Field::Absent,
        v => v.as_f64().filter(|n| n.fract() == 0.0 && *n >= 0.0).map_or(Field::Wrong, |n| Field::Value(n as u64)),
    };
    let body = JsBody(member(1));
    let t = crate::core::token::parse_token_response(200, &body).map_err(js)?;
    let binding = crate::core::config::client_state(text(member(0)), text(member(2)), text(member(3)), timeout, t.refresh_token.is_some()).map_err(js)?;
    let now = crate::driver::Platform::now(&Browser);
    let mut session = Session::from_token(binding, &crate::core::types::Scope::default(), t, body, now);
    session.relay_key = Some(crate::driver::relay::new_key(&Browser).map_err(js)?);
    Ok(Client::new(session, None).into())
}

/// `ready()` when the page is a redirect or has a session; otherwise `authorize()` (the returned
/// promise then never settles, as the page navigates away). An EHR launch (`iss` and `launch` on
/// the page) always starts a new authorization, whatever session the tab holds: it may be for
/// another patient.
async fn init(opts: JsValue) -> Result<Client, JsValue> {
    let page = page_url()?;
    let ehr_launch = ehr_launch_params(&page).map_err(js)?.is_some_and(|(_, launch)| launch.is_some_and(|l| !l.is_empty()));
    if is_callback(&page) || (!ehr_launch && restore_session::<JsBody>(&WebStorage::Session, None).map_err(js)?.is_some()) {
        return ready(opts).await;
    }
    authorize(opts).await?;
    JsFuture::from(js_sys::Promise::new(&mut |_, _| {})).await?;
    Err(js(Error::NoLaunch))
}
