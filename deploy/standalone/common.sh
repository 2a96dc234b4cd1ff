# Shared by start-cluster.sh, stop-cluster.sh and submit.sh (sourced, not run).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Where the cluster lives: lib/, plugins/, conf/, logs, pid files, checkpoints (default deploy/standalone/work).
FLINK_WORK=${FLINK_WORK:-$ROOT/deploy/standalone/work}
LIB=$FLINK_WORK/lib
PLUGINS=$FLINK_WORK/plugins
CONF=$FLINK_WORK/conf
LOGS=$FLINK_WORK/log
JAVA=${JAVA:-java}
# Ports: the REST API / web UI and the JobManager's RPC endpoint (Flink's defaults; a test picks free ones so it does
# not collide with another cluster on the machine). TaskManager, blob and data ports are chosen by Flink (any free).
REST_PORT=${FLINK_REST_PORT:-8081}
RPC_PORT=${FLINK_RPC_PORT:-6123}
# Extra Maven flags for resolving the jars, e.g. MVN_FLAGS=-o when ~/.m2 already holds them.
MVN_FLAGS=${MVN_FLAGS:-}
FLINK_VERSION=$(sed -n 's:.*<flink.version>\(.*\)</flink.version>.*:\1:p' "$ROOT/pom.xml" | head -1)
# Flink's own env.java.opts.all default for Java 17 (its config.yaml): the module openings Kryo, the RPC system
# and the state backends need.
JAVA_OPENS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
  --add-opens=java.sql/java.sql=ALL-UNNAMED
)
# conf/config.yaml is flink-conf/config.yaml with what only makes sense on this machine replaced: local directories
# instead of shared storage, and memory sizes that can be lowered for a laptop (JM_MEMORY, TM_MEMORY; default
# config.yaml's). Every other setting is the cluster config's, unchanged; the CLI reads the same file.
write_local_config() {
  sed -e "s|^execution.checkpointing.dir: .*|execution.checkpointing.dir: file://$FLINK_WORK/checkpoints|" \
      -e "s|^execution.checkpointing.savepoint-dir: .*|execution.checkpointing.savepoint-dir: file://$FLINK_WORK/savepoints|" \
      -e "s|^process.taskmanager.working-dir: .*|process.taskmanager.working-dir: $FLINK_WORK/tm-working-dir|" \
      ${JM_MEMORY:+-e "s|^jobmanager.memory.process.size: .*|jobmanager.memory.process.size: $JM_MEMORY|"} \
      ${TM_MEMORY:+-e "s|^taskmanager.memory.process.size: .*|taskmanager.memory.process.size: $TM_MEMORY|"} \
      "$ROOT/flink-conf/config.yaml" > "$CONF/config.yaml"
  # where the processes find each other: config.yaml leaves that to each cluster (the operator sets it on Kubernetes)
  printf '%s\n' '' '# standalone on one machine (deploy/standalone/common.sh)' \
      'jobmanager.rpc.address: localhost' 'jobmanager.bind-host: localhost' \
      'taskmanager.host: localhost' 'taskmanager.bind-host: localhost' \
      'rest.address: localhost' 'rest.bind-address: localhost' \
      "rest.port: $REST_PORT" "jobmanager.rpc.port: $RPC_PORT" >> "$CONF/config.yaml"
}
