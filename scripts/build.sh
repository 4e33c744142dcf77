#!/usr/bin/env bash
# Builds the npm package into pkg/: two builds of the crate (the default entry, and
# `smart-wasm/identity` with the `identity` feature), each release wasm (opt-level z, LTO, std
# rebuilt with the crate by the pinned nightly of scripts/toolchain.sh) through wasm-bindgen (CLI
# pinned to Cargo.lock) and wasm-opt -Oz (npm binaryen), each entry bundled into one JS module,
# then pkg-template/'s declarations and package.json. Fails when the default entry (wasm + JS,
# gzip -9) is over the size budget (128 KiB); the identity entry's size is reported.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${SIZE_BUDGET_BYTES:-131072}
. scripts/toolchain.sh
WASM=target/release-nightly/wasm32-unknown-unknown/release/smart_wasm.wasm

bindgen() { # out-dir name
  wasm-bindgen "$WASM" --target web --out-dir "$1" --out-name "$2" --no-typescript \
    --remove-name-section --remove-producers-section
  node_modules/.bin/wasm-opt -Oz --converge --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-reference-types --enable-multivalue --enable-mutable-globals \
    "$1/$2_bg.wasm" -o "$1/$2_bg.wasm"
}

# Each entry ships as ONE JavaScript module: its source in pkg-template/, the shared api.js, the
# wasm-bindgen glue and its snippets bundled and minified by esbuild (export and wasm import names
# kept), so a page fetches the entry and the .wasm and nothing in between. Two variants of each:
#   url     the .wasm sits beside the entry, found by `new URL(…, import.meta.url)` (which bundlers
#           follow and emit), fetched and compiled as it streams in;
#   inline  the .wasm's bytes are in the module (esbuild's binary loader): for bundlers and test
#           runners that do not emit assets (Rollup without a plugin, esbuild, Angular's build).
entry() { # template-entry glue-dir glue-name output variant
  local work=target/pkg-work rel=${2#pkg} snippet
  rel=${rel#/}${rel:+/}
  rm -rf "$work" && mkdir -p "$work"
  cp pkg-template/"$1" pkg-template/api.js "$work/"
  cp -r "$2/$3.js" "$2/snippets" "$work/"
  # The template imports the glue from where it sits in the package; in the work dir it is beside it.
  sed -i "s#'\./identity/$3\.js'#'./$3.js'#" "$work/$1"
  # The glue's own default URL of its .wasm (unused: the entry always passes the module) is made
  # right for where the url bundle sits, and taken out of the inline one.
  local default_url="new URL('./${rel}$3_bg.wasm', import.meta.url)"
  [ "$5" = inline ] && default_url="void 0"
  sed -i -E "s#new URL\(['\"]$3_bg\.wasm['\"], *import\.meta\.url\)#${default_url}#" "$work/$3.js"
  grep -qF "$default_url" "$work/$3.js" || { echo "FAIL: the glue's wasm URL was not found" >&2; exit 1; }
  if [ "$5" = inline ]; then
    cp "$2/$3_bg.wasm" "$work/"
    echo "export { default } from './$3_bg.wasm';" > "$work/source.js"
  else
    echo "export default new URL('./${rel}$3_bg.wasm', import.meta.url);" > "$work/source.js"
  fi
  snippet=$(find "$work/snippets" -name browser.js)
  node_modules/.bin/esbuild "$work/$1" --bundle --minify --format=esm --platform=browser --log-level=error --loader:.wasm=binary \
    --alias:smart-wasm-source="./$work/source.js" --alias:smart-wasm-browser="./$snippet" --outfile="$4"
}

rm -rf pkg && mkdir -p pkg
release_build
bindgen pkg smart_wasm
release_build --features identity
# Its own name, so nothing mistakes it for the default entry's module; the glue's default URL
# (`new URL('smart_wasm_identity_bg.wasm', import.meta.url)`, which bundlers follow) names the file.
bindgen pkg/identity smart_wasm_identity
entry index.js pkg smart_wasm pkg/index.js url
entry index.js pkg smart_wasm pkg/inline.js inline
entry identity.js pkg/identity smart_wasm_identity pkg/identity.js url
entry identity.js pkg/identity smart_wasm_identity pkg/identity/inline.js inline
rm -rf pkg/smart_wasm.js pkg/snippets pkg/identity/smart_wasm_identity.js pkg/identity/snippets
cp pkg-template/*.d.ts pkg-template/package.json pkg-template/README.md LICENSE-MIT LICENSE-APACHE pkg/

sum() { local t=0; for f in "$@"; do t=$(( t + $(gzip -9 -c "$f" | wc -c) )); done; echo $t; }
br() { node -e 'const z=require("zlib"),fs=require("fs");let t=0;for(const f of process.argv.slice(1))t+=z.brotliCompressSync(fs.readFileSync(f),{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length;console.log(t)' "$@"; }
main_wasm=$(sum pkg/smart_wasm_bg.wasm); main_js=$(sum pkg/index.js)
id_wasm=$(sum pkg/identity/smart_wasm_identity_bg.wasm); id_js=$(sum pkg/identity.js)
total=$(( main_wasm + main_js ))
echo "package size (gzip -9): wasm ${main_wasm} B + JS ${main_js} B = ${total} B (budget ${BUDGET} B); brotli -q 11: $(br pkg/smart_wasm_bg.wasm pkg/index.js) B; raw wasm $(wc -c < pkg/smart_wasm_bg.wasm) B"
echo "identity entry (gzip -9): wasm ${id_wasm} B + JS ${id_js} B = $(( id_wasm + id_js )) B; brotli -q 11: $(br pkg/identity/smart_wasm_identity_bg.wasm pkg/identity.js) B"
echo "inline entries (gzip -9, the .wasm in the module): smart-wasm/inline $(sum pkg/inline.js) B, smart-wasm/identity/inline $(sum pkg/identity/inline.js) B"
if [ "$total" -gt "$BUDGET" ]; then
  echo "FAIL: package is over the size budget" >&2
  exit 1
fi

# The installable package: `npm install ./target/smart-wasm-<version>.tgz` (what `npm publish` would upload).
tarball=$(cd pkg && npm pack --pack-destination ../target --silent 2>/dev/null | tail -1)
echo "npm package: target/$tarball ($(wc -c < "target/$tarball") B)"

# The sandbox as its own package (its code stays in tests/sandbox/), for app teams' tests.
sandbox=target/sandbox-pkg
rm -rf "$sandbox" && mkdir -p "$sandbox"
( cd tests/sandbox && cp package.json README.md index.mjs index.d.ts cli.mjs playwright.mjs playwright.d.ts server.mjs control.mjs \
    dynamic.mjs fhir-auth.mjs id-tokens.mjs interactions.mjs patients.mjs profiles.mjs static.mjs stock.mjs records.cjs \
    patient.service.cjs "../../$sandbox/" )
cp LICENSE-MIT LICENSE-APACHE "$sandbox/"
tarball=$(cd "$sandbox" && npm pack --pack-destination ../ --silent 2>/dev/null | tail -1)
echo "sandbox package: target/$tarball ($(wc -c < "target/$tarball") B)"
