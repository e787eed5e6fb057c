#!/usr/bin/env bash
# make-cross-cores OUTDIR [ARCH...]
#
# Real cores of other architectures: cross-compiles some of the sample programs with Debian's
# cross compilers and crashes them under qemu-user, which writes the core (qemu_<prog>_<date>_<pid>.core
# in its working directory). ARCH is aarch64, arm, i386, ppc64le or s390x (default: all); an
# architecture whose compiler (<triple>-gcc), C library (/usr/<triple>) or qemu-<arch> is not
# installed is left out, and so is a C++ sample without <triple>-g++; the script then fails
# (exit 1), naming what is missing, unless CORELENS_SKIP (comma-separated) names `cross`: then it
# makes what it can and exits 77, the skip status ctest is told about (tests/expected-skips.txt).
#   OUTDIR/ARCH/NAME        the executable (PIE, -g, linked with -z separate-code, see below)
#   OUTDIR/ARCH/NAME.core   its core
#   OUTDIR/ARCH/NAME.log    what the program and qemu printed
#   OUTDIR/ARCH/built       the samples made for ARCH, one per line; absent when ARCH was left out
#   OUTDIR/ARCH/sysroot     the sysroot it ran in (/usr/<triple>)
#
# Samples: null_read, assert_fail, threads_blocked (12 threads), stack_overflow (a 2 MiB stack
# overflowing after ~30 frames of 64 KiB), inlined_c (-O2, three levels inlined), no_unwind_info
# built with frame pointers (no_unwind_info_fp) and without (no_unwind_info_nofp), both without
# any CFI, and null_read_joined: null_read linked without -z separate-code, so that the core does
# not hold its program headers (qemu-user saves no executable mapping that starts with an ELF
# header); and uncaught_exception (C++: a std::runtime_error nobody catches), built only where
# Debian's <triple>-g++ is installed (g++-<triple>).
#
# Cores are cached: a sample is rebuilt and crashed again only when its source or this script is
# newer than its core (CORELENS_CORES_FORCE=1 redoes all). qemu-user itself would also dump core
# (it crashes on the guest's signal once the guest core is written): its own core is kept to a
# few KiB with coredump_filter 0 and removed.
set -euo pipefail

prog=make-cross-cores
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
case ${1:-} in
  -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
  '') sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script="$src/$(basename "${BASH_SOURCE[0]}")"
outdir=$1; shift
archs=("$@")
((${#archs[@]} > 0)) || archs=(aarch64 arm i386 ppc64le s390x)
force=${CORELENS_CORES_FORCE:-0}
run_timeout=${CORELENS_CORES_TIMEOUT:-60}

triple_of() {
  case $1 in
    aarch64) echo aarch64-linux-gnu ;;
    arm) echo arm-linux-gnueabihf ;;
    i386) echo i686-linux-gnu ;;
    ppc64le) echo powerpc64le-linux-gnu ;;
    s390x) echo s390x-linux-gnu ;;
    *) die "unknown architecture '$1' (known: aarch64 arm i386 ppc64le s390x)" ;;
  esac
}

samples=(null_read assert_fail threads_blocked stack_overflow inlined_c no_unwind_info_fp no_unwind_info_nofp
         null_read_joined uncaught_exception)
source_of() {
  case $1 in
    no_unwind_info_*) echo no_unwind_info.c ;;
    null_read_joined) echo null_read.c ;;
    uncaught_exception) echo "$1.cpp" ;;
    *) echo "$1.c" ;;
  esac
}
compiler_of() {  # TRIPLE NAME
  case $2 in
    uncaught_exception) echo "$1-g++" ;;
    *) echo "$1-gcc" ;;
  esac
}
# The samples' own flags, as samples/CMakeLists.txt gives them, plus -z separate-code: it gives the
# executable's headers a mapping of their own that is not executable, which qemu-user saves.
flags_of() {
  local common=(-g -fPIE -pie -Wall -Wextra)
  case $1 in
    inlined_c) echo "${common[@]} -O2 -Wl,-z,separate-code" ;;
    threads_blocked) echo "${common[@]} -O0 -pthread -Wl,-z,separate-code" ;;
    stack_overflow) echo "${common[@]} -O0 -Wno-infinite-recursion -Wl,-z,separate-code" ;;
    no_unwind_info_fp) echo "${common[@]} -O1 -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-omit-frame-pointer -Wl,-z,separate-code" ;;
    no_unwind_info_nofp) echo "${common[@]} -O1 -fno-asynchronous-unwind-tables -fno-unwind-tables -fomit-frame-pointer -Wl,-z,separate-code" ;;
    null_read_joined) echo "${common[@]} -O0 -Wl,-z,noseparate-code" ;;
    *) echo "${common[@]} -O0 -Wl,-z,separate-code" ;;
  esac
}

