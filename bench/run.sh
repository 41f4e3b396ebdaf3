#!/usr/bin/env bash
# Runs Vedette's performance benchmarks with repetitions and summarises them
# with benchstat. Figures are only comparable within one run: the references
# (raw JSON decode, goflow2 decode) are measured beside the paths they judge.
#
#   bench/run.sh            # all, 6 repetitions
#   COUNT=10 bench/run.sh   # more repetitions
#   bench/run.sh old.txt    # also compare with an earlier run's raw output
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-6}
out=bench/out
mkdir -p "$out"
raw="$out/$(date -u +%Y%m%dT%H%M%SZ).txt"
benchstat="go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da"

go test -run '^$' -bench 'ActivityPath|Normalize|Pipeline$' -benchtime 5x -count "$count" ./bench | tee "$raw"
go test -run '^$' -bench 'PrincipalState' -benchtime 1x -count "$count" ./internal/baseline | tee -a "$raw"
go test -run '^$' -bench 'FlowPath|Goflow2Decode|StatePerHost' -count "$count" ./internal/netdetect | tee -a "$raw"
go test -run '^$' -bench 'Decode' -count "$count" ./internal/flowsource | tee -a "$raw"

if [ $# -gt 0 ]; then
  $benchstat "$1" "$raw"
else
  $benchstat "$raw"
fi
