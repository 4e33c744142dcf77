#!/usr/bin/env bash
# Installs what building and testing need on a fresh machine of this kind; each step is skipped
# when already done. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the Rust target wasm32-unknown-unknown (under a minute)"
  rustup target add wasm32-unknown-unknown
fi

# The pinned nightly the shipped module is built with (scripts/toolchain.sh says why), with its
# rust-src for -Zbuild-std.
. scripts/toolchain.sh
if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1 || ! rustup component list --installed --toolchain "$NIGHTLY" | grep -q '^rust-src'; then
  echo "setup: installing the Rust toolchain $NIGHTLY with rust-src (about a minute)"
  rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src --no-self-update
fi

# wasm-bindgen-cli must be exactly the wasm-bindgen version in Cargo.lock.
[ -f Cargo.lock ] || cargo generate-lockfile
want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "setup: compiling wasm-bindgen-cli $want, which must match Cargo.lock (3 to 12 minutes on 2 cores; once per machine)"
  cargo install --quiet wasm-bindgen-cli --version "$want"
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "setup: installing chromium and chromium-driver from Debian (about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Sandbox servers, Playwright, and binaryen's wasm-opt (npm's build; Debian's binaryen corrupts
# wasm-bindgen output).
if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing the npm packages (sandbox servers, Playwright, binaryen; under a minute)"
  npm ci --no-audit --no-fund --loglevel=error
fi
