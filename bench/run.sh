#!/usr/bin/env bash
# bench/run.sh BUILD_DIR — what `make bench` calls. Runs every benchmark built in BUILD_DIR
# with its default sizes, each printing its table (ours, its reference, the ratio).
# Extra arguments for one bench: LOG_BENCH_ARGS, CALENDAR_BENCH_ARGS, DSL_BENCH_ARGS.
# Exits non-zero if any bench fails or if none was built.
set -uo pipefail

build="${1:?usage: bench/run.sh BUILD_DIR}"
bench_dir="$build/bench"
[ -d "$bench_dir" ] || { echo "bench: no $bench_dir (build first: make build)" >&2; exit 1; }

failed=()
ran=0
# Known benches first, in a stable order; then any other *_bench the build produced.
benches=(log_bench calendar_bench dsl_bench)
for f in "$bench_dir"/*_bench; do
  [ -x "$f" ] || continue
  name="$(basename "$f")"
  [[ " ${benches[*]} " == *" $name "* ]] || benches+=("$name")
done

for name in "${benches[@]}"; do
  exe="$bench_dir/$name"
  [ -x "$exe" ] || continue
  var="$(echo "$name" | tr '[:lower:]' '[:upper:]')_ARGS"
  read -r -a args <<<"${!var:-}"
  echo "== $name ${args[*]}"
  start=$(date +%s)
  if "$exe" "${args[@]}"; then
    echo "   ($name: $(( $(date +%s) - start )) s)"
  else
    echo "bench: $name failed (exit $?)" >&2
    failed+=("$name")
  fi
  ran=$((ran + 1))
  echo
done

if [ "$ran" -eq 0 ]; then
  echo "bench: no benchmarks in $bench_dir" >&2
  exit 1
fi
if [ "${#failed[@]}" -gt 0 ]; then
  echo "bench: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "bench: $ran benchmark(s) ran"
