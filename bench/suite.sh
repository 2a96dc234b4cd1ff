#!/usr/bin/env bash
# Issue 7's benchmark suite (docs/BENCHMARKS.md "Benchmark suite"): pass-through against the full pipeline for each
# user count, the same pair at parallelism PARALLELISM for the first user count (issue 14: how the job scales on this
# machine, events/s per core), the replay verb over the same events as a JSON-lines file for each user count against
# the full pipeline's streaming rate (issue 14: completes, at no less than that rate), the CEP stage against vanilla
# Flink CEP, event → alert latency at half load, state bytes per active user and checkpoint durations; every
# measurement in its own JVM (BenchmarkSuite forks them; the replay verb runs in a JVM of its own as a user runs it).
# It rewrites only the part of docs/BENCHMARKS.md between <!-- suite:begin --> and <!-- suite:end --> (or OUT=file).
# The replay inputs stay in target/bench-suite/replay-<EVENTS>-events-<users>-users.jsonl (about 180-200 MB per million
# events), rewritten on every run.
#
# Sizes (defaults; QUICK=1 gives a smoke run of a few minutes, whose numbers mean nothing):
#   EVENTS=1000000 USERS_LIST="100000 1000000"   throughput, replay, state and checkpoint runs (QUICK: 100000,
#                                                 "10000 100000"); the replay file has EVENTS lines per user count
#   PARALLELISM=2                                 parallelism of the scaling pair (pass-through and full pipeline at the
#                                                 first user count; must divide EVENTS); 1 leaves the pair out
#   CEP_EVENTS=60000 CEP_USERS=100000             CEP comparison (vanilla CEP on RocksDB runs at a few hundred events/s)
#   LATENCY_SECONDS=120 LATENCY_USERS=<first of USERS_LIST>   latency run at half the full pipeline's rate at the first
#                                                 user count (or LATENCY_RATE events/s)
#   TIMEOUT=1800                                  seconds per measurement before it is reported as unfinished
set -euo pipefail
source "$(dirname "$0")/lib.sh"   # builds the test classes, sets CP and FLAGS, cds to the repository
OUT=${OUT:-docs/BENCHMARKS.md}
mkdir -p target/bench-suite
java "${FLAGS[@]}" ${JAVA_EXTRA:-} -cp "$CP" io.journeycep.pipeline.bench.BenchmarkSuite "$OUT" \
  | tee target/bench-suite/suite.log
