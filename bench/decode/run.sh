#!/usr/bin/env bash
# Decode benchmark: Lookout vs go-ais vs a checksum scan (in process), and
# `lookout decode --json` vs gpsdecode (whole process), on one core.
# Method and results: docs/BENCHMARKS.md.
#
#   bash bench/decode/run.sh
#
# Knobs (environment): LINES (1000000), SEED (1), COUNT (5 runs of each Go
# benchmark), BENCHTIME (3x passes per run), RUNS (3 runs of each process),
# WORK (scratch dir), LOOKOUT_BENCH_CORPUS (use this corpus file),
# PROFILE=1 (also CPU-profile the Lookout benchmark and print its top).
set -euo pipefail
cd "$(dirname "$0")/../.."

LINES=${LINES:-1000000}
SEED=${SEED:-1}
COUNT=${COUNT:-5}
BENCHTIME=${BENCHTIME:-3x}
RUNS=${RUNS:-3}
WORK=${WORK:-${TMPDIR:-/tmp}/lookout-decode-bench}
# The corpus is kept between runs; delete it after changing the generator.
CORPUS=${LOOKOUT_BENCH_CORPUS:-$WORK/corpus-$LINES-seed$SEED.nmea}
mkdir -p "$WORK"

if [ ! -s "$CORPUS" ]; then
	echo "generating $CORPUS"
	go run ./bench/decode/gencorpus -n "$LINES" -seed "$SEED" -o "$CORPUS"
fi
BYTES=$(stat -c %s "$CORPUS")
NLINES=$(wc -l <"$CORPUS")
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg) # other work on the machine skews wall times

# One core: GOMAXPROCS=1 keeps the Go runtime (GC included) on one P, and
# taskset keeps every process on the same CPU so runs compare.
export GOMAXPROCS=1
PIN=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
	PIN=(taskset -c 0)
fi

# GNU time gives peak RSS; Debian ships it as the package "time".
if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" = 0 ]; then apt-get install -y -q time >/dev/null || true; fi
fi

# --- in-process Go benchmarks -------------------------------------------
go test -c -o "$WORK/decode.test" ./bench/decode
echo "== go benchmarks (${PIN[*]:-unpinned}, GOMAXPROCS=1, count=$COUNT, benchtime=$BENCHTIME)"
LOOKOUT_BENCH_CORPUS=$CORPUS "${PIN[@]}" "$WORK/decode.test" -test.run '^$' -test.bench . \
	-test.benchmem -test.count "$COUNT" -test.benchtime "$BENCHTIME" | tee "$WORK/go-bench.txt"

if [ "${PROFILE:-0}" = 1 ]; then
	LOOKOUT_BENCH_CORPUS=$CORPUS "${PIN[@]}" "$WORK/decode.test" -test.run '^$' -test.bench '^BenchmarkLookout$' \
		-test.benchtime 10x -test.cpuprofile "$WORK/lookout.cpu" >/dev/null
	# Focus on the timed pass; loading the corpus is profiled too.
	go tool pprof -top -nodecount 25 -focus 'BenchmarkLookout.func' "$WORK/decode.test" "$WORK/lookout.cpu" 2>/dev/null | sed -n '1,32p'
fi

