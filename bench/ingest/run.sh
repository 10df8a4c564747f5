#!/usr/bin/env bash
# End-to-end ingest benchmark: read → decode → track → DuckDB store, with
# `lookout ingest` as a user runs it, on generated NMEA corpora of 1 and 10
# million lines. Reports wall time, messages/s and peak RSS per run.
# Method and results: docs/BENCHMARKS.md.
#
#   bash bench/ingest/run.sh            # 1M and 10M lines
#   SIZES="1000000" bash bench/ingest/run.sh
#
# Knobs: SIZES (line counts), SEED (1), RUNS (3 per size), WORK (scratch),
# DETECT (set to 1 to run with the detectors on, when `--detect` exists).
set -euo pipefail
cd "$(dirname "$0")/../.."

SIZES=${SIZES:-"1000000 10000000"}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
WORK=${WORK:-${TMPDIR:-/tmp}/lookout-ingest-bench}
mkdir -p "$WORK"

go build -o "$WORK/lookout" ./cmd/lookout
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(go version | cut -d' ' -f3)"
echo "date: $(date -u +%F)"
printf '%-10s %-4s %10s %12s %12s %10s %10s\n' lines run wall_s messages msgs_per_s positions peak_MiB
for n in $SIZES; do
	corpus="$WORK/corpus-$n-seed$SEED.nmea"
	if [ ! -s "$corpus" ]; then
		go run ./bench/decode/gencorpus -n "$n" -seed "$SEED" -o "$corpus" >/dev/null
	fi
	for r in $(seq 1 "$RUNS"); do
		db="$WORK/store-$n.duckdb"
		rm -f "$db" "$db.wal"
		log="$WORK/ingest-$n-$r.log"
		/usr/bin/time -f 'TIME %e %M' "$WORK/lookout" ingest -q --store "$db" "$corpus" 2>"$log"
		wall=$(awk '/^TIME/ {print $2}' "$log")
		rss=$(awk '/^TIME/ {printf "%.0f", $3/1024}' "$log")
		msgs=$(sed -n 's/.*lines\/rows, \([0-9]*\) observations.*/\1/p' "$log")
		pos=$(sed -n 's/.* \([0-9]*\) positions stored.*/\1/p' "$log")
		printf '%-10s %-4s %10s %12s %12.0f %10s %10s\n' "$n" "$r" "$wall" "$msgs" "$(echo "$msgs / $wall" | bc -l)" "$pos" "$rss"
	done
done