mkdir -p -- "$outdir"
outdir=$(cd -- "$outdir" && pwd)
status=0
not_installed=""   # what this machine lacks, for the end
for arch in "${archs[@]}"; do
  triple=$(triple_of "$arch")
  dir="$outdir/$arch"
  mkdir -p "$dir"
  rm -f "$dir/built"
  qemu=qemu-$arch
  missing=""
  command -v "$triple-gcc" >/dev/null 2>&1 || missing+=" $triple-gcc (gcc-$triple)"
  [[ -d /usr/$triple/lib ]] || missing+=" /usr/$triple (libc6-dev-*-cross)"
  command -v "$qemu" >/dev/null 2>&1 || missing+=" $qemu (qemu-user)"
  if [[ -n $missing ]]; then
    echo "$prog: $arch left out, not installed:$missing"
    not_installed+="$missing"
    continue
  fi
  echo "/usr/$triple" >"$dir/sysroot"
  built=()
  for name in "${samples[@]}"; do
    source="$src/$(source_of "$name")"
    exe="$dir/$name"
    core="$dir/$name.core"
    if [[ $force != 1 && -s $core && $core -nt $source && $core -nt $script ]]; then
      built+=("$name"); continue
    fi
    rm -f "$core" "$exe"
    cc=$(compiler_of "$triple" "$name")
    if ! command -v "$cc" >/dev/null 2>&1; then
      echo "$prog: $arch/$name left out, not installed: $cc (g++-$triple)"
      not_installed+=" $cc (g++-$triple)"; continue
    fi
    # shellcheck disable=SC2046  # the flags are words
    if ! "$cc" $(flags_of "$name") -o "$exe" "$source" >"$dir/$name.log" 2>&1; then
      echo "$prog: $arch/$name: $cc failed (see $dir/$name.log)" >&2; status=1; continue
    fi
    # With -g, gcc writes .debug_frame where there is no .eh_frame: remove it, so that no CFI at
    # all describes these functions (line tables and symbols stay).
    if [[ $name == no_unwind_info_* ]]; then "$triple-objcopy" --remove-section=.debug_frame "$exe"; fi
    work=$(mktemp -d "$dir/.run.XXXXXX")
    # i386 dynamic programs can spin forever in qemu-user's loader unless LD_LIBRARY_PATH is set.
    env_args=()
    [[ $arch == i386 ]] && env_args=(-E LD_LIBRARY_PATH=/lib)
    # qemu-user saves the whole guest stack: 1 MiB keeps each core near 1.5 MiB (stack_overflow
    # gets 2 MiB: ~30 frames of 64 KiB).
    stack=1048576
    [[ $name == stack_overflow ]] && stack=2097152
    { (
      cd "$work"
      ulimit -c unlimited
      echo 0 >/proc/self/coredump_filter  # qemu's own core: headers only
      exec timeout "$run_timeout" "$qemu" -L "/usr/$triple" -s "$stack" "${env_args[@]}" "$exe"
    ) >>"$dir/$name.log" 2>&1; } 2>/dev/null || true
    found=$(find "$work" -maxdepth 1 -name 'qemu_*.core' | head -n 1)
    if [[ -n $found ]]; then
      mv "$found" "$core"
      built+=("$name")
    else
      echo "$prog: $arch/$name: qemu-$arch wrote no core (see $dir/$name.log)" >&2; status=1
    fi
    rm -rf "$work"
  done
  printf '%s\n' "${built[@]}" >"$dir/built"
  echo "$prog: $arch: ${built[*]}"
done
if [[ -n $not_installed ]]; then
  if [[ $status == 0 && ",${CORELENS_SKIP:-}," == *,cross,* ]]; then
    echo "$prog: opted out (CORELENS_SKIP=cross): not installed:$not_installed"
    exit 77
  fi
  echo "$prog: error: not installed:$not_installed (.ci/install-deps installs them; CORELENS_SKIP=cross opts out)" >&2
  exit 1
fi
exit $status
