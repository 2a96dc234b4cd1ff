#!/usr/bin/env bash
# Benchmark of the whole job graph (docs/BENCHMARKS.md): events/s of a pass-through job (the ceiling), the default
# detectors (CEP built-ins + 4 velocity rules; journeys and drift off), and everything (plus journeys and drift), heap
# and RocksDB, same input.
# Each run is its own JVM, parallelism 1, 10 s incremental checkpoints. Override sizes with EVENTS and USERS.
set -euo pipefail
EVENTS=${EVENTS:-2000000}
USERS=${USERS:-100000}

source "$(dirname "$0")/lib.sh"
run() { bench WorkflowBenchmark "$@"; }

machine
for backend in hashmap rocksdb; do
  run passthrough "$backend" "$EVENTS" "$USERS"
  run detectors "$backend" "$EVENTS" "$USERS"
  run all "$backend" "$EVENTS" "$USERS"
done
