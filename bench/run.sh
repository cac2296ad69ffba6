#!/usr/bin/env bash
# bench/run.sh BUILD_DIR — what `make bench` calls. Runs every benchmark built in BUILD_DIR
# (any executable named *_bench: bench/ has the cross-module ones, a module may build its
# own, e.g. dsl/dsl_bench) with its default sizes, each printing its table (ours, its
# reference, the ratio).
# Extra arguments for one bench: LOG_BENCH_ARGS, CALENDAR_BENCH_ARGS, DSL_BENCH_ARGS,
# ENGINE_BENCH_ARGS (its defaults take about 9 minutes on the 2-core machine of
# docs/performance.md; e.g. ENGINE_BENCH_ARGS="--inputs 50000 --timers 20000
# --open-tickets 50000" for a quick look).
# Exits non-zero if any bench fails or if none was built.
set -uo pipefail

build="${1:?usage: bench/run.sh BUILD_DIR}"
[ -d "$build" ] || { echo "bench: no $build (build first: make build)" >&2; exit 1; }

declare -A path=()
while IFS= read -r f; do
  path["$(basename "$f")"]="$f"
done < <(find "$build" -maxdepth 3 -type f -name '*_bench' -perm -u+x -not -path '*/CMakeFiles/*' | sort)

failed=()
ran=0
# Known benches first, in a stable order; then any other the build produced.
order=(log_bench calendar_bench dsl_bench engine_bench)
for name in $(printf '%s\n' "${!path[@]}" | sort); do
  [[ " ${order[*]} " == *" $name "* ]] || order+=("$name")
done

for name in "${order[@]}"; do
  exe="${path[$name]:-}"
  [ -n "$exe" ] || continue
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
  echo "bench: no *_bench executables in $build" >&2
  exit 1
fi
if [ "${#failed[@]}" -gt 0 ]; then
  echo "bench: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "bench: $ran benchmark(s) ran"
