#!/usr/bin/env bash
# Builds the package and serves the demo against the local SMART sandbox (Ctrl-C stops it).
# Open the printed URL, press Launch, sign in with any password (login "amy", "daniel" or "kim"
# picks the patient), accept, and the portal shows the patient fetched with the access token.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
# A second health system (another sandbox instance) for the portal's "Connect another health system".
SANDBOX_AS_PORT=9100 SANDBOX_FHIR_PORT=9101 SANDBOX_DEMO_PORT=8180 SANDBOX_STOCK_PORT=9102 \
  SANDBOX_APP_ORIGIN="http://127.0.0.1:${SANDBOX_DEMO_PORT:-8080}" node tests/sandbox/server.mjs >/dev/null &
second=$!
trap 'kill $second 2>/dev/null' EXIT
echo "Demo: http://127.0.0.1:${SANDBOX_DEMO_PORT:-8080}/  (EHR launch: http://127.0.0.1:${SANDBOX_DEMO_PORT:-8080}/launch.html?iss=http%3A%2F%2F127.0.0.1%3A${SANDBOX_FHIR_PORT:-9001}%2F4_0_0&launch=demo)"
SANDBOX_PEERS=http://127.0.0.1:9101/4_0_0 node tests/sandbox/server.mjs
