//! The sans-IO SMART App Launch protocol core. Nothing here touches the browser: documents,
//! URLs, the clock and randomness come in as arguments; requests to send and typed results go out.
//! Tested natively with `cargo test`.

pub mod authorize;
pub mod binding;
pub mod callback;
pub mod config;
pub mod discovery;
pub mod doc;
pub mod encode;
pub mod error;
pub mod fhir;
pub mod http;
pub mod idtoken;
pub mod jwt;
pub mod registration;
pub mod relay;
pub mod session;
pub mod token;
pub mod types;

pub use error::{Error, Result};

/// Decimal text of a `u64`, without `core::fmt`.
pub fn u64_text(mut n: u64) -> String {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf[i..].iter().map(|&b| b as char).collect()
}
