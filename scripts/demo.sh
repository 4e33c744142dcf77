#!/usr/bin/env bash
# Builds the package and serves the demo portal against the local SMART sandbox (Ctrl-C stops it).
# Open the printed URL, press Launch, sign in with any password (login "amy", "daniel" or "kim"
# picks the patient; "dr-smith" is a clinician), accept, and the portal shows the patient's record.
# "Connect another health system" launches against a second sandbox started beside the first.
# Ports: SANDBOX_DEMO_PORT (8080), SANDBOX_AS_PORT (9000), SANDBOX_FHIR_PORT (9001),
# SANDBOX_STOCK_PORT (9002); a busy one is named, and 0 picks a free one.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "demo: checking what is installed (a first run installs the Rust target, Chromium, npm packages and compiles wasm-bindgen-cli: up to ~15 minutes)"
scripts/setup.sh
echo "demo: building the package (release wasm, wasm-opt; about a minute)"
scripts/build.sh
log=$(mktemp -d)
# oidc-provider prints development warnings on start (in-memory storage, dev login pages, Node 20
# rather than 22): expected for a local sandbox, so they go to the log, not the terminal.
start() { # log-name env...
  local name=$1; shift
  env "$@" node tests/sandbox/server.mjs >"$log/$name.out" 2>"$log/$name.err" &
  pids+=($!)
  for _ in $(seq 1 150); do
    if grep -q '"ready":true' "$log/$name.out"; then return 0; fi
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then grep -v "oidc-provider WARNING" "$log/$name.err" >&2; return 1; fi
    sleep 0.1
  done
  echo "demo: the $name sandbox did not start in 15 s" >&2; return 1
}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
demo_port=${SANDBOX_DEMO_PORT:-8080}
echo "demo: starting the second health system (free ports)"
start second SANDBOX_AS_PORT=0 SANDBOX_FHIR_PORT=0 SANDBOX_DEMO_PORT=0 SANDBOX_STOCK_PORT=0 \
  SANDBOX_APP_ORIGIN="http://127.0.0.1:$demo_port"
second=$(grep '"ready":true' "$log/second.out")
peer=$(node -p 'JSON.parse(process.argv[1]).fhirBase' "$second")
echo "demo: starting the sandbox"
start first SANDBOX_DEMO_PORT="$demo_port" SANDBOX_PEERS="$peer"
first=$(grep '"ready":true' "$log/first.out")
url=$(node -p 'JSON.parse(process.argv[1]).demo' "$first")
fhir=$(node -p 'encodeURIComponent(JSON.parse(process.argv[1]).fhirBase)' "$first")
echo
echo "Demo: $url   (EHR launch: ${url}launch.html?iss=$fhir&launch=demo)"
echo "(sandbox logs and oidc-provider's development warnings: $log)"
wait
