//! The driver's side of [`crate::core::relay`]: a session's relay id and key, taking the newer
//! state of its session another tab recorded, and recording the state a refresh made. The shared
//! storage is a [`Store`] (`localStorage` in the browser); sealing is the platform's (WebCrypto
//! AES-GCM).

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{Platform, Store};
use crate::core::doc::Body;
use crate::core::encode::b64url;
use crate::core::relay::{aad, may_adopt, RelayDoc, RELAY_PREFIX, RELAY_SESSIONS};
use crate::core::session::Session;
use crate::core::types::RelayKey;
use crate::core::Result;

/// A session's relay: its id (the hash of its key; names its record and its Web Lock) and key.
pub struct Relay {
    /// base64url SHA-256 of the key, tagged.
    pub id: String,
    key: RelayKey,
}

/// A new session's relay key.
pub fn new_key(platform: &impl Platform) -> Result<RelayKey> {
    Ok(RelayKey::new(b64url(&platform.random32()?)))
}

/// The session's relay; a session without a key (stored by an earlier version) gets one here,
/// which the caller keeps with the session.
pub async fn relay_of<B>(platform: &impl Platform, session: &mut Session<B>) -> Result<Relay> {
    let key = match &session.relay_key {
        Some(k) => k.clone(),
        None => session.relay_key.insert(new_key(platform)?).clone(),
    };
    let id = b64url(&platform.sha256(["smart-wasm relay\n", key.secret()].concat().as_bytes()).await?);
    Ok(Relay { id, key })
}

fn record_key(relay: &Relay) -> String {
    [RELAY_PREFIX, &relay.id].concat()
}

/// The newest state of `session` another tab recorded, when it is later than `session` (that tab
/// refreshed since: the refresh token `session` holds may be spent). A record that does not open,
/// does not parse, or is for another server, client, token endpoint or launch context is passed
/// over.
pub async fn adopt<B: Body + DeserializeOwned>(
    platform: &impl Platform,
    shared: &impl Store,
    relay: &Relay,
    session: &Session<B>,
    now: u64,
) -> Result<Option<Session<B>>> {
    let Some(doc) = shared.get::<RelayDoc>(&record_key(relay)).ok().flatten().filter(|d| d.live(now) && d.generation > session.generation) else {
        return Ok(None);
    };
    let Some(plain) = platform.open(relay.key.secret(), aad(&relay.id, doc.generation).as_bytes(), &doc.sealed).await? else { return Ok(None) };
    let next = core::str::from_utf8(&plain).ok().and_then(|t| platform.parse::<Session<B>>(t)).map(Session::with_context);
    Ok(next.filter(|n| n.generation == doc.generation && may_adopt(session, n)))
}

/// Records `next`, the state a refresh just made, as the session's newest for the other tabs
/// sharing it. Old records, and those beyond [`RELAY_SESSIONS`], are dropped.
pub async fn record<B: Body + Serialize>(platform: &impl Platform, shared: &impl Store, relay: &Relay, next: &Session<B>, now: u64) -> Result<()> {
    let text = platform.json(next);
    if text.is_empty() {
        return Ok(());
    }
    let sealed = platform.seal(relay.key.secret(), aad(&relay.id, next.generation).as_bytes(), text.as_bytes()).await?;
    shared.set(&record_key(relay), &RelayDoc { generation: next.generation, sealed, at: now })?;
    prune(shared, now)
}

/// Keeps at most [`RELAY_SESSIONS`] records, none older than [`RELAY_TTL`].
fn prune(shared: &impl Store, now: u64) -> Result<()> {
    let mut kept: Vec<(u64, String)> = Vec::new();
    for key in shared.keys()?.into_iter().filter(|k| k.starts_with(RELAY_PREFIX)) {
        match shared.get::<RelayDoc>(&key) {
            Ok(Some(d)) if d.live(now) => kept.push((d.at, key)),
            _ => shared.remove(&key)?,
        }
    }
    kept.sort_unstable();
    let over = kept.len().saturating_sub(RELAY_SESSIONS);
    for (_, key) in kept.into_iter().take(over) {
        shared.remove(&key)?;
    }
    Ok(())
}
