#!/usr/bin/env bash
# tests/fuzz/run-long.sh [--build DIR] [--hours H] [--targets LIST] [--jobs N] [--corpus DIR]
#
# Fuzzes every libFuzzer target for hours, where ctest runs each for CORELENS_FUZZ_SECONDS only.
# The targets' time is shared out evenly: with --hours 8 and 12 targets, 40 minutes each, JOBS of
# them at once. Each keeps its corpus in CORPUS/<target> between runs (seeded the first time from
# the build's seeds, the sample cores and the committed regressions), and what it finds (crash-*,
# timeout-*, oom-*, leak-*) lands in CORPUS/findings/<target>/. A finding becomes a regression test
# by copying it, renamed after what it broke, into tests/fuzz/regressions/<target>/ (a kernel-dump
# target's: tests/fuzz/kernel/regressions/<target>/; keep it small).
#
#   --build DIR     a build configured with CC=clang-14 CXX=clang++-14 -DCORELENS_FUZZ=ON
#                   -DCORELENS_SANITIZE=address,undefined (default build-sanitize, which
#                   tests/run-all.sh makes); it is built here first
#   --hours H       total fuzzing time (default 8; decimals allowed)
#   --targets LIST  comma-separated subset (default: every corelens_fuzz_* the build has)
#   --jobs N        targets fuzzed at once (default: the number of CPUs)
#   --corpus DIR    where corpora and findings live (default DIR/fuzz-long)
# Exit status: 0 nothing found, 1 something found (listed at the end), 2 usage or build error.
set -euo pipefail

die() { printf 'run-long: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$repo/build-sanitize hours=8 targets="" jobs=$(nproc 2>/dev/null || echo 2) corpus=""
while (($# > 0)); do
  case $1 in
    --build) build=${2:?}; shift ;;
    --hours) hours=${2:?}; shift ;;
    --targets) targets=${2:?}; shift ;;
    --jobs) jobs=${2:?}; shift ;;
    --corpus) corpus=${2:?}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
[[ $hours =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--hours needs a number"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs needs a positive number"
[[ -f $build/CMakeCache.txt ]] || die "no build in $build (configure it as --help says)"
grep -q '^CORELENS_FUZZ:BOOL=ON' "$build/CMakeCache.txt" || die "$build is not a CORELENS_FUZZ=ON build"
build=$(cd "$build" && pwd)
corpus=${corpus:-$build/fuzz-long}

cmake --build "$build" -j "$jobs" >/dev/null || die "the build failed"
# The seeds the ctest fixtures write (synthetic cores, kernel dump heads) and the sample cores.
ctest --test-dir "$build" -R '^(fuzz\.make_seeds|fuzz\.kernel_seeds|sample_cores\.make_auto|kernel_dumps\.make)$' \
  >/dev/null 2>&1 || echo "run-long: some seeds could not be made; fuzzing with what there is" >&2

if [[ -z $targets ]]; then
  targets=$(cd "$build/tests/fuzz" && ls corelens_fuzz_* 2>/dev/null | sed 's/^corelens_fuzz_//' | paste -sd, -)
fi
IFS=, read -r -a list <<<"$targets"
((${#list[@]} > 0)) || die "no fuzz targets in $build/tests/fuzz"
seconds=$(awk -v h="$hours" -v n="${#list[@]}" -v j="$jobs" 'BEGIN { s = h * 3600 * j / n; print (s < 10 ? 10 : int(s)) }')
echo "run-long: ${#list[@]} targets, ${seconds} s each, $jobs at a time; corpora in $corpus"

fuzz_one() {  # target
  local t=$1 bin=$build/tests/fuzz/corelens_fuzz_$1
  [[ -x $bin ]] || { echo "run-long: no target $t" >&2; return 0; }
  local work=$corpus/$t found=$corpus/findings/$t
  mkdir -p "$work" "$found"
  local dirs=("$work")
  for d in "$build/tests/fuzz/seeds/$t" "$build/tests/cores/auto" "$repo/tests/fuzz/regressions/$t" \
           "$repo/tests/fuzz/kernel/regressions/$t"; do
    [[ -d $d ]] && dirs+=("$d")
  done
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS=suppressions=$repo/tests/fuzz/lsan.supp \
    "$bin" -max_total_time="$seconds" -max_len=65536 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$found/" "${dirs[@]}" >"$corpus/$t.log" 2>&1 || true
  echo "run-long: $t done ($(ls "$work" | wc -l) inputs in its corpus, $(ls "$found" | wc -l) findings)"
}

running=0
for t in "${list[@]}"; do
  fuzz_one "$t" &
  if ((++running >= jobs)); then wait -n; ((running--)); fi
done
wait

findings=$(find "$corpus/findings" -type f 2>/dev/null | sort)
if [[ -n $findings ]]; then
  echo "run-long: findings (reproduce with the target and the file; logs in $corpus/<target>.log):"
  printf '  %s\n' $findings
  exit 1
fi
echo "run-long: nothing found"
