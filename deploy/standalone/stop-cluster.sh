#!/usr/bin/env bash
# Stops the processes start-cluster.sh started (by the pids it recorded), TaskManager first.
set -euo pipefail
source "$(dirname "$0")/common.sh"
for name in taskmanager jobmanager; do
  pidfile="$FLINK_WORK/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
done
