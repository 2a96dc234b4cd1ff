#!/usr/bin/env bash
# Benchmark of the velocity stage (docs/BENCHMARKS.md): events/s with 4 and 100 rules, heap and RocksDB, same input.
# Each run is its own JVM, parallelism 1, 10 s incremental checkpoints. Override sizes with EVENTS and USERS.
set -euo pipefail
EVENTS=${EVENTS:-2000000}
USERS=${USERS:-100000}

source "$(dirname "$0")/lib.sh"
run() { bench VelocityBenchmark "$@"; }

machine
# EVENTS_100 (default EVENTS) sizes the 100-rule runs; TIMEOUT (s, default 900) bounds each run
EVENTS_100=${EVENTS_100:-$EVENTS}
run 4 hashmap "$EVENTS" "$USERS"
run 4 rocksdb "$EVENTS" "$USERS"
run 100 hashmap "$EVENTS_100" "$USERS"
run 100 rocksdb "$EVENTS_100" "$USERS"
