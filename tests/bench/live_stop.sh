#!/usr/bin/env bash
# tests/bench/live_stop.sh [--build DIR] [--runs N] [--threads LIST]
#
# How long `corelens analyze --pid` keeps a running process stopped (issue 15 aims at under
# 100 ms for 100 threads): the report's live.stopped_us, from the first thread interrupted to the
# last let go, over N runs (default 10) on threads_1000 parked with 100 and 1000 threads (LIST,
# default "100,1000"), each thread ~25 frames deep in a blocking call. Prints the median, the
# fastest and the slowest run, and the wall time of the whole analysis beside them. Nothing is
# built here: first `cmake --build DIR --target corelens corelens-bench`. Never run by ctest.
set -euo pipefail
export LC_ALL=C
unset DEBUGINFOD_URLS

build=build runs=10 threads=100,1000
while (($# > 0)); do
  case $1 in
    --build) build=${2:?}; shift ;;
    --runs) runs=${2:?}; shift ;;
    --threads) threads=${2:?}; shift ;;
    *) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
  esac
  shift
done
corelens=$build/cli/corelens
prog=$build/tests/bench/threads_1000
[[ -x $corelens && -x $prog ]] || { echo "live_stop: build corelens and corelens-bench in $build first" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '| threads | runs | stopped: median | fastest | slowest | whole analysis: median |\n'
printf '|--------:|-----:|----------------:|--------:|--------:|-----------------------:|\n'
IFS=, read -ra counts <<<"$threads"
for n in "${counts[@]}"; do
  out=$(mktemp)
  "$prog" "$n" 256 park >"$out" &
  pid=$!
  trap 'kill -9 $pid 2>/dev/null; rm -f "$out"' EXIT
  for _ in $(seq 600); do grep -q parked "$out" && break; sleep 0.1; done
  grep -q parked "$out" || { echo "live_stop: threads_1000 $n did not park" >&2; exit 1; }
  stops=() walls=()
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    us=$("$corelens" analyze --format json --pid "$pid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["live"]["stopped_us"])')
    walls+=($(( ($(date +%s%N) - start) / 1000000 )))
    stops+=("$us")
  done
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$out"
  trap - EXIT
  med=$(printf '%s\n' "${stops[@]}" | median)
  lo=$(printf '%s\n' "${stops[@]}" | sort -n | head -1)
  hi=$(printf '%s\n' "${stops[@]}" | sort -n | tail -1)
  wall=$(printf '%s\n' "${walls[@]}" | median)
  awk -v n="$((n + 1))" -v r="$runs" -v m="$med" -v l="$lo" -v h="$hi" -v w="$wall" \
    'BEGIN { printf "| %d | %d | %.1f ms | %.1f ms | %.1f ms | %d ms |\n", n, r, m/1000, l/1000, h/1000, w }'
done
