#!/usr/bin/env bash
# Sanctions screening benchmark: Lookout's matcher against moov-io/watchman
# v0.51.0 on the same list files and queries. Method and results:
# docs/BENCHMARKS.md, section "Sanctions screening".
#
#   bash bench/sanctions/run.sh
#
# Knobs (environment): SAMPLE (synthetic queries given to watchman, 400),
# COUNT (runs of each Go benchmark, 3).
set -euo pipefail
cd "$(dirname "$0")/../.."

SAMPLE=${SAMPLE:-400}
COUNT=${COUNT:-3}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; $(go version)"

# The tests: Lookout beats watchman's best F1 on the labelled set, and
# screens 100,000 vessels against 20,000 in under 5 s.
LOOKOUT_BENCH_STRICT=1 go test -count=1 -v -run 'TestEvalVsWatchman|TestScreen100k|TestJaroWinkler' ./bench/sanctions/ | grep -v '^=== RUN'

# Go benchmarks: index build, 100k screening, one query; watchman one query.
go test -run '^$' -bench 'LookoutIndex|LookoutScreen' -benchtime 3x -count "$COUNT" ./bench/sanctions/ | grep -E '^Benchmark|^ok'
go test -run '^$' -bench 'LookoutQuery' -benchtime 20000x -count "$COUNT" ./bench/sanctions/ | grep -E '^Benchmark|^ok'
go test -run '^$' -bench 'WatchmanQuery' -benchtime 50x -count "$COUNT" ./bench/sanctions/ | grep -E '^Benchmark|^ok'

# The markdown tables for docs/BENCHMARKS.md.
go run ./bench/sanctions/compare -sample "$SAMPLE"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
