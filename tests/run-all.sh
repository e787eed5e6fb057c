#!/usr/bin/env bash
# Every test corelens has (the README's test command calls this):
#   1. the normal build (g++, warnings as errors under CI) and its whole ctest suite: unit tests on
#      synthetic cores, integration tests on real sample cores, comparisons with eu-stack and gdb,
#      JSON schema validation, fuzz-regression replays;
#   2. a clang build of the libraries, the CLI and the tests with AddressSanitizer and
#      UndefinedBehaviorSanitizer, whose ctest suite runs everything again sanitized (on the
#      samples gcc built in 1) and runs each libFuzzer target for a bounded time
#      (CORELENS_FUZZ_SECONDS, default 20). `tests/run-all.sh --no-sanitize` stops after 1.
# Isolated analyses (triage, analyze --isolate) apply no RLIMIT_AS under ASan, whose shadow
# memory such a limit would starve (cli/isolation.cpp); the time limits still hold.
#
# After each pass, tests/skip_summary.py reads ctest's JUnit output and prints how many tests ran,
# passed, failed and were skipped, and each skip with its reason; the run ends with the line
# `skipped: N expected, M unexpected` and fails when a test failed or M > 0. A skip is expected
# when tests/expected-skips.txt lists it, or when it is opted out: a test that cannot run for want
# of something .ci/install-deps installs fails, unless CORELENS_SKIP (e.g. CORELENS_SKIP=gui,kernel;
# the areas are in tests/expected-skips.txt) names it; CI sets no CORELENS_SKIP.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
expected=tests/expected-skips.txt
passes=()   # LABEL=JUNIT of the passes that ran, for the totals
status=0

# ctest of one build, its JUnit written next to it, then that pass's summary.
run_pass() {  # LABEL BUILD_DIR
  local label=$1 dir=$2
  rm -f "$dir/junit.xml"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" --output-junit junit.xml || status=1
  passes+=("$label=$dir/junit.xml")
  echo
  /usr/bin/python3 tests/skip_summary.py "$expected" "$label=$dir/junit.xml" || status=1
  if [[ $status != 0 ]]; then say_disk; fi
}

# The totals over every pass: the last lines of the run.
finish() {
  echo
  echo "== all passes =="
  /usr/bin/python3 tests/skip_summary.py --totals "$expected" "${passes[@]}" || status=1
  exit $status
}

if [[ -n ${CORELENS_SKIP:-} ]]; then
  echo "run-all: CORELENS_SKIP=$CORELENS_SKIP: the tests that need what it names are skipped, not failed"
fi

# Disk: a full disk shows up only as a linker's or a compressor's "No space left on device" deep
# in the log, so the free space is said first, and again when a pass fails. Measured need (both
# build trees, the sample cores, the kernel dump cache filled from empty): about 20 GB.
disk_free() {  # the free GiB on the file system holding $1
  df -P -BG "$1" 2>/dev/null | awk 'NR == 2 { sub(/G$/, "", $4); print $4 }'
}
say_disk() {
  local here cache=${XDG_CACHE_HOME:-$HOME/.cache}
  here=$(disk_free .)
  echo "run-all: disk: ${here:-?} GiB free here, $(disk_free "$cache" || true) GiB under $cache"
  if [[ -n $here && $here -lt 20 ]]; then
    echo "run-all: warning: the whole run needs about 20 GiB of disk; tests may fail for want of it" >&2
  fi
}
say_disk

cmake -S . -B build -G Ninja
# The kernel dumps' downloads (kernels, -dbg packages: ~3 GB on an empty cache) and qemu boots
# start now, niced, beside the build; the kernel_dumps fixtures then find them cached (or wait for
# the run under way). Its log says how long each run took.
setsid nice -n 10 build/tests/kernel/prepare-kernel-dumps.sh > build/prepare-kernel-dumps.log 2>&1 &
prepare=$!
trap 'kill -- -$prepare 2>/dev/null || true' EXIT   # its own process group: qemu included
cmake --build build -j "$jobs" || { say_disk; exit 1; }
run_pass g++ build
wait $prepare || true
cat build/prepare-kernel-dumps.log

if [[ ${1:-} == --no-sanitize || $status != 0 ]]; then finish; fi

# The sanitized pass needs clang-14 (and its sanitizer runtimes, libclang-rt-14-dev). Without it
# the run fails, unless CORELENS_SKIP names clang: then the pass counts as one opted-out skip.
if ! command -v clang-14 >/dev/null || ! command -v clang++-14 >/dev/null; then
  why="the sanitized pass needs clang-14 (Debian package clang-14), which is not installed"
  . tests/support/opt-out.sh
  if ! opted_out clang; then
    echo "run-all: $why (.ci/install-deps installs it; CORELENS_SKIP=clang opts out)" >&2
    status=1
    finish
  fi
  mkdir -p build-sanitize
  cat >build-sanitize/junit.xml <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="sanitize" tests="1"><testcase name="the sanitized pass" status="notrun"><skipped message="opted out"/><system-out>opted out (CORELENS_SKIP=clang): $why</system-out></testcase></testsuite>
EOF
  passes+=("sanitize=build-sanitize/junit.xml")
  finish
fi

# The sanitized build shares the sample cores' recipe but makes its own (its own build tree).
# It runs its tests on the samples gcc built above (CORELENS_SAMPLES_FROM): their expectations are
# gcc's code; the clang_* samples cover clang's.
CC=clang-14 CXX=clang++-14 cmake -S . -B build-sanitize -G Ninja \
  -DCORELENS_SANITIZE=address,undefined -DCORELENS_FUZZ=ON -DCORELENS_BUILD_GUI=OFF \
  -DCORELENS_SAMPLES_FROM="$PWD/build/samples"
cmake --build build-sanitize -j "$jobs" || { say_disk; exit 1; }
# detect_leaks: our code must not leak; the suppressions name third-party allocations only.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_pass sanitize build-sanitize
finish
