#!/usr/bin/env bash
# Submits journey-cep to the running standalone cluster with the Flink CLI (org.apache.flink.client.cli.CliFrontend,
# i.e. `flink run`), detached: the job's main() builds the job here and the cluster runs it.
#   deploy/standalone/submit.sh run --config flink-conf/job.yaml
# The arguments are the job's (journey-cep.jar <verb> …). Env: JOB_JAR (default pipeline/target/journey-cep.jar),
# FLINK_RUN_OPTS (extra `flink run` options, e.g. "-s file:///…/savepoint-…" or "-p 2"); the job's secrets
# (JOURNEY_JDBC_PASSWORD, …) are read from this environment.
set -euo pipefail
source "$(dirname "$0")/common.sh"
JOB_JAR=${JOB_JAR:-$ROOT/pipeline/target/journey-cep.jar}
[ -f "$JOB_JAR" ] || { echo "no $JOB_JAR: build it with mvn -DskipTests package" >&2; exit 1; }
[ -d "$CONF" ] || { echo "no cluster config in $CONF: run start-cluster.sh first" >&2; exit 1; }
# shellcheck disable=SC2086
FLINK_CONF_DIR="$CONF" FLINK_PLUGINS_DIR="$PLUGINS" exec "$JAVA" "${JAVA_OPENS[@]}" \
    -Dlog.file="$LOGS/client.log" -Dlog4j.configurationFile="file:$CONF/log4j-cli.properties" \
    -cp "$LIB/*" org.apache.flink.client.cli.CliFrontend run -d ${FLINK_RUN_OPTS:-} "$JOB_JAR" "$@"
