#!/usr/bin/env bash
# make-cores OUTDIR [NAME...]
#
# Runs the corelens sample programs (all of them by default) and keeps a real ELF core file of
# each one at its crash:
#   OUTDIR/NAME.core     the core (ELF, e_type ET_CORE)
#   OUTDIR/NAME.exe      symlink to the executable that crashed
#   OUTDIR/NAME.method   one word: kernel or gcore
#   OUTDIR/NAME.log      what the program (and gdb) printed
#
# Methods (CORELENS_CORE_METHOD=kernel|gcore|auto, default auto):
#   kernel  run the sample in a fresh directory with `ulimit -c unlimited` and keep the core the
#           kernel writes there. Needs /proc/sys/kernel/core_pattern to be a plain relative file
#           name such as `core` or `core.%p` (not a `|pipe` to systemd-coredump/apport, not an
#           absolute path).
#   gcore   run the sample under gdb, which stops at the fatal signal and writes the core with
#           its `gcore` command.
#   auto    kernel when core_pattern allows it, otherwise gcore; a sample for which the kernel
#           wrote nothing is retried with gcore.
#
# Other environment variables:
#   CORELENS_SAMPLES_DIR   where the sample executables are (default: baked in by CMake)
#   CORELENS_CORES_JOBS    how many samples to run at once (default: number of CPUs)
#   CORELENS_CORES_FORCE=1 redo every core (by default a core newer than its executable and made
#                          with the requested method is kept)
#   CORELENS_CORES_TIMEOUT seconds each sample (or gdb) may run (default 60)
#
# Every sample runs with `ulimit -s 8192` (stack_overflow's core stays ~8 MiB) and under
# `timeout`. Prints one line per core; exits non-zero, naming the sample, if a core could not be
# produced.
set -euo pipefail

prog=make-cores
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# --- configuration (CMake's configure_file fills the @...@ values) --------------------------------
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
samples_dir=${CORELENS_SAMPLES_DIR:-@CORELENS_SAMPLES_BIN_DIR@}
all_samples="@CORELENS_SAMPLE_NAMES@"
if [[ $samples_dir == @*@ ]]; then    # run straight from the source tree: no baked-in directory
  samples_dir=$script_dir
fi
if [[ $all_samples == @*@ ]]; then    # ... nor sample list: every *.c / *.cpp next to this script
  all_samples=""
  for src in "$script_dir"/*.c "$script_dir"/*.cpp; do
    [[ -e $src ]] && { src=${src##*/}; all_samples+="${src%.*} "; }
  done
fi

method=${CORELENS_CORE_METHOD:-auto}
jobs=${CORELENS_CORES_JOBS:-$(nproc 2>/dev/null || echo 2)}
force=${CORELENS_CORES_FORCE:-0}
run_timeout=${CORELENS_CORES_TIMEOUT:-60}

# --- arguments --------------------------------------------------------------------------------------
case ${1:-} in
  -h|--help) usage; exit 0 ;;
  '') usage >&2; exit 2 ;;