# --- whole processes ----------------------------------------------------
# proc NAME LABEL CMD...: runs CMD (stdin: the corpus, stdout: /dev/null) RUNS
# times, then once more into `wc -l` to count the messages (JSON lines) it
# printed, and appends a summary row: messages per wall second and per CPU
# second (medians), MB/s and the largest peak RSS.
proc() {
	local name=$1 label=$2
	shift 2
	local i wall=() cpu=() rss=0 w u s m n
	for ((i = 0; i < RUNS; i++)); do
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" "${PIN[@]}" "$@" <"$CORPUS" >/dev/null 2>"$WORK/$name.err" || return 1
			read -r w u s m <"$WORK/time.txt"
			cpu+=("$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')")
			if ((m > rss)); then rss=$m; fi
		else # no GNU time: wall time only
			s=$EPOCHREALTIME
			"${PIN[@]}" "$@" <"$CORPUS" >/dev/null 2>"$WORK/$name.err" || return 1
			w=$(awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
		fi
		wall+=("$w")
	done
	n=$("${PIN[@]}" "$@" <"$CORPUS" 2>/dev/null | wc -l)
	w=$(median "${wall[@]}")
	u=$(median "${cpu[@]}")
	echo "$label: $n messages, ${w}s wall, ${u:-?}s CPU (medians of $RUNS)"
	awk -v l="$label" -v n="$n" -v w="$w" -v c="$u" -v by="$BYTES" -v r="$rss" 'BEGIN {
		printf "%s\t%.0f\t%s\t%.1f\t-\t%s\n", l, n / w, (c > 0 ? sprintf("%.0f", n / c) : "-"), by / w / 1e6, (r > 0 ? sprintf("%.0f MB", r / 1024) : "-") }' >>"$SUMMARY"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

# Summary rows: label, msgs/s, msgs/cpu-s, MB/s, allocs/msg, peak RSS. The
# Go rows are medians over the -count runs; the whole test binary holds the
# corpus in memory, so its RSS says nothing about a decoder.
SUMMARY=$WORK/summary.tsv
awk -v OFS='\t' '
	/^Benchmark/ {
		name = $1
		for (i = 3; i < NF; i++) {
			if ($(i+1) == "msgs/s") m[name] = m[name] " " $i
			if ($(i+1) == "msgs/cpu-s") c[name] = c[name] " " $i
			if ($(i+1) == "MB/s") b[name] = b[name] " " $i
			if ($(i+1) == "allocs/msg") a[name] = a[name] " " $i
		}
	}
	function median(s,   v, n, i, j, t) {
		n = split(s, v, " ")
		if (n == 0) return "-"
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
		return v[int((n + 1) / 2)]
	}
	END { for (k in m) print k, median(m[k]), median(c[k]), median(b[k]), median(a[k]), "-" }
' "$WORK/go-bench.txt" | sort >"$SUMMARY"

echo "== processes"
if go build -o "$WORK/lookout" ./cmd/lookout 2>"$WORK/build.err" &&
	proc lookout "lookout decode --json" "$WORK/lookout" decode --json "$CORPUS"; then :; else
	echo "lookout decode --json: n/a (see $WORK/build.err, $WORK/lookout.err)"
	printf 'lookout decode --json\tn/a\tn/a\tn/a\tn/a\tn/a\n' >>"$SUMMARY"
fi
# --split24 prints each type 24 part as it comes, as Lookout does; by
# default gpsdecode holds part A back until part B of the same MMSI arrives
# and prints one merged line, which would undercount its messages.
if command -v gpsdecode >/dev/null && proc gpsdecode "gpsdecode --split24 (JSON)" gpsdecode --split24; then :; else
	echo "gpsdecode: n/a"
	printf 'gpsdecode --split24 (JSON)\tn/a\tn/a\tn/a\tn/a\tn/a\n' >>"$SUMMARY"
fi

# --- summary ------------------------------------------------------------
echo
echo "== summary: $CORPUS ($NLINES lines, $BYTES bytes), one core; load average before: $LOAD0, after: $(cut -d' ' -f1-3 /proc/loadavg)"
{
	printf 'decoder\tmsgs/s\tmsgs/cpu-s\tMB/s\tallocs/msg\tpeak RSS\n'
	cat "$SUMMARY"
} >"$WORK/table.tsv"
column -t -s $'\t' -R 2,3,4,5,6 "$WORK/table.tsv" 2>/dev/null || cat "$WORK/table.tsv"

# Targets from the issue, by wall time and by CPU time.
ratio() { # LABEL ROW-A ROW-B WANT
	awk -F'\t' -v l="$1" -v x="$2" -v y="$3" -v w="$4" '
		$1 == x { a1 = $2; a2 = $3 } $1 == y { b1 = $2; b2 = $3 }
		function r(a, b) { return (a + 0 > 0 && b + 0 > 0) ? sprintf("%.2fx", a / b) : "n/a" }
		END { printf "%-44s %7s wall, %7s CPU (target >= %sx)\n", l, r(a1, b1), r(a2, b2), w }' "$SUMMARY"
}
echo
ratio "Lookout / go-ais fast (in process)" BenchmarkLookout BenchmarkGoAIS 3
ratio "lookout decode --json / gpsdecode (process)" "lookout decode --json" "gpsdecode --split24 (JSON)" 4
