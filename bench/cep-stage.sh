#!/usr/bin/env bash
# Benchmark of the cart-abandonment stage (docs/BENCHMARKS.md): events/s on heap and RocksDB with the same input and
# the same match count, the pass-through ceiling, and vanilla Flink CEP (a `view` step in the pattern) for reference.
# Each run is its own JVM, parallelism 1, 10 s checkpoints. Override sizes with EVENTS, USERS, VANILLA_EVENTS.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-2000000}
USERS=${USERS:-100000}
VANILLA_EVENTS=${VANILLA_EVENTS:-60000}   # vanilla CEP on RocksDB runs at a few hundred events/s

mvn -B -q -pl pipeline -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="pipeline/target/test-classes:pipeline/target/classes:patterns/target/classes:sinks/target/classes:$(cat pipeline/target/bench.classpath)"
FLAGS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
       --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
       --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
       --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED -Xmx4g
       -Dlog4j2.configurationFile=pipeline/src/test/resources/log4j2-test.properties)

run() {
  java "${FLAGS[@]}" -cp "$CP" io.journeycep.pipeline.bench.CartAbandonmentBenchmark "$@" > target/bench-last.log 2>&1 \
    && grep "^RESULT" target/bench-last.log || { echo "FAILED: $* (see target/bench-last.log)"; tail -5 target/bench-last.log; }
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1), $(date -u +%F)"
run passthrough hashmap "$EVENTS" "$USERS"
run passthrough rocksdb "$EVENTS" "$USERS"
run stage hashmap "$EVENTS" "$USERS"
run stage rocksdb "$EVENTS" "$USERS"
run vanilla-cep hashmap "$EVENTS" "$USERS"
run vanilla-cep rocksdb "$VANILLA_EVENTS" "$USERS"
run stage rocksdb "$VANILLA_EVENTS" "$USERS"
