#!/usr/bin/env bash
# Benchmark of the cart-abandonment stage (docs/BENCHMARKS.md): events/s on heap and RocksDB with the same input and
# the same match count, the pass-through ceiling, and vanilla Flink CEP (a `view` step in the pattern) for reference.
# Each run is its own JVM, parallelism 1, 10 s checkpoints. Override sizes with EVENTS, USERS, VANILLA_EVENTS.
set -euo pipefail
EVENTS=${EVENTS:-2000000}
USERS=${USERS:-100000}
VANILLA_EVENTS=${VANILLA_EVENTS:-60000}   # vanilla CEP on RocksDB runs at a few hundred events/s

source "$(dirname "$0")/lib.sh"
run() { bench CartAbandonmentBenchmark "$@"; }

machine
run passthrough hashmap "$EVENTS" "$USERS"
run passthrough rocksdb "$EVENTS" "$USERS"
run stage hashmap "$EVENTS" "$USERS"
run stage rocksdb "$EVENTS" "$USERS"
run vanilla-cep hashmap "$EVENTS" "$USERS"
run vanilla-cep rocksdb "$VANILLA_EVENTS" "$USERS"
run stage rocksdb "$VANILLA_EVENTS" "$USERS"
