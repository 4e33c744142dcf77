//! The tab relay (core::relay, driver::relay): a tab whose session another tab refreshed takes the
//! newest state that tab recorded, however far behind it is, and nothing else: not a record sealed
//! with another key, moved to another session, passed off as another generation, older than what
//! the tab holds, or for another server, client or launch context. What is kept is bounded. (AES-GCM
//! here is the aes-gcm crate; the browser's WebCrypto is used end to end, tests/e2e/tabs.test.mjs.)

mod support;

use smart_wasm::core::relay::{RelayDoc, RELAY_PREFIX, RELAY_SESSIONS, RELAY_TTL};
use smart_wasm::core::session::Session;
use smart_wasm::core::token::parse_token_response;
use smart_wasm::core::types::{ClientId, FhirBase, RelayKey};
use smart_wasm::driver::relay::{adopt, new_key, record, relay_of, Relay};
use smart_wasm::driver::Store;
use support::*;

/// The session's state after `generation` refreshes; tokens long enough that finding one in the
/// shared storage's text cannot be chance.
fn state(generation: u64, patient: &str, key: &RelayKey) -> Session<Doc> {
    let body = j(&format!(
        r#"{{"access_token":"access-token-{generation}-of-this-tab","token_type":"bearer","expires_in":60,"refresh_token":"refresh-token-{generation}-of-this-tab","patient":"{patient}"}}"#
    ));
    let mut s = Session::from_code_exchange(&launch_record(false), parse_token_response(200, &body).unwrap(), body, 1000).with_context();
    s.relay_key = Some(key.clone());
    s.generation = generation;
    s
}

fn relay(p: &FakePlatform, s: &Session<Doc>) -> Relay {
    block_on(relay_of(p, &mut s.clone())).unwrap()
}

fn adopted(p: &FakePlatform, shared: &FakeStore, r: &Relay, s: &Session<Doc>, now: u64) -> Option<u64> {
    block_on(adopt(p, shared, r, s, now)).unwrap().map(|n| n.generation)
}

#[test]
fn a_tab_takes_the_newest_state_of_its_session_however_far_behind() {
    let p = FakePlatform::at(1000);
    let shared = FakeStore::default();
    let key = new_key(&p).unwrap();
    let r = relay(&p, &state(0, "p", &key));
    assert_eq!(adopted(&p, &shared, &r, &state(0, "p", &key), 1000), None, "nothing recorded yet");

    // Tab A refreshes six times; tab B, still at the start (its copy was reloaded later), takes the
    // sixth state without redeeming anything.
    for g in 1..=6 {
        block_on(record(&p, &shared, &r, &state(g, "p", &key), 1000 + g)).unwrap();
    }
    let newest = block_on(adopt(&p, &shared, &r, &state(0, "p", &key), 1010)).unwrap().expect("newer state");
    assert_eq!(newest.refresh_token.as_ref().unwrap().secret(), "refresh-token-6-of-this-tab");
    assert_eq!(newest.context("patient"), Some("p"), "launch context read back");
    assert_eq!(adopted(&p, &shared, &r, &state(6, "p", &key), 1010), None, "the newest state has nothing newer");
    assert_eq!(adopted(&p, &shared, &r, &state(7, "p", &key), 1010), None, "nor one ahead of the record");

    // What other documents of the origin can read: no token, old or new, and not the key.
    let text: String = shared.0.borrow().values().cloned().collect();
    for g in 0..=6 {
        assert!(!text.contains(&format!("access-token-{g}-of")) && !text.contains(&format!("refresh-token-{g}-of")), "{text}");
    }
    assert!(!text.contains(key.secret()), "the key in clear");
}

