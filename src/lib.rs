//! SMART App Launch for browser single-page apps, in Rust compiled to WebAssembly.
//!
//! - [`core`]: the sans-IO protocol (discovery, authorize, callback, tokens, sessions), native-tested.
//! - [`driver`]: runs the protocol steps over small HTTP / storage / platform traits.
//! - `web` (wasm32 only): thin adapters over fetch, sessionStorage, WebCrypto and getrandom.
//! - `api` (wasm32 only): the fhirclient.js-shaped JavaScript API (`authorize`, `ready`, `init`, `Client`).

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub mod driver;

#[cfg(target_arch = "wasm32")]
pub mod api;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
