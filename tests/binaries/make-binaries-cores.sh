#!/usr/bin/env bash
# make-binaries-cores.sh OUTDIR SAMPLES_SRC CC CXX NAME...
#
# Real kernel-written cores for issue 21 (cores whose binaries are gone). For each sample NAME,
# built from SAMPLES_SRC/NAME.c or .cpp with the flags samples/CMakeLists.txt gives it:
#   OUTDIR/NAME/bin/NAME       the executable that crashed (tests move it away and back)
#   OUTDIR/NAME/NAME.changed   the same program rebuilt from changed source (a function added
#                              before it: another build-id, every function moved)
#   OUTDIR/NAME/core           the kernel's core of NAME's crash
#   OUTDIR/NAME/log            what the program printed
# Only the kernel writes these cores: gdb's gcore stops at the first signal, which for a handler
# that re-raises is not the one that kills the process. Exits non-zero, naming the sample, when a
# core could not be made (core_pattern not a plain file name, the program did not crash).
set -euo pipefail
(($# >= 5)) || { echo "usage: $0 OUTDIR SAMPLES_SRC CC CXX NAME..." >&2; exit 2; }
out=$1 src=$2 cc=$3 cxx=$4
shift 4
pattern=$(cat /proc/sys/kernel/core_pattern)
if [[ $pattern == '|'* || $pattern == */* || -z $pattern ]]; then
  echo "make-binaries-cores: core_pattern '$pattern' is not a plain file name: the kernel writes no core here" >&2
  exit 1
fi
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
cat >"$out/changed.h" <<'H'
/* Included first by the rebuilt samples: code before the sample's own moves all of it. */
#ifdef __cplusplus
extern "C" {
#endif
int corelens_rebuilt_padding(int x);
int corelens_rebuilt_padding(int x) { volatile int a[32]; for (int i = 0; i < 32; ++i) a[i] = x * i; return a[x & 31]; }
#ifdef __cplusplus
}
#endif
H
status=0
for name in "$@"; do
  dir=$out/$name
  source=$src/$name.c compiler=$cc std=-std=gnu11
  [[ -f $source ]] || { source=$src/$name.cpp compiler=$cxx std=-std=c++17; }
  flags=(-g -O0 -fPIE -pie -pthread "$std")
  library=()  # a sample whose code is in a shared library: the library, and how to link it
  case $name in
    inlined_o2) flags=(-g -O2 -fPIE -pie -pthread "$std") ;;
    stack_smashing) flags+=(-fstack-protector-strong) ;;
    kill_from_library)
      flags=(-g -O2 -fPIE -pie -pthread "$std")
      library=("$compiler" -g -O0 -fPIC -shared "$std" -DKILL_FROM_LIBRARY_SO -o "$dir/bin/lib$name.so" "$source") ;;
  esac
  link=()
  ((${#library[@]} == 0)) || link=(-L"$dir/bin" -Wl,-rpath,"$dir/bin" -l"$name")
  if [[ -f $dir/core && -x $dir/bin/$name && -x $dir/$name.changed && $dir/core -nt $source &&
        $dir/core -nt ${BASH_SOURCE[0]} ]]; then
    echo "make-binaries-cores: $dir/core (up to date)"; continue
  fi
  rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/run"
  ((${#library[@]} == 0)) || "${library[@]}"
  "$compiler" "${flags[@]}" -o "$dir/bin/$name" "$source" "${link[@]}"
  "$compiler" "${flags[@]}" -include "$out/changed.h" -o "$dir/$name.changed" "$source" "${link[@]}"
  rc=0
  (cd "$dir/run" && ulimit -c unlimited && ulimit -s 8192 && exec timeout -k 5 60 "$dir/bin/$name" </dev/null) \
    >"$dir/log" 2>&1 || rc=$?
  core=$(find "$dir/run" -maxdepth 1 -type f -print -quit)
  if ((rc < 128)) || [[ -z $core ]]; then
    echo "make-binaries-cores: error: no kernel core of $name (exit status $rc)" >&2
    status=1; continue
  fi
  mv -- "$core" "$dir/core"
  echo "make-binaries-cores: $dir/core"
done
exit $status
