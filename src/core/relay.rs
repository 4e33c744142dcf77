//! How tabs that share one session hand on a rotated refresh token without handing tokens to
//! anyone else.
//!
//! A duplicated tab (or `window.open`) copies `sessionStorage`, and with it the session and its
//! refresh token. When one tab redeems that token and the server rotates it, every other copy holds
//! a spent token; redeeming it again makes a server with reuse detection revoke the whole grant.
//! So the tab that refreshes records the session's newest state where the others find it —
//! whether they are open at the time or reloaded hours later — and a tab about to refresh first
//! takes a newer state of its session when there is one.
//!
//! Where: storage every document of the origin can read (`localStorage`). So the record is sealed
//! (AES-256-GCM) with a key only the tabs sharing the session hold: the session's `relayKey`, made
//! when the session starts and kept in the tab's `sessionStorage` beside the tokens (a duplicated
//! tab copies it with them). A document of the origin without the session learns nothing from a
//! record (no token, no key), cannot forge one (the seal authenticates it, and binds it to its
//! session and its generation), and cannot make a tab go back to an older state than the one it
//! holds. A newer state is adopted only when it is for the same server, client, token endpoint
//! and launch context. What is kept is bounded: one record per session, [`RELAY_SESSIONS`]
//! sessions, each for [`RELAY_TTL`].

use serde::{Deserialize, Serialize};

use super::doc::Body;
use super::session::Session;

/// Storage key prefix of the relay records (shared storage); the session's relay id follows.
pub const RELAY_PREFIX: &str = "smart-wasm:relay:";
/// Sessions whose relay records are kept.
pub const RELAY_SESSIONS: usize = 16;
/// Seconds a relay record is kept after it was written.
pub const RELAY_TTL: u64 = 14 * 24 * 3600;
/// Web Lock name prefix of a session's refreshes; the relay id follows.
pub const LOCK_PREFIX: &str = "smart-wasm:refresh:";

/// A session's relay record (shared storage): its newest state, sealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayDoc {
    /// The sealed session's generation (refreshes since it started).
    pub generation: u64,
    /// The session's JSON sealed by the platform (AES-256-GCM): base64url nonce `.` ciphertext.
    pub sealed: String,
    /// When it was written (seconds since the epoch).
    pub at: u64,
}

impl RelayDoc {
    /// Whether the record is still kept at `now`.
    pub fn live(&self, now: u64) -> bool {
        now.saturating_sub(self.at) <= RELAY_TTL
    }
}

/// What a sealed record is bound to (AES-GCM additional data): its session's relay id and its
/// generation, so a record cannot be moved to another session or pass for another generation.
pub fn aad(relay_id: &str, generation: u64) -> String {
    [relay_id, "\n", &super::u64_text(generation)].concat()
}

/// Whether `next` may replace `current`: a later state of the same session — the same server,
/// client, token endpoint and launch context (a refresh, never another launch).
pub fn may_adopt<B: Body>(current: &Session<B>, next: &Session<B>) -> bool {
    let (a, b) = (&current.binding, &next.binding);
    next.generation > current.generation
        && a.iss == b.iss
        && a.client_id == b.client_id
        && a.token_endpoint == b.token_endpoint
        && current.context.patient == next.context.patient
        && current.context.encounter == next.context.encounter
}
