//! The sans-IO SMART App Launch protocol core. Nothing here touches the browser: documents,
//! URLs, the clock and randomness come in as arguments; requests to send and typed results go out.
//! Tested natively with `cargo test`.

pub mod authorize;
pub mod callback;
pub mod config;
pub mod discovery;
pub mod encode;
pub mod error;
pub mod fhir;
pub mod http;
pub mod session;
pub mod token;
pub mod types;

pub use error::{Error, Result};
