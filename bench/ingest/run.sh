#!/usr/bin/env bash
# End-to-end ingest benchmark: read → decode → track → (detect) → DuckDB
# store, with `lookout ingest` as a user runs it, on generated NMEA corpora
# of 1 and 10 million lines, with the streaming detectors (the default)
# and without (--no-detect). Reports wall time, observations/s, messages/s,
# CPU time, the hypervisor's steal time and peak RSS per run, and the load
# average around each run. Modes alternate run by run.
# Method and results: docs/BENCHMARKS.md ("Ingest").
#
#   bash bench/ingest/run.sh                 # 1M and 10M lines, both modes
#   SIZES="1000000" MODES=nodetect bash bench/ingest/run.sh
#
# Knobs: SIZES (line counts), SEED (1), RUNS (3 per size and mode),
# MODES ("detect nodetect"), WORK (scratch directory).
set -euo pipefail
cd "$(dirname "$0")/../.."

SIZES=${SIZES:-"1000000 10000000"}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
MODES=${MODES:-"detect nodetect"}
WORK=${WORK:-${TMPDIR:-/tmp}/lookout-ingest-bench}
mkdir -p "$WORK"

go build -o "$WORK/lookout" ./cmd/lookout
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(go version | cut -d' ' -f3)"
echo "date: $(date -u +%F), commit $(git rev-parse --short HEAD)"
# What the machine charges for memory touched the first time: on some VMs
# 10-15 µs a 4 KiB page instead of ~0.5, and an ingest's peak RSS is then
# a large part of its CPU time (see bench/ingest/faultcost).
go build -o "$WORK/faultcost" ./bench/ingest/faultcost
echo "memory: $("$WORK/faultcost")"
# steal: CPU time the hypervisor gave to other guests during the run (a
# shared VM's noise), from /proc/stat, in seconds summed over the cores.
steal() { awk '/^cpu / {print $9}' /proc/stat; }
tick=$(getconf CLK_TCK)
printf '%-9s %-8s %-3s %7s %7s %7s %10s %10s %10s %9s %8s  %s\n' lines mode run wall_s cpu_s steal_s observations obs_per_s msgs_per_s positions peak_MiB load
for n in $SIZES; do
	corpus="$WORK/corpus-$n-seed$SEED.nmea"
	if [ ! -s "$corpus" ]; then
		go run ./bench/decode/gencorpus -n "$n" -seed "$SEED" -o "$corpus" 2>"$corpus.stats"
	fi
	# The generator's count of AIS messages (a two-line type 5 is one).
	msgs=$(sed -n 's/.* bytes, \([0-9]*\) messages.*/\1/p' "$corpus.stats" 2>/dev/null || true)
	# Modes alternate run by run, so that a change in the machine's load
	# weighs on both alike.
	for r in $(seq 1 "$RUNS"); do
		for mode in $MODES; do
			flag=""
			[ "$mode" = nodetect ] && flag="--no-detect"
			db="$WORK/store-$n.duckdb"
			rm -f "$db" "$db.wal"
			log="$WORK/ingest-$n-$mode-$r.log"
			load=$(cut -d' ' -f1 /proc/loadavg)
			st0=$(steal)
			/usr/bin/time -f 'TIME %e %U %S %M' "$WORK/lookout" ingest -q $flag --store "$db" "$corpus" 2>"$log"
			st=$(echo "($(steal) - $st0) / $tick" | bc -l)
			wall=$(awk '/^TIME/ {print $2}' "$log")
			cpu=$(awk '/^TIME/ {print $3 + $4}' "$log")
			rss=$(awk '/^TIME/ {printf "%.0f", $5/1024}' "$log")
			obs=$(sed -n 's/.*lines\/rows, \([0-9]*\) observations.*/\1/p' "$log")
			pos=$(sed -n 's/.* \([0-9]*\) positions stored.*/\1/p' "$log")
			mps="n/a"
			[ -n "$msgs" ] && mps=$(printf '%.0f' "$(echo "$msgs / $wall" | bc -l)")
			printf '%-9s %-8s %-3s %7s %7s %7.2f %10s %10.0f %10s %9s %8s  %s -> %s\n' "$n" "$mode" "$r" "$wall" "$cpu" "$st" "$obs" \
				"$(echo "$obs / $wall" | bc -l)" "$mps" "$pos" "$rss" "$load" "$(cut -d' ' -f1 /proc/loadavg)"
		done
	done
done
