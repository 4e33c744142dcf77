#!/usr/bin/env bash
# Starts the local SMART sandbox in the background on 127.0.0.1 and waits until it listens. Each of
# its servers takes a free port unless SANDBOX_*_PORT names one; where they listen goes to
# tests/sandbox/<name>.json (the tests read sandbox.json). Its PID goes to <name>.pid and its output
# (with oidc-provider's development warnings) to <name>.log; `tests/sandbox/stop.sh [name]` stops
# it by that PID. The name (default `sandbox`) lets several instances run side by side.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="${1:-sandbox}"
pidfile="$here/$name.pid"
log="$here/$name.log"
rm -f "$here/$name.json"
SANDBOX_STATIC_ROOT="$(cd "$here/../.." && pwd)" SANDBOX_AS_PORT="${SANDBOX_AS_PORT:-0}" SANDBOX_FHIR_PORT="${SANDBOX_FHIR_PORT:-0}" SANDBOX_DEMO_PORT="${SANDBOX_DEMO_PORT:-0}" \
  SANDBOX_STOCK_PORT="${SANDBOX_STOCK_PORT:-0}" node "$here/server.mjs" >"$log" 2>&1 &
echo $! >"$pidfile"
for _ in $(seq 1 150); do
  if grep -q '"ready":true' "$log" 2>/dev/null; then
    grep '"ready":true' "$log" | tee "$here/$name.json"
    exit 0
  fi
  if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "sandbox: failed to start" >&2; grep -v "oidc-provider WARNING" "$log" >&2; exit 1
  fi
  sleep 0.1
done
echo "sandbox: not ready after 15 s" >&2; cat "$log" >&2; exit 1
