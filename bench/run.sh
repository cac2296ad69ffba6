#!/usr/bin/env bash
# bench/run.sh BUILD_DIR — what `make bench` calls: the whole suite at its default scale,
# about 10-12 minutes on the 2-core machine of docs/performance.md when nobody else is
# using it. One workload stream (engine_bench --write-streams) feeds both closeloop
# (engine_bench) and the PostgreSQL baseline (pg_bench); every *_bench built in BUILD_DIR
# runs once, its own output going to OUT/<name>.log; then bench/report.py prints ONE table
# and writes OUT/results.json and OUT/table.md. OUT is BUILD_DIR/bench/results unless
# BENCH_OUT says otherwise.
# Scale (environment): BENCH_EVENTS (mix log records, default 100000), BENCH_TIMERS
# (simultaneous deadlines, 100000), BENCH_OPEN_TICKETS (100000), BENCH_LATENCY_RATE
# (events/s offered, 500), BENCH_LATENCY_SECONDS (40). Extra arguments for one bench:
# LOG_BENCH_ARGS, CALENDAR_BENCH_ARGS, DSL_BENCH_ARGS, ENGINE_BENCH_ARGS, PG_BENCH_ARGS.
# Exits non-zero if any bench fails or if none was built.
set -uo pipefail

build="${1:?usage: bench/run.sh BUILD_DIR}"
[ -d "$build" ] || { echo "bench: no $build (build first: make build)" >&2; exit 1; }
here="$(cd "$(dirname "$0")" && pwd)"
out="${BENCH_OUT:-$build/bench/results}"
events="${BENCH_EVENTS:-100000}"
timers="${BENCH_TIMERS:-100000}"
open_tickets="${BENCH_OPEN_TICKETS:-100000}"
rate="${BENCH_LATENCY_RATE:-500}"
seconds="${BENCH_LATENCY_SECONDS:-40}"
rm -rf "$out"
mkdir -p "$out"

declare -A path=()
while IFS= read -r f; do
  path["$(basename "$f")"]="$f"
done < <(find "$build" -maxdepth 3 -type f -name '*_bench' -perm -u+x -not -path '*/CMakeFiles/*' | sort)

failed=()
ran=0
suite_start=$(date +%s)
# run NAME ARGS...: the bench's output to OUT/NAME.log, a line on the terminal.
run() {
  local name="$1"; shift
  local exe="${path[$name]:-}"
  if [ -z "$exe" ]; then
    echo "== $name: not built, skipped"
    return
  fi
  local var extra
  var="$(echo "$name" | tr '[:lower:]' '[:upper:]')_ARGS"
  read -r -a extra <<<"${!var:-}"
  printf '== %-15s ' "$name"
  local start=$(date +%s)
  if "$exe" "$@" "${extra[@]}" >"$out/$name.log" 2>&1; then
    echo "done in $(( $(date +%s) - start )) s ($out/$name.log)"
  else
    echo "FAILED (exit $?) after $(( $(date +%s) - start )) s; last lines of $out/$name.log:"
    tail -n 15 "$out/$name.log" | sed 's/^/   /'
    failed+=("$name")
  fi
  ran=$((ran + 1))
}

if [ -n "${path[engine_bench]:-}" ]; then
  printf '== %-15s ' "streams"
  if "${path[engine_bench]}" --write-streams "$out/streams" --inputs "$events" --timers "$timers" \
      >"$out/streams.log" 2>&1; then
    echo "$(wc -l <"$out/streams/mix.jsonl") mix events, $(wc -l <"$out/streams/timers.jsonl") timer-phase events ($out/streams)"
  else
    echo "FAILED"; cat "$out/streams.log"; failed+=(streams)
  fi
fi

run log_bench
run calendar_bench
run dsl_bench
run engine_bench --streams "$out/streams" --open-tickets "$open_tickets" --skip subject \
  --latency-rate "$rate" --latency-seconds "$seconds" --json "$out/engine_bench.json"
run pg_bench --streams "$out/streams" --latency-rate "$rate" --latency-seconds "$seconds" \
  --json "$out/pg_bench.json"
run http_bench --json "$out/http_bench.json"
for name in $(printf '%s\n' "${!path[@]}" | sort); do
  case " log_bench calendar_bench dsl_bench engine_bench pg_bench http_bench " in
    *" $name "*) ;;
    *) run "$name" ;;
  esac
done

if [ "$ran" -eq 0 ]; then
  echo "bench: no *_bench executables in $build" >&2
  exit 1
fi
echo "bench: $ran benchmark(s) in $(( $(date +%s) - suite_start )) s"
echo
python3 "$here/report.py" "$out" || failed+=(report)
if [ "${#failed[@]}" -gt 0 ]; then
  echo "bench: FAILED: ${failed[*]}" >&2
  exit 1
fi
