#!/usr/bin/env bash
# bench/scaling.sh BUILD_DIR — what `make bench-scaling` calls: the scaling curve of
# closeloop and the PostgreSQL baseline. For each size in SCALING_EVENTS (log records of
# the mix, default "10000 100000 1000000"): one stream (engine_bench --write-streams), then
# engine_bench (publish fsynced + process on one thread) and pg_bench on it, each followed by
# the latency phase offered onto the state the mix left (--latency-tail: the stream's last
# events at BENCH_LATENCY_RATE/s, 500 by default, for up to SCALING_LATENCY_SECONDS, 20,
# and never more than a fifth of the stream). Then bench/plot_scaling.py draws
# docs/scaling.svg and writes OUT/scaling.json; sizes not measured are drawn as
# extrapolations, marked as such. OUT is BUILD_DIR/bench/scaling unless SCALING_OUT says.
# 10^6 takes ~15 minutes on the 2-core machine; 10^7 several hours (not in the default).
set -uo pipefail

build="${1:?usage: bench/scaling.sh BUILD_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
out="${SCALING_OUT:-$build/bench/scaling}"
points="${SCALING_EVENTS:-10000 100000 1000000}"
rate="${BENCH_LATENCY_RATE:-500}"
max_seconds="${SCALING_LATENCY_SECONDS:-20}"
engine="$(find "$build" -maxdepth 3 -type f -name engine_bench -perm -u+x | head -n 1)"
pg="$(find "$build" -maxdepth 3 -type f -name pg_bench -perm -u+x | head -n 1)"
[ -n "$engine" ] && [ -n "$pg" ] || { echo "scaling: build engine_bench and pg_bench first" >&2; exit 1; }
mkdir -p "$out"

for n in $points; do
  d="$out/$n"
  rm -rf "$d"
  mkdir -p "$d"
  start=$(date +%s)
  "$engine" --write-streams "$d/streams" --inputs "$n" --timers 1000 >"$d/streams.log" 2>&1 ||
    { echo "scaling: writing the $n stream failed"; cat "$d/streams.log"; exit 1; }
  lines=$(wc -l <"$d/streams/mix.jsonl")
  seconds=$(awk -v l="$lines" -v r="$rate" -v m="$max_seconds" 'BEGIN { s = l / 5 / r; print (s < m ? s : m) }')
  echo "== $n log records ($lines events), latency tail $seconds s at $rate/s"
  "$engine" --streams "$d/streams" --no-db-bench --skip threads,replay,timers,subject,memory \
    --latency-tail --latency-rate "$rate" --latency-seconds "$seconds" \
    --json "$d/engine_bench.json" >"$d/engine_bench.log" 2>&1 ||
    { echo "scaling: engine_bench failed"; tail -n 20 "$d/engine_bench.log"; exit 1; }
  "$pg" --streams "$d/streams" --skip replay,timers --latency-tail --latency-rate "$rate" \
    --latency-seconds "$seconds" --json "$d/pg_bench.json" >"$d/pg_bench.log" 2>&1 ||
    { echo "scaling: pg_bench failed"; tail -n 20 "$d/pg_bench.log"; exit 1; }
  rm -rf "$d/streams"/*.jsonl
  echo "$lines" >"$d/events"
  echo "   done in $(( $(date +%s) - start )) s"
done
python3 "$here/plot_scaling.py" "$out" "$here/../docs/scaling.svg"
