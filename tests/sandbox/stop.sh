#!/usr/bin/env bash
# Stops the sandbox start.sh started under the same name (default `sandbox`), by its PID.
here="$(cd "$(dirname "$0")" && pwd)"
pidfile="$here/${1:-sandbox}.pid"
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
if kill "$pid" 2>/dev/null; then
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
fi
rm -f "$pidfile"
