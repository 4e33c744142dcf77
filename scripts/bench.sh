#!/usr/bin/env bash
# Benchmarks against fhirclient.js in one headless Chromium session on the local sandbox; writes
# bench/RESULTS.md. BENCH_RUNS (default 30) sets the runs of the per-run metrics.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
tests/sandbox/start.sh
trap tests/sandbox/stop.sh EXIT
node bench/run.mjs
