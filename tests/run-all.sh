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
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build -G Ninja
# The kernel dumps' downloads (kernels, -dbg packages: ~3 GB on an empty cache) and qemu boots
# start now, niced, beside the build; the kernel_dumps fixtures then find them cached (or wait for
# the run under way). Its log says how long each run took.
setsid nice -n 10 build/tests/kernel/prepare-kernel-dumps.sh > build/prepare-kernel-dumps.log 2>&1 &
prepare=$!
trap 'kill -- -$prepare 2>/dev/null || true' EXIT   # its own process group: qemu included
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"
wait $prepare || true
cat build/prepare-kernel-dumps.log

if [[ ${1:-} == --no-sanitize ]]; then exit 0; fi

# The sanitized build shares the sample cores' recipe but makes its own (its own build tree).
# It runs its tests on the samples gcc built above (CORELENS_SAMPLES_FROM): their expectations are
# gcc's code; the clang_* samples cover clang's.
CC=clang-14 CXX=clang++-14 cmake -S . -B build-sanitize -G Ninja \
  -DCORELENS_SANITIZE=address,undefined -DCORELENS_FUZZ=ON -DCORELENS_BUILD_GUI=OFF \
  -DCORELENS_SAMPLES_FROM="$PWD/build/samples"
cmake --build build-sanitize -j "$jobs"
# detect_leaks: our code must not leak; the suppressions name third-party allocations only.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-sanitize --output-on-failure -j "$jobs"
