#!/usr/bin/env bash
# Benchmark of the velocity stage (docs/BENCHMARKS.md): events/s with 4 and 100 rules, heap and RocksDB, same input.
# Each run is its own JVM, parallelism 1, 10 s incremental checkpoints. Override sizes with EVENTS and USERS.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-2000000}
USERS=${USERS:-100000}

mvn -o -B -q -pl pipeline -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="pipeline/target/test-classes:pipeline/target/classes:patterns/target/classes:sinks/target/classes:$(cat pipeline/target/bench.classpath)"
FLAGS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
       --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
       --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
       --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED -Xmx4g
       -Dlog4j2.configurationFile=pipeline/src/test/resources/log4j2-test.properties)

run() {
  timeout "$TIMEOUT" java "${FLAGS[@]}" ${JAVA_EXTRA:-} -cp "$CP" io.journeycep.pipeline.bench.VelocityBenchmark "$@" > target/bench-last.log 2>&1 \
    && grep "^RESULT" target/bench-last.log || { echo "FAILED: $* (see target/bench-last.log)"; tail -5 target/bench-last.log; }
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1), $(date -u +%F)"
# EVENTS_100 (default EVENTS) sizes the 100-rule runs; TIMEOUT (s, default 900) bounds each run
EVENTS_100=${EVENTS_100:-$EVENTS}
TIMEOUT=${TIMEOUT:-900}
run 4 hashmap "$EVENTS" "$USERS"
run 4 rocksdb "$EVENTS" "$USERS"
run 100 hashmap "$EVENTS_100" "$USERS"
run 100 rocksdb "$EVENTS_100" "$USERS"
