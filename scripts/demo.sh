#!/usr/bin/env bash
# Builds the package and serves the demo against the local SMART sandbox (Ctrl-C stops it).
# Open the printed URL, press Launch, sign in with any password (login "amy", "daniel" or "kim"
# picks the patient), accept, and the portal shows the patient fetched with the access token.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
echo "Demo: http://127.0.0.1:${SANDBOX_DEMO_PORT:-8080}/  (EHR launch: http://127.0.0.1:${SANDBOX_DEMO_PORT:-8080}/launch.html?iss=http%3A%2F%2F127.0.0.1%3A${SANDBOX_FHIR_PORT:-9001}%2F4_0_0&launch=demo)"
exec node tests/sandbox/server.mjs
