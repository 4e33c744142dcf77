#!/usr/bin/env bash
# Builds the npm package into pkg/: two builds of the crate (the default entry, and
# `smart-wasm/identity` with the `identity` feature), each release wasm (opt-level z, LTO, std
# rebuilt with the crate by the pinned nightly of scripts/toolchain.sh) through wasm-bindgen (CLI
# pinned to Cargo.lock) and wasm-opt -Oz (npm binaryen), glue minified, then pkg-template/. Fails
# when the default entry (wasm + JS, gzip -9) is over the size budget; the identity entry's size is
# reported.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${SIZE_BUDGET_BYTES:-147456}
. scripts/toolchain.sh
WASM=target/release-nightly/wasm32-unknown-unknown/release/smart_wasm.wasm

bindgen() { # out-dir name
  wasm-bindgen "$WASM" --target web --out-dir "$1" --out-name "$2" --no-typescript \
    --remove-name-section --remove-producers-section
  node_modules/.bin/wasm-opt -Oz --converge --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-reference-types --enable-multivalue --enable-mutable-globals \
    "$1/$2_bg.wasm" -o "$1/$2_bg.wasm"
  # Minify the JS glue (export and wasm import names are kept).
  node_modules/.bin/esbuild "$1/$2.js" --minify --format=esm --log-level=error --outfile="$1/$2.min.js"
  mv "$1/$2.min.js" "$1/$2.js"
  find "$1/snippets" -name '*.js' | while read -r f; do
    node_modules/.bin/esbuild "$f" --minify --format=esm --log-level=error --outfile="$f.min" && mv "$f.min" "$f"
  done
}

rm -rf pkg && mkdir -p pkg
release_build
bindgen pkg smart_wasm
release_build --features identity
# Its own name, so nothing mistakes it for the default entry's module; the glue's default URL
# (`new URL('smart_wasm_identity_bg.wasm', import.meta.url)`, which bundlers follow) names the file.
bindgen pkg/identity smart_wasm_identity
cp pkg-template/* LICENSE-MIT LICENSE-APACHE pkg/
# The entry modules ship minified too (their readable source and doc comments are pkg-template/ and
# the .d.ts files).
for f in pkg/index.js pkg/identity.js pkg/api.js; do
  node_modules/.bin/esbuild "$f" --minify --format=esm --log-level=error --outfile="$f.min" && mv "$f.min" "$f"
done

gz() { cat "$@" | gzip -9 | wc -c; }
sum() { local t=0; for f in "$@"; do t=$(( t + $(gzip -9 -c "$f" | wc -c) )); done; echo $t; }
main_wasm=$(sum pkg/smart_wasm_bg.wasm); main_js=$(sum pkg/smart_wasm.js pkg/index.js pkg/api.js $(find pkg/snippets -name '*.js'))
id_wasm=$(sum pkg/identity/smart_wasm_identity_bg.wasm); id_js=$(sum pkg/identity/smart_wasm_identity.js pkg/identity.js pkg/api.js $(find pkg/identity/snippets -name '*.js'))
total=$(( main_wasm + main_js ))
echo "package size (gzip -9): wasm ${main_wasm} B + JS glue ${main_js} B = ${total} B (budget ${BUDGET} B); raw wasm $(wc -c < pkg/smart_wasm_bg.wasm) B"
echo "identity entry (gzip -9): wasm ${id_wasm} B + JS glue ${id_js} B = $(( id_wasm + id_js )) B"
if [ "$total" -gt "$BUDGET" ]; then
  echo "FAIL: package is over the size budget" >&2
  exit 1
fi

# The installable package: `npm install ./target/smart-wasm-<version>.tgz` (what `npm publish` would upload).
tarball=$(cd pkg && npm pack --pack-destination ../target --silent 2>/dev/null | tail -1)
echo "npm package: target/$tarball ($(wc -c < "target/$tarball") B)"