esac
outdir=$1; shift
if (($# > 0)); then names=("$@"); else read -r -a names <<<"$all_samples"; fi
((${#names[@]} > 0)) || die "no samples to run"

case $method in
  kernel|gcore|auto) ;;
  *) die "CORELENS_CORE_METHOD must be kernel, gcore or auto (got '$method')" ;;
esac
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "CORELENS_CORES_JOBS must be a positive number (got '$jobs')"
[[ $run_timeout =~ ^[1-9][0-9]*$ ]] ||
  die "CORELENS_CORES_TIMEOUT must be a positive number of seconds (got '$run_timeout')"

for name in "${names[@]}"; do
  [[ " $all_samples " == *" $name "* ]] || die "unknown sample '$name' (known: $all_samples)"
  [[ -x $samples_dir/$name ]] ||
    die "sample executable $samples_dir/$name is missing: build the samples first" \
        "(cmake --build BUILD --target corelens-samples)"
done

# --- which methods can work here ----------------------------------------------------------------------
kernel_problem=""    # empty when the kernel can write the cores for us
core_pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null) || core_pattern="(unreadable)"
if [[ $core_pattern == '(unreadable)' ]]; then
  kernel_problem="cannot read /proc/sys/kernel/core_pattern"
elif [[ $core_pattern == '|'* ]]; then
  kernel_problem="core_pattern pipes cores to a program ('$core_pattern')"
elif [[ $core_pattern == /* ]]; then
  kernel_problem="core_pattern is an absolute path ('$core_pattern')"
elif [[ -z $core_pattern || $core_pattern == */* ]]; then
  kernel_problem="core_pattern '$core_pattern' is not a plain file name"
elif ! (ulimit -c unlimited) 2>/dev/null; then
  kernel_problem="cannot raise the core size limit (hard limit: $(ulimit -H -c))"
fi
gdb_problem=""
command -v gdb >/dev/null 2>&1 || gdb_problem="gdb is not installed"

case $method in
  kernel) [[ -z $kernel_problem ]] || die "method 'kernel' impossible here: $kernel_problem" ;;
  gcore) [[ -z $gdb_problem ]] || die "method 'gcore' impossible here: $gdb_problem" ;;
  auto)
    if [[ -n $kernel_problem && -n $gdb_problem ]]; then
      die "no way to make cores here: $kernel_problem, and $gdb_problem"
    fi ;;
esac
# The method a fresh core will be made with (auto may still fall back to gcore per sample).
if [[ $method == auto ]]; then
  if [[ -z $kernel_problem ]]; then preferred=kernel; else preferred=gcore; fi
else
  preferred=$method
fi

# --- output directory, lock against concurrent runs on the same OUTDIR --------------------------------
mkdir -p -- "$outdir" || die "cannot create $outdir"
outdir=$(cd -- "$outdir" && pwd)
if command -v flock >/dev/null 2>&1; then
  exec 9>"$outdir/.make-cores.lock"
  flock 9
