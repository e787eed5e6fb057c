#!/usr/bin/env bash
# tests/bench/run_overhead.sh [--quick] [--out FILE] [--build DIR] [--runs N] [--forks N] [--timeout S]
#
# What `corelens run` costs a run without crashes: each workload runs directly and under
# `corelens run --`, alternately (so a change in the machine's load hits both alike), and the
# table gives the median wall and CPU time (user + system, of the workload and, under run, of
# corelens too) of each, and their ratio run / direct. Workloads:
#   fork+exec   a shell script starting --forks short processes (/bin/true), one after another
#   fork        the same number of subshells that exit at once (no exec)
#   clone       a program starting 8 threads 500 times (4,000 short threads)
#   threads     a program running 2 threads that compute for about a second (no events at all)
# Under run every fork, clone and exec stops the tracee once for corelens, and every child's
# exit sends its parent a SIGCHLD that stops it once more; between events the tracee runs at
# full speed (no syscall stops).
#
#   --build DIR    the build directory (default ./build); nothing is built here: first run
#                  cmake --build DIR --target corelens corelens-bench
#   --runs N       timed runs per workload and mode (default 5), after one untimed warm-up each
#   --quick        --runs 1; writes no file unless --out is given
#   --out FILE     Markdown results: the "corelens run overhead" section of FILE is replaced
#                  (default for a full run: tests/bench/RESULTS.md; run.sh keeps that section)
#   --forks N      processes started by the fork workloads (default 3000)
#   --timeout S    per run (default 300)
#
# Timings are never asserted: ctest does not run this.
set -euo pipefail
export LC_ALL=C

prog=run_overhead
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
say() { printf '%s: %s\n' "$prog" "$*" >&2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

src_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$src_dir/../.." && pwd)
build=build runs=5 quick=0 out="" forks=3000 timeout_s=300
while (($# > 0)); do
  case $1 in
    --quick) quick=1 ;;
    --out) out=${2:?--out needs a file}; shift ;;
    --build) build=${2:?--build needs a directory}; shift ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --forks) forks=${2:?--forks needs a number}; shift ;;
    --timeout) timeout_s=${2:?--timeout needs seconds}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
((quick)) && runs=1
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number"
[[ $forks =~ ^[1-9][0-9]*$ ]] || die "--forks must be a positive number"
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive number of seconds"
if [[ -z $out && $quick == 0 ]]; then out=$src_dir/RESULTS.md; fi

[[ -d $build ]] || die "no build directory $build (give --build DIR)"
build=$(cd "$build" && pwd)
corelens=$build/cli/corelens
bench_bin=$build/tests/bench
runstat=$bench_bin/runstat
[[ -x $corelens ]] || die "$corelens is missing: cmake --build $build --target corelens"
for p in runstat spawn_threads; do
  [[ -x $bench_bin/$p ]] || die "$bench_bin/$p is missing: cmake --build $build --target corelens-bench"
