#!/usr/bin/env bash
# Issue 7's benchmark suite (docs/BENCHMARKS.md "Benchmark suite"): pass-through against the full pipeline for each
# user count, the CEP stage against vanilla Flink CEP, event → alert latency at half load, state bytes per active user
# and checkpoint durations; every measurement in its own JVM (BenchmarkSuite forks them). It rewrites only the part of
# docs/BENCHMARKS.md between <!-- suite:begin --> and <!-- suite:end --> (or OUT=file).
#
# Sizes (defaults; QUICK=1 gives a smoke run of a few minutes, whose numbers mean nothing):
#   EVENTS=1000000 USERS_LIST="100000 1000000"   throughput, state and checkpoint runs (QUICK: 100000, "10000 100000")
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
