#!/usr/bin/env bash
# Runs every test: native core tests, the package build with its size budget, the browser adapter
# tests (wasm-bindgen-test in headless Chromium) and the end-to-end tests (Playwright) against the
# local SMART sandbox. Installs what it needs first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}

scripts/setup.sh

echo "== native tests (sans-IO core)"
cargo test --quiet

echo "== TypeScript declarations (tsc --strict on a usage file)"
node_modules/.bin/tsc -p tests/types/tsconfig.json && echo "types: ok"

echo "== package build and size budget"
scripts/build.sh

echo "== local SMART sandbox"
tests/sandbox/start.sh
trap tests/sandbox/stop.sh EXIT

echo "== browser adapter tests (wasm-bindgen-test, headless Chromium)"
cargo test --target wasm32-unknown-unknown --features identity --test web --test web_keys

echo "== end-to-end tests (Playwright, headless Chromium)"
node --test --test-concurrency=1 --test-reporter=spec tests/e2e/*.test.mjs
