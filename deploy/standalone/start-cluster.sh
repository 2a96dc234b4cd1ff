#!/usr/bin/env bash
# Starts a standalone Flink session cluster on this machine: one JobManager and one TaskManager, each its own JVM,
# from Maven Central jars (no Flink tarball) and flink-conf/config.yaml. Web UI and REST API: http://localhost:8081
# (FLINK_REST_PORT).
#   deploy/standalone/start-cluster.sh          # then submit.sh …, and stop-cluster.sh
# Env: FLINK_WORK (default deploy/standalone/work), JM_MEMORY / TM_MEMORY (e.g. 1024m / 2048m; default config.yaml's),
#      JAVA (default java; Java 17), FLINK_REST_PORT / FLINK_RPC_PORT (default 8081 / 6123), MVN_FLAGS (e.g. -o).
# Run again while the JobManager is up, it starts only a TaskManager that is not running (after a crash or kill).
set -euo pipefail
source "$(dirname "$0")/common.sh"
mkdir -p "$LIB" "$PLUGINS/metrics-prometheus" "$CONF" "$LOGS"

# 1. Flink's jars, resolved by Maven (once): lib/ as in the distribution, the Prometheus reporter as a plugin.
if [ ! -f "$LIB/flink-runtime-$FLINK_VERSION.jar" ]; then
  echo "resolving Flink $FLINK_VERSION into $LIB"
  mvn -B -ntp -q $MVN_FLAGS -f "$ROOT/deploy/standalone/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$LIB"
fi
if [ ! -f "$PLUGINS/metrics-prometheus/flink-metrics-prometheus-$FLINK_VERSION.jar" ]; then
  mvn -B -ntp -q $MVN_FLAGS -f "$ROOT/deploy/standalone/pom.xml" dependency:copy \
      -Dartifact="org.apache.flink:flink-metrics-prometheus:$FLINK_VERSION" \
      -DoutputDirectory="$PLUGINS/metrics-prometheus"
fi

# 2. conf/: the cluster config (local directories, see common.sh), and a Log4j config writing one file per process.
write_local_config
cat > "$CONF/log4j.properties" <<'LOG4J'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
appender.main.name = MainAppender
appender.main.type = File
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
LOG4J
cp "$CONF/log4j.properties" "$CONF/log4j-cli.properties"

# 3. Memory: the JVM flags and the derived memory settings, computed by Flink itself from config.yaml, as Flink's
#    bin/jobmanager.sh and bin/taskmanager.sh do (BashJavaUtils prints them on lines marked BASH_JAVA_UTILS_EXEC_RESULT:).
resource_params() { # GET_JM_RESOURCE_PARAMS | GET_TM_RESOURCE_PARAMS
  "$JAVA" -cp "$LIB/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$CONF" \
      2>/dev/null | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}
mapfile -t JM_PARAMS < <(resource_params GET_JM_RESOURCE_PARAMS)
mapfile -t TM_PARAMS < <(resource_params GET_TM_RESOURCE_PARAMS)
[ "${#JM_PARAMS[@]}" -ge 2 ] && [ "${#TM_PARAMS[@]}" -ge 2 ] || { echo "BashJavaUtils gave no memory parameters" >&2; exit 1; }
echo "JobManager JVM:  ${JM_PARAMS[0]}"
echo "TaskManager JVM: ${TM_PARAMS[0]}"

start() { # name main-class jvm-params dynamic-configs
  local name=$1 main=$2 jvm=$3 dyn=$4 pidfile="$FLINK_WORK/$1.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "$name already running (pid $(cat "$pidfile"))"; return
  fi
  # shellcheck disable=SC2086  # jvm and dyn are lists of flags, as Flink's scripts pass them
  FLINK_PLUGINS_DIR="$PLUGINS" FLINK_CONF_DIR="$CONF" nohup "$JAVA" $jvm "${JAVA_OPENS[@]}" \
      -Dlog.file="$LOGS/$name.log" -Dlog4j.configurationFile="file:$CONF/log4j.properties" \
      -cp "$LIB/*" "$main" --configDir "$CONF" $dyn > "$LOGS/$name.out" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  echo "started $name (pid $!), log $LOGS/$name.log"
}
start jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "${JM_PARAMS[0]}" "${JM_PARAMS[1]}"
start taskmanager org.apache.flink.runtime.taskexecutor.TaskManagerRunner "${TM_PARAMS[0]}" "${TM_PARAMS[1]}"

# 4. Ready when the REST API reports the TaskManager.
for _ in $(seq 1 60); do
  if curl -fsS http://localhost:$REST_PORT/overview 2>/dev/null | grep -q '"taskmanagers":[1-9]'; then
    echo "cluster up: $(curl -fsS http://localhost:$REST_PORT/overview)"
    exit 0
  fi
  sleep 1
done
echo "the cluster did not come up within 60 s; see $LOGS" >&2
exit 1