#[test]
fn forged_moved_replayed_or_foreign_records_are_not_adopted() {
    let p = FakePlatform::at(1000);
    let key = new_key(&p).unwrap();
    let r = relay(&p, &state(0, "p", &key));
    let name = format!("{RELAY_PREFIX}{}", r.id);

    // Sealed by a page that does not hold the session's key, under this session's record name.
    let shared = FakeStore::default();
    let other_key = new_key(&p).unwrap();
    let forger = relay(&p, &state(0, "p", &other_key));
    block_on(record(&p, &shared, &forger, &state(5, "p", &other_key), 1000)).unwrap();
    let forged = shared.0.borrow().get(&format!("{RELAY_PREFIX}{}", forger.id)).cloned().unwrap();
    shared.0.borrow_mut().insert(name.clone(), forged);
    assert_eq!(adopted(&p, &shared, &r, &state(0, "p", &key), 1000), None, "a seal made with another key");

    // A genuine record of this session whose generation is rewritten (the seal binds it).
    let shared = FakeStore::default();
    block_on(record(&p, &shared, &r, &state(2, "p", &key), 1000)).unwrap();
    let mut doc: RelayDoc = shared.get(&name).unwrap().unwrap();
    doc.generation = 9;
    shared.set(&name, &doc).unwrap();
    assert_eq!(adopted(&p, &shared, &r, &state(3, "p", &key), 1000), None, "a generation the seal does not name");

    // An older genuine record written back: a tab never goes back.
    let shared = FakeStore::default();
    block_on(record(&p, &shared, &r, &state(2, "p", &key), 1000)).unwrap();
    assert_eq!(adopted(&p, &shared, &r, &state(4, "p", &key), 1000), None);

    // Genuine, but for another patient, another server or another client: never adopted.
    let mut other_server = state(3, "p", &key);
    other_server.binding.iss = FhirBase::parse("iss", "https://evil.example.org/fhir").unwrap();
    let mut other_client = state(3, "p", &key);
    other_client.binding.client_id = ClientId::new("other");
    for next in [state(3, "other-patient", &key), other_server, other_client] {
        let shared = FakeStore::default();
        block_on(record(&p, &shared, &r, &next, 1000)).unwrap();
        assert_eq!(adopted(&p, &shared, &r, &state(0, "p", &key), 1000), None, "{:?}", next.binding);
    }

    // Records that are not JSON, or whose members are not base64url, are passed over.
    let shared = FakeStore::default();
    for text in ["not json", r#"{"generation":3,"sealed":"!","at":1000}"#, r#"{"generation":3,"sealed":"a.b.c","at":1000}"#, r#"{"generation":"3"}"#] {
        shared.0.borrow_mut().insert(name.clone(), text.into());
        assert_eq!(adopted(&p, &shared, &r, &state(0, "p", &key), 1000), None, "{text}");
    }
}

#[test]
fn what_is_kept_is_bounded() {
    let p = FakePlatform::at(1000);
    let shared = FakeStore::default();
    // Many sessions: one record each, the oldest go.
    for n in 0..40u64 {
        let key = new_key(&p).unwrap();
        block_on(record(&p, &shared, &relay(&p, &state(0, "p", &key)), &state(1, "p", &key), 2000 + n)).unwrap();
    }
    let kept = shared.keys().unwrap().into_iter().filter(|k| k.starts_with(RELAY_PREFIX)).count();
    assert_eq!(kept, RELAY_SESSIONS);
    // And none past their lifetime: an expired one is neither adopted nor kept.
    let key = new_key(&p).unwrap();
    let r = relay(&p, &state(0, "p", &key));
    let later = 2100 + RELAY_TTL;
    block_on(record(&p, &shared, &r, &state(1, "p", &key), later)).unwrap();
    assert_eq!(shared.keys().unwrap().len(), 1, "expired records dropped");
    assert_eq!(adopted(&p, &shared, &r, &state(0, "p", &key), later + RELAY_TTL + 1), None);
    assert_eq!(adopted(&p, &shared, &r, &state(0, "p", &key), later + 1), Some(1));
}

#[test]
fn a_session_stored_without_a_key_gets_one_once() {
    let p = FakePlatform::at(1000);
    let mut s = state(0, "p", &new_key(&p).unwrap());
    s.relay_key = None;
    let first = block_on(relay_of(&p, &mut s)).unwrap();
    assert!(s.relay_key.is_some());
    let again = block_on(relay_of(&p, &mut s)).unwrap();
    assert_eq!(first.id, again.id, "the key is kept with the session");
}

#[test]
fn each_refresh_makes_a_later_generation() {
    let p = FakePlatform::at(1000);
    let mut s = state(0, "p", &new_key(&p).unwrap());
    let body = j(r#"{"access_token":"a2","token_type":"bearer"}"#);
    s.apply_refresh(parse_token_response(200, &body).unwrap(), &body, 1001);
    assert_eq!(s.generation, 1);
}
