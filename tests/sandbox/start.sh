#!/usr/bin/env bash
# Starts the local SMART sandbox in the background on 127.0.0.1 and waits until it listens.
# Its PID goes to tests/sandbox/sandbox.pid; tests/sandbox/stop.sh stops it by that PID.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pidfile="$here/sandbox.pid"
log="$here/sandbox.log"
for port in "${SANDBOX_AS_PORT:-9000}" "${SANDBOX_FHIR_PORT:-9001}" "${SANDBOX_DEMO_PORT:-8080}" "${SANDBOX_STOCK_PORT:-9002}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "sandbox: port $port on 127.0.0.1 is already in use (a sandbox already running? tests/sandbox/stop.sh)" >&2
    exit 1
  fi
done
# The demo's "Connect another health system" names the second sandbox the tests start (helpers.mjs).
SANDBOX_PEERS="${SANDBOX_PEERS:-http://127.0.0.1:9101/4_0_0}" node "$here/server.mjs" >"$log" 2>&1 &
echo $! >"$pidfile"
for _ in $(seq 1 100); do
  if grep -q '"ready":true' "$log" 2>/dev/null; then
    grep '"ready":true' "$log"
    exit 0
  fi
  if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "sandbox: failed to start" >&2; cat "$log" >&2; exit 1
  fi
  sleep 0.1
done
echo "sandbox: not ready after 10 s" >&2; cat "$log" >&2; exit 1
