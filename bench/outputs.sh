#!/usr/bin/env bash
# What the full pipeline writes, as fingerprints to compare before and after a change meant only to be faster: for
# each output (alerts by kind, segment changes by action, transition rows) the count and an order-independent 64-bit
# hash of the records' ids (OutputFingerprint). Run it on both commits and diff the FINGERPRINT lines:
#   bash bench/outputs.sh > /tmp/after.txt; git stash; bash bench/outputs.sh > /tmp/before.txt; git stash pop
#   diff <(grep ^FINGERPRINT /tmp/before.txt) <(grep ^FINGERPRINT /tmp/after.txt)
# Sizes: EVENTS (default 1000000) and USERS_LIST (default "100000 1000000"), the suite's; BACKEND rocksdb|hashmap.
set -euo pipefail
EVENTS=${EVENTS:-1000000}
USERS_LIST=${USERS_LIST:-"100000 1000000"}
BACKEND=${BACKEND:-rocksdb}
TIMEOUT=${TIMEOUT:-1800}
source "$(dirname "$0")/lib.sh"
for users in $USERS_LIST; do
  echo "== users=$users events=$EVENTS backend=$BACKEND"
  timeout "$TIMEOUT" java "${FLAGS[@]}" ${JAVA_EXTRA:-} -cp "$CP" io.journeycep.pipeline.bench.WorkflowBenchmark \
    all "$BACKEND" "$EVENTS" "$users" > target/bench-last.log 2>&1 \
    || { echo "FAILED or timed out (see target/bench-last.log)"; tail -5 target/bench-last.log; exit 1; }
  grep -E "^(RESULT|FINGERPRINT)" target/bench-last.log | sed "s/^FINGERPRINT /FINGERPRINT users=$users /"
done