done
true_bin=$(command -v true)  # the external one: the shell's builtin would not fork
[[ $true_bin == /* ]] || true_bin=/bin/true

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/corelens-overhead.XXXXXX")
trap 'rm -rf -- "$scratch"' EXIT
results=$scratch/results.tsv   # workload direct_wall run_wall direct_cpu run_cpu status
: >"$results"

median() {
  printf '%s\n' "$@" | sort -g |
    awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# timed MODE COMMAND...: one run, prints "WALL CPU"; dies unless it exits 0. Under run,
# --keep-cores goes to the scratch directory, so nothing of the run is left behind.
timed() {
  local mode=$1 line secs rss status cpu; shift
  if [[ $mode == run ]]; then set -- "$corelens" run --keep-cores "$scratch/cores" -- "$@"; fi
  line=$("$runstat" "$timeout_s" "$scratch/out" "$scratch/err" -- "$@")
  read -r secs rss status cpu <<<"$line"
  if [[ $status != exit:0 ]]; then
    sed 's/^/    | /' "$scratch/err" | tail -n 5 >&2
    die "$mode: $* ended with $status"
  fi
  echo "$secs $cpu"
}

# measure NAME COMMAND...: a warm-up of each mode, then $runs pairs, direct and run alternately.
measure() {
  local name=$1; shift
  local i w c dw=() dc=() rw=() rc=()
  printf '%s: %-10s warm-up' "$prog" "$name" >&2
  timed direct "$@" >/dev/null
  timed run "$@" >/dev/null
  for ((i = 0; i < runs; i++)); do
    read -r w c < <(timed direct "$@"); dw+=("$w"); dc+=("$c")
    read -r w c < <(timed run "$@"); rw+=("$w"); rc+=("$c")
    printf ' %.2f/%.2f' "${dw[-1]}" "${rw[-1]}" >&2
  done
  printf '\n' >&2
  if [[ -n $(ls -A "$scratch/cores" 2>/dev/null) ]]; then die "$name: corelens run caught a crash"; fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$(median "${dw[@]}")" "$(median "${rw[@]}")" \
    "$(median "${dc[@]}")" "$(median "${rc[@]}")" >>"$results"
}

declare -A what
what[fork+exec]="\`sh -c\` loop starting $forks \`$true_bin\`"
what[fork]="\`sh -c\` loop of $forks subshells \`( : )\`"
what[clone]="\`spawn_threads 500 8 1000\`: 4,000 threads, 8 at a time"
what[threads]="\`spawn_threads 1 2 300000000\`: 2 threads computing"

measure fork+exec sh -c "i=0; while [ \$i -lt $forks ]; do $true_bin; i=\$((i+1)); done"
measure fork sh -c "i=0; while [ \$i -lt $forks ]; do ( : ); i=\$((i+1)); done"
measure clone "$bench_bin/spawn_threads" 500 8 1000
measure threads "$bench_bin/spawn_threads" 1 2 300000000

table=$(awk -F'\t' -v w="$(for k in fork+exec fork clone threads; do printf '%s=%s\x1f' "$k" "${what[$k]}"; done)" '
  BEGIN { n = split(w, kv, "\x1f"); for (i = 1; i <= n; i++) { p = index(kv[i], "="); d[substr(kv[i], 1, p - 1)] = substr(kv[i], p + 1) } }
  function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
  { printf "| %s | %s | %.3f | %.3f | %s | %.2f | %.2f | %s |\n", $1, d[$1], $2, $3, ratio($3, $2), $4, $5, ratio($5, $4) }
' "$results")
header='| workload | what | direct wall s | run wall s | wall run/direct | direct CPU s | run CPU s | CPU run/direct |
|---|---|---:|---:|---:|---:|---:|---:|'

printf '\n%s\n%s\n' "$header" "$table"

if [[ -n $out ]]; then
  begin='<!-- run-overhead: begin (written by tests/bench/run_overhead.sh; run.sh keeps it) -->'
  end='<!-- run-overhead: end -->'
  section=$(
    printf '%s\n## `corelens run` overhead\n\n' "$begin"
    printf -- '- date: %s; machine: %s CPUs (%s), kernel %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" \
      "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$(uname -r)"
    printf -- '- corelens: %s (%s, %s)\n' "$("$corelens" --version)" \
      "$(git -C "$repo_dir" rev-parse --short HEAD 2>/dev/null || echo '?')" \
      "$(awk -F= '/^CMAKE_BUILD_TYPE:/ { print $2 }' "$build/CMakeCache.txt" 2>/dev/null || echo '?')"
    printf -- '- load average (1, 5, 15 min) at the start: %s; at the end: %s (%s CPUs: above that, other work competed for them)\n' \
      "$load_start" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)"
    printf -- '- %s timed runs per workload and mode after one warm-up each, direct and under `corelens run --` alternately; medians. CPU is user + system time of everything the run waited for (under run: corelens too).\n\n' "$runs"
    printf '%s\n%s\n%s\n' "$header" "$table" "$end"
  )
  printf '%s\n' "$section" >"$scratch/section"
  if [[ -f $out ]] && grep -qF -- "$begin" "$out"; then
    # Replace the old section in place, leave the rest of the file alone.
    awk -v b="$begin" -v e="$end" -v f="$scratch/section" '
      $0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
      skip && $0 == e { skip = 0; next }
      !skip { print }' "$out" >"$scratch/new"
  else
    if [[ -f $out ]]; then { cat -- "$out"; printf '\n'; } >"$scratch/new"; else : >"$scratch/new"; fi
    cat -- "$scratch/section" >>"$scratch/new"
  fi
  mv -f -- "$scratch/new" "$out"
  say "wrote $out"
fi
