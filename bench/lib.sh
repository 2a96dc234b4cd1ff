# Shared by the bench/*.sh scripts (source it): builds the test classes, sets CP and FLAGS, and defines
# `bench MAIN_CLASS ARGS…`, which runs one benchmark in its own JVM (bounded by TIMEOUT seconds, default 900; extra JVM
# flags in JAVA_EXTRA) and prints its RESULT line, and `machine`, which prints the machine line of docs/BENCHMARKS.md.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TIMEOUT=${TIMEOUT:-900}

mvn -B -q -pl pipeline -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="pipeline/target/test-classes:pipeline/target/classes:patterns/target/classes:sinks/target/classes:$(cat pipeline/target/bench.classpath)"
FLAGS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
       --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
       --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
       --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED -Xmx4g
       -Dlog4j2.configurationFile=pipeline/src/test/resources/log4j2-test.properties)

bench() {
  local main=$1
  shift
  timeout "$TIMEOUT" java "${FLAGS[@]}" ${JAVA_EXTRA:-} -cp "$CP" "io.journeycep.pipeline.bench.$main" "$@" \
    > target/bench-last.log 2>&1 \
    && grep "^RESULT" target/bench-last.log \
    || { echo "FAILED or timed out: $main $* (see target/bench-last.log)"; tail -5 target/bench-last.log; }
}

machine() {
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1), $(date -u +%F)"
}
