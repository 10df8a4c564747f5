#!/usr/bin/env bash
# Distributed ingest benchmark: `lookout worker` throughput with 1 and 2
# workers on NATS JetStream into PostgreSQL/PostGIS, against a
# single-process `lookout ingest` of the same corpus into the same
# PostgreSQL. The corpus is published first (`lookout ingest --bus`), then
# the workers start together and run until the streams are empty
# (--until-empty); throughput is the messages published over the workers'
# wall time, start-up included. Results: docs/SCALE.md.
#
#   bash bench/bus/run.sh                    # 600,000 lines, 1 and 2 workers
#   LINES=100000 WORKERS="1 2 4" bash bench/bus/run.sh
#
# Knobs: LINES (600000, about 540,000 messages), SEED (1), WORKERS ("1 2"),
# RUNS (1 per worker count), PARTITIONS (16), DETECT (1: detectors and the
# spatial encounter stage on, as by default; 0: --no-detect), NATS
# (nats://127.0.0.1:4222), PG (postgres://postgres@127.0.0.1:5432: a
# server where the role may create databases), WORK (scratch directory).
# Needs psql and /usr/bin/time. Creates and drops databases
# lookout_bench_bus_*, and streams BENCH_BUS_* it deletes afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."

LINES=${LINES:-600000}
SEED=${SEED:-1}
WORKERS=${WORKERS:-"1 2"}
RUNS=${RUNS:-1}
PARTITIONS=${PARTITIONS:-16}
DETECT=${DETECT:-1}
NATS=${NATS:-nats://127.0.0.1:4222}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
WORK=${WORK:-${TMPDIR:-/tmp}/lookout-bus-bench}
mkdir -p "$WORK"

go build -o "$WORK/lookout" ./cmd/lookout
go build -o "$WORK/natsctl" ./bench/bus/natsctl
corpus="$WORK/corpus-$LINES-seed$SEED.nmea"
if [ ! -s "$corpus" ]; then
	go run ./bench/decode/gencorpus -n "$LINES" -seed "$SEED" -o "$corpus" >/dev/null
fi
detect=()
if [ "$DETECT" = 0 ]; then detect=(--no-detect); fi

# fresh_db NAME: an empty database with the store's schema.
fresh_db() {
	psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
	: >"$WORK/empty.nmea"
	"$WORK/lookout" ingest -q --store "$PG/$1" "$WORK/empty.nmea" 2>/dev/null >/dev/null
}
positions() { psql -Atq "$PG/$1" -c "SELECT count(*) FROM lookout.positions"; }
now() { date +%s.%N; }
# cpu NAME: CPU seconds used so far by the oldest local process called
# NAME and its reaped children (PostgreSQL's backends), "" if none runs here.
cpu() {
	local pid
	pid=$(pgrep -o -x "$1" || true)
	[ -n "$pid" ] || return 0
	awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14+$15+$16+$17)/hz}' "/proc/$pid/stat"
}
# delta A B: B - A, or - when either is unknown.
delta() { if [ -n "$1" ] && [ -n "$2" ]; then echo "$2 - $1" | bc; else echo -; fi; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(go version | cut -d' ' -f3)"
echo "nats: $(nats-server --version 2>/dev/null || echo '?'); postgres: $(psql -Atq "$PG/postgres" -c 'SHOW server_version')"
echo "date: $(date -u +%F)"
echo "corpus: $corpus ($LINES lines, seed $SEED); partitions $PARTITIONS; detectors $DETECT"
echo "cpu_s: CPU seconds of the Lookout processes, and of the local nats-server and postgres (all their work meanwhile, other users' included)"
printf '%-22s %-4s %10s %10s %12s %10s %10s %8s %8s %8s\n' mode run messages wall_s msgs_per_s positions peak_MiB cpu_s nats_s pg_s

# The reference: one process, the same store engine.
for r in $(seq 1 "$RUNS"); do
	db=lookout_bench_bus_single
	fresh_db $db
	log="$WORK/single-$r.log"
	n0=$(cpu nats-server) p0=$(cpu postgres)
	/usr/bin/time -f 'TIME %e %M %U %S' "$WORK/lookout" ingest -q "${detect[@]}" --store "$PG/$db" "$corpus" 2>"$log"
	sleep 1 # PostgreSQL reaps the backend
	n1=$(cpu nats-server) p1=$(cpu postgres)
	wall=$(awk '/^TIME/ {print $2}' "$log")
	rss=$(awk '/^TIME/ {printf "%.0f", $3/1024}' "$log")
	own=$(awk '/^TIME/ {printf "%.1f", $4+$5}' "$log")
	msgs=$(sed -n 's/.*lines\/rows, \([0-9]*\) observations.*/\1/p' "$log")
	printf '%-22s %-4s %10s %10s %12.0f %10s %10s %8s %8s %8s\n' "ingest (1 process)" "$r" "$msgs" "$wall" "$(echo "$msgs / $wall" | bc -l)" "$(positions $db)" "$rss" "$own" "$(delta "$n0" "$n1")" "$(delta "$p0" "$p1")"
	ref=$(positions $db)
done

for n in $WORKERS; do
	for r in $(seq 1 "$RUNS"); do
		db=lookout_bench_bus_$n
		stream=BENCH_BUS_$$_${n}_$r
		bus="$NATS?stream=$stream&subject=bench_bus_$$_${n}_$r.obs&partitions=$PARTITIONS"
		fresh_db $db
		"$WORK/natsctl" -s "$NATS" rm "$stream"
		plog="$WORK/publish-$n-$r.log"
		n0=$(cpu nats-server)
		/usr/bin/time -f 'TIME %e %M %U %S' "$WORK/lookout" ingest -q --bus "$bus" "$corpus" 2>"$plog"
		n1=$(cpu nats-server)
		pub=$(sed -n 's/^ *\([0-9]*\) published.*/\1/p' "$plog")
		pwall=$(awk '/^TIME/ {print $2}' "$plog")
		printf '%-22s %-4s %10s %10s %12.0f %10s %10s %8s %8s %8s\n' "publish (ingest --bus)" "$r" "$pub" "$pwall" "$(echo "$pub / $pwall" | bc -l)" - \
			"$(awk '/^TIME/ {printf "%.0f", $3/1024}' "$plog")" "$(awk '/^TIME/ {printf "%.1f", $4+$5}' "$plog")" "$(delta "$n0" "$n1")" -
		n0=$(cpu nats-server) p0=$(cpu postgres)
		start=$(now)
		pids=()
		for w in $(seq 1 "$n"); do
			/usr/bin/time -f 'TIME %e %M %U %S' "$WORK/lookout" worker -q --until-empty "${detect[@]}" --id "w$w" --bus "$bus" --store "$PG/$db" 2>"$WORK/worker-$n-$r-$w.log" &
			pids+=($!)
		done
		for p in "${pids[@]}"; do wait "$p"; done
		wall=$(echo "$(now) - $start" | bc -l)
		sleep 1
		n1=$(cpu nats-server) p1=$(cpu postgres)
		rss=$(cat "$WORK"/worker-"$n"-"$r"-*.log | awk '/^TIME/ {m = ($3 > m ? $3 : m)} END {printf "%.0f", m/1024}')
		own=$(cat "$WORK"/worker-"$n"-"$r"-*.log | awk '/^TIME/ {c += $4 + $5} END {printf "%.1f", c}')
		got=$(positions $db)
		printf '%-22s %-4s %10s %10.1f %12.0f %10s %10s %8s %8s %8s\n' "$n worker(s)" "$r" "$pub" "$wall" "$(echo "$pub / $wall" | bc -l)" "$got" "$rss" "$own" "$(delta "$n0" "$n1")" "$(delta "$p0" "$p1")"
		if [ "$got" != "$ref" ]; then
			echo "  positions differ from the single-process ingest ($ref): see $WORK/worker-$n-$r-*.log" >&2
		fi
		"$WORK/natsctl" -s "$NATS" rm "$stream"
	done
done
echo "logs: $WORK"
