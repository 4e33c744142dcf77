#!/usr/bin/env bash
# Builds the npm package into pkg/: release wasm (opt-level z, LTO, panic=abort), wasm-bindgen
# (CLI pinned to Cargo.lock), wasm-opt -Oz (npm binaryen), then pkg-template/. Fails when the
# package (wasm + JS glue, gzip -9) is over the size budget.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${SIZE_BUDGET_BYTES:-61440}

cargo build --release --target wasm32-unknown-unknown --quiet
rm -rf pkg && mkdir -p pkg
wasm-bindgen target/wasm32-unknown-unknown/release/smart_wasm.wasm \
  --target web --out-dir pkg --out-name smart_wasm --no-typescript --remove-name-section --remove-producers-section
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals \
  pkg/smart_wasm_bg.wasm -o pkg/smart_wasm_bg.wasm
# Minify the JS glue (export and wasm import names are kept; ~2 KB gzip less).
node_modules/.bin/esbuild pkg/smart_wasm.js --minify --format=esm --log-level=warning --outfile=pkg/smart_wasm.min.js
mv pkg/smart_wasm.min.js pkg/smart_wasm.js
cp pkg-template/* pkg/

gz() { gzip -9 -c "$1" | wc -c; }
wasm_gz=$(gz pkg/smart_wasm_bg.wasm); glue_gz=$(( $(gz pkg/smart_wasm.js) + $(gz pkg/index.js) ))
total=$(( wasm_gz + glue_gz ))
echo "package size (gzip -9): wasm ${wasm_gz} B + JS glue ${glue_gz} B = ${total} B (budget ${BUDGET} B); raw wasm $(wc -c < pkg/smart_wasm_bg.wasm) B"
if [ "$total" -gt "$BUDGET" ]; then
  echo "FAIL: package is over the size budget" >&2
  exit 1
fi