fi
work=$(mktemp -d "$outdir/.make-cores.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

# --- helpers -----------------------------------------------------------------------------------------
is_elf_core() {  # ELF magic, and e_type (offset 16, little-endian) == ET_CORE (4)
  local head
  head=$(od -An -tx1 -N18 -- "$1" 2>/dev/null | tr -d ' \n') || return 1
  [[ $head == 7f454c46* && ${head:32:4} == 0400 ]]
}

# Runs a sample the way the kernel method needs it; leaves whatever core appears in $dir/run.
run_for_kernel() {  # exe dir
  local rc=0
  ( cd "$2/run"
    ulimit -c unlimited
    ulimit -s 8192 2>/dev/null || true
    timeout -k 10 "$run_timeout" "$1" </dev/null
  ) >>"$2/log" 2>&1 || rc=$?
  echo "$rc"
}

run_for_gcore() {  # exe dir
  local rc=0
  ( cd "$2/run"
    ulimit -c 0
    ulimit -s 8192 2>/dev/null || true
    exec env -u DEBUGINFOD_URLS timeout -k 10 "$run_timeout" \
      gdb -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
          -ex 'set startup-with-shell off' \
          -ex run -ex "gcore ../gdb.core" -ex kill --args "$1" </dev/null
  ) >>"$2/log" 2>&1 || rc=$?
  echo "$rc"
}

# Makes one core; writes "ok METHOD" or "fail REASON" to $work/NAME.result.
make_one() {
  local name=$1 exe=$samples_dir/$1 dir=$work/$1 how=$preferred core="" rc
  mkdir -p "$dir/run"
  : >"$dir/log"

  if [[ $how == kernel ]]; then
    rc=$(run_for_kernel "$exe" "$dir")
    if ((rc == 124 || rc == 137)); then
      echo "fail timed out after ${run_timeout}s (kernel method)" >"$work/$name.result"; return
    fi
    core=$(find "$dir/run" -maxdepth 1 -type f -print -quit)
    if ((rc < 128)); then
      echo "fail exit status $rc: the program was not killed by a signal" >"$work/$name.result"
      return
    elif [[ -z $core ]]; then
      if [[ $method == auto && -z $gdb_problem ]]; then
        printf '%s: no kernel core (exit status %s), retrying with gdb\n' "$prog" "$rc" >>"$dir/log"
        how=gcore
      else
        echo "fail the kernel wrote no core (exit status $rc, core_pattern '$core_pattern')" \
          >"$work/$name.result"; return
      fi
    fi
  fi
  if [[ $how == gcore ]]; then
    rm -rf "$dir/run" && mkdir -p "$dir/run"
    rc=$(run_for_gcore "$exe" "$dir")
    if ((rc == 124 || rc == 137)); then
      echo "fail timed out after ${run_timeout}s (gcore method)" >"$work/$name.result"; return
    fi
    if ! grep -qE '^(Program|Thread .*) received signal SIG' "$dir/log"; then
      echo "fail gdb did not see the program crash" >"$work/$name.result"; return
    fi
    core=$dir/gdb.core
    [[ -s $core ]] || { echo "fail gdb wrote no core" >"$work/$name.result"; return; }
  fi
  is_elf_core "$core" || { echo "fail $core is not an ELF core file (ET_CORE)" >"$work/$name.result"; return; }

  # Publish: remove the old core first so that NAME.core only ever exists complete and current.
  rm -f -- "$outdir/$name.core"
  ln -sfn -- "$exe" "$dir/exe" && mv -fT -- "$dir/exe" "$outdir/$name.exe"
  echo "$how" >"$dir/method" && mv -f -- "$dir/method" "$outdir/$name.method"
  mv -f -- "$dir/log" "$outdir/$name.log"
  mv -f -- "$core" "$outdir/$name.core"
  echo "ok $how" >"$work/$name.result"
}

up_to_date() {  # name
  local name=$1
  [[ $force != 1 && -f $outdir/$name.core && -f $outdir/$name.method ]] || return 1
  [[ $outdir/$name.core -nt $samples_dir/$name ]] || return 1
  [[ $(readlink -- "$outdir/$name.exe" 2>/dev/null) == "$samples_dir/$name" ]] || return 1
  [[ $(<"$outdir/$name.method") == "$preferred" ]]
}

human_size() {  # bytes -> "1.2 MiB"
  awk -v b="$1" 'BEGIN { split("B KiB MiB GiB", u); i = 1
                         while (b >= 1024 && i < 4) { b /= 1024; i++ }
                         printf (i == 1 ? "%d %s" : "%.1f %s"), b, u[i] }'
}

# --- run (in parallel, at most $jobs at a time) ------------------------------------------------------
running=0
for name in "${names[@]}"; do
  if up_to_date "$name"; then
    echo "ok $(<"$outdir/$name.method") reused" >"$work/$name.result"
    continue
  fi
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
  make_one "$name" &
  running=$((running + 1))
done
wait || true

status=0
for name in "${names[@]}"; do
  result=$(cat "$work/$name.result" 2>/dev/null || echo "fail internal error in make-cores")
  read -r verdict detail <<<"$result"
  if [[ $verdict == ok ]]; then
    how=${detail%% *}
    size=$(stat -c %s -- "$outdir/$name.core")
    note=""
    [[ $detail == *reused ]] && note=", up to date"
    printf '%s: %s (%s, %s%s)\n' "$prog" "$outdir/$name.core" "$how" "$(human_size "$size")" "$note"
  else
    status=1
    printf '%s: error: could not produce a core for %s: %s\n' "$prog" "$name" "$detail" >&2
    if [[ -s $work/$name/log ]]; then
      sed 's/^/    | /' "$work/$name/log" | tail -n 15 >&2
    fi
  fi
done
exit "$status"
