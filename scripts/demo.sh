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
# Two sandbox instances through tests/sandbox/start.sh: their output, with oidc-provider's
# development warnings (in-memory storage, dev login pages, Node 20 rather than 22; expected for a
# local sandbox), goes to tests/sandbox/demo*.log, not the terminal.
trap 'tests/sandbox/stop.sh demo; tests/sandbox/stop.sh demo-second' EXIT
demo_port=${SANDBOX_DEMO_PORT:-8080}
echo "demo: starting the second health system (free ports)"
SANDBOX_AS_PORT=0 SANDBOX_FHIR_PORT=0 SANDBOX_DEMO_PORT=0 SANDBOX_STOCK_PORT=0 \
  SANDBOX_APP_ORIGIN="http://127.0.0.1:$demo_port" tests/sandbox/start.sh demo-second >/dev/null
peer=$(node -p 'require("./tests/sandbox/demo-second.json").fhirBase')
echo "demo: starting the sandbox"
SANDBOX_AS_PORT=${SANDBOX_AS_PORT:-9000} SANDBOX_FHIR_PORT=${SANDBOX_FHIR_PORT:-9001} SANDBOX_DEMO_PORT=$demo_port \
  SANDBOX_STOCK_PORT=${SANDBOX_STOCK_PORT:-9002} SANDBOX_PEERS="$peer" tests/sandbox/start.sh demo >/dev/null
url=$(node -p 'require("./tests/sandbox/demo.json").demo')
fhir=$(node -p 'encodeURIComponent(require("./tests/sandbox/demo.json").fhirBase)')
echo
echo "Demo: $url   (EHR launch: ${url}launch.html?iss=$fhir&launch=demo)"
echo "(sandbox logs, with oidc-provider's development warnings: tests/sandbox/demo.log, tests/sandbox/demo-second.log)"
while kill -0 "$(cat tests/sandbox/demo.pid)" 2>/dev/null; do sleep 1; done
