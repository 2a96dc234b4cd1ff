#!/usr/bin/env bash
# Benchmark of the segment stage (docs/BENCHMARKS.md): events/s with the shipped segments and RFM on RocksDB (and heap),
# and serialized state bytes per user, for 100k and 1M simulated users over DAYS of event time (default 60).
# Each run is its own JVM, parallelism 1, 10 s incremental checkpoints. Override sizes with EVENTS and DAYS.
set -euo pipefail
EVENTS=${EVENTS:-2000000}
DAYS=${DAYS:-60}

source "$(dirname "$0")/lib.sh"
run() { bench SegmentBenchmark "$@"; }

machine
run rocksdb "$EVENTS" 100000 "$DAYS"
run rocksdb "$EVENTS" 1000000 "$DAYS"
run hashmap "$EVENTS" 100000 "$DAYS"
