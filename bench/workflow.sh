#!/usr/bin/env bash
# Benchmark of the whole job graph (docs/BENCHMARKS.md): events/s of a pass-through job (the ceiling), the default
# detectors (CEP built-ins + 4 velocity rules; journeys and drift off), and everything (plus journeys and drift), heap
# and RocksDB, same input.
# Each run is its own JVM, parallelism 1, 10 s incremental checkpoints. Override sizes with EVENTS and USERS.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-2000000}
USERS=${USERS:-100000}
TIMEOUT=${TIMEOUT:-900}

mvn -o -B -q -pl pipeline -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="pipeline/target/test-classes:pipeline/target/classes:patterns/target/classes:sinks/target/classes:$(cat pipeline/target/bench.classpath)"
FLAGS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
       --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
       --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
       --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED -Xmx4g
       -Dlog4j2.configurationFile=pipeline/src/test/resources/log4j2-test.properties)

run() {
  timeout "$TIMEOUT" java "${FLAGS[@]}" -cp "$CP" io.journeycep.pipeline.bench.WorkflowBenchmark "$@" \
    > target/bench-last.log 2>&1 \
    && grep "^RESULT" target/bench-last.log || { echo "FAILED or timed out: $* (see target/bench-last.log)"; tail -5 target/bench-last.log; }
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1), $(date -u +%F)"
for backend in hashmap rocksdb; do
  run passthrough "$backend" "$EVENTS" "$USERS"
  run detectors "$backend" "$EVENTS" "$USERS"
  run all "$backend" "$EVENTS" "$USERS"
done
