#!/usr/bin/env bash
# tests/bench/run.sh [--quick] [--out FILE] [--build DIR] [--runs N] [--timeout S] [--cases LIST]
#
# Times `corelens analyze CORE --format json` against `gdb -batch -nx -ex 'thread apply all bt'`
# and `eu-stack -i -s -n 0` on the same big dumps, in the same run, and against reading the notes
# alone (`eu-readelf -n`) as a floor. For each tool: median wall time of N warm runs (the dump in
# the page cache) and of N cold runs (before each, the dump, the executable and the modules' and
# debug files dropped from the page cache with posix_fadvise: no root needed), the bytes of the
# dump one cold run left in the page cache, peak RSS, threads and frames found, and corelens'
# ratio to it. Prints a table; writes it as Markdown too.
#
#   --build DIR    the build directory (default ./build); nothing is built here: first run
#                  cmake --build DIR --target corelens corelens-bench
#   --runs N       timed warm runs and cold runs per tool and dump (default 5 each), after one
#                  untimed warm-up run whose output is used to count threads and frames (the
#                  batch: one timed warm and one cold run per tool)
#   --quick        one timed run per tool (--runs 1); writes no file unless --out is given
#   --out FILE     Markdown results (default for a full run: tests/bench/RESULTS.md)
#   --timeout S    per tool run (default 120); a run that takes longer is killed and reported
#                  as "timeout >S s", and that tool is not run again on that dump
#   --cases LIST   comma-separated subset of: threads,heap,recursion,inline,batch,kernel (default all)
#   --heap-mib M   size of the touched heap in the heap case (default 4096)
#
# Dumps are made once into DIR/bench-cores and reused while they are newer than their program
# (the 4 GiB one is never written twice). The kernel writes them where
# /proc/sys/kernel/core_pattern is a plain file name, gdb's gcore otherwise. The heap case is
# skipped with a message when the disk has less than 12 GiB free or memory less than 6 GiB.
# The kernel case times `corelens analyze --vmlinux` on the kdump (makedumpfile -c -d 31) of the
# kernel tests (DIR/tests/kernel-dumps, made by ctest's kernel_dumps.make and kernel_vmlinux.fetch;
# skipped with a message where they were not made), against the kallsyms-only analysis and
# `makedumpfile --dump-dmesg` (reading the log alone) as a floor.
# Benchmarks are never run by ctest.
set -euo pipefail
export LC_ALL=C
unset DEBUGINFOD_URLS   # no tool may go to the network

prog=bench
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
say() { printf '%s: %s\n' "$prog" "$*" >&2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

src_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$src_dir/../.." && pwd)
build=build runs=5 quick=0 out="" timeout_s=120 cases="threads,heap,recursion,inline,batch,kernel"
heap_mib=4096 batch_count=200
while (($# > 0)); do
  case $1 in
    --quick) quick=1 ;;
    --out) out=${2:?--out needs a file}; shift ;;
    --build) build=${2:?--build needs a directory}; shift ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --timeout) timeout_s=${2:?--timeout needs seconds}; shift ;;
    --cases) cases=${2:?--cases needs a list}; shift ;;
    --heap-mib) heap_mib=${2:?--heap-mib needs a number}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
((quick)) && runs=1
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number"
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive number of seconds"
[[ $heap_mib =~ ^[1-9][0-9]*$ ]] || die "--heap-mib must be a positive number"
if [[ -z $out && $quick == 0 ]]; then out=$src_dir/RESULTS.md; fi

[[ -d $build ]] || die "no build directory $build (give --build DIR)"
build=$(cd "$build" && pwd)
corelens=$build/cli/corelens
bench_bin=$build/tests/bench
runstat=$bench_bin/runstat
pagecache=$bench_bin/pagecache
[[ -x $corelens ]] || die "$corelens is missing: cmake --build $build --target corelens"
for p in runstat pagecache threads_1000 heap_4g deep_recursion inline_o2 small_crash; do
  [[ -x $bench_bin/$p ]] ||
    die "$bench_bin/$p is missing: cmake --build $build --target corelens-bench" \
        "(configured with CORELENS_BUILD_BENCH=ON)"
done
for t in gdb eu-stack; do command -v "$t" >/dev/null || die "$t is not installed"; done
if command -v eu-readelf >/dev/null; then readnotes=(eu-readelf -n); else readnotes=(readelf -n); fi
have_python=0
command -v python3 >/dev/null && have_python=1

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
scratch=$build/bench-cores
mkdir -p "$scratch/out"
if command -v flock >/dev/null; then exec 9>"$scratch/.lock"; flock 9; fi

# --- making the dumps ---------------------------------------------------------------------------
core_pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null || echo '|?')
if [[ -n $core_pattern && $core_pattern != '|'* && $core_pattern != */* ]] &&
   (ulimit -c unlimited) 2>/dev/null; then
  method=kernel
else
  method=gcore
  say "core_pattern is '$core_pattern': dumps are written by gdb's gcore"
fi

is_elf_core() {  # ELF magic, and e_type (offset 16, little-endian) == ET_CORE (4)
  local head
  head=$(od -An -tx1 -N18 -- "$1" 2>/dev/null | tr -d ' \n') || return 1
  [[ $head == 7f454c46* && ${head:32:4} == 0400 ]]
}

# up_to_date CORE EXE ARGS...: the dump exists, is newer than the program, was made with the
# same arguments and method.
up_to_date() {
  local core=$1 exe=$2; shift 2
  [[ -f $core && -f $core.args && $core -nt $exe ]] || return 1
  [[ $(<"$core.args") == "$method $*" ]]
}

# make_core CORE EXE ARGS...: runs EXE ARGS with `ulimit -s 8192` until it crashes, keeps the dump.
make_core() {
  local core=$1 exe=$2; shift 2
  local dir rc=0 found
  dir=$(mktemp -d "$scratch/.run.XXXXXX")
  # In a command substitution, so that the shell does not announce the crash on the terminal.
  if [[ $method == kernel ]]; then
    rc=$( ( cd "$dir"; ulimit -c unlimited; ulimit -s 8192
            exec timeout -k 10 600 "$exe" "$@" </dev/null ) >"$dir/log" 2>&1; echo $?)
    found=$(find "$dir" -maxdepth 1 -type f ! -name log -print -quit)
  else
    rc=$( ( cd "$dir"; ulimit -c 0; ulimit -s 8192
            exec timeout -k 10 900 gdb -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
              -ex 'set startup-with-shell off' -ex run -ex "gcore $dir/gdb.core" -ex kill \
              --args "$exe" "$@" </dev/null ) >"$dir/log" 2>&1; echo $?)
    found=$dir/gdb.core
  fi
  if [[ -z $found || ! -s $found ]] || ! is_elf_core "$found"; then
    sed 's/^/    | /' "$dir/log" | tail -n 10 >&2
    rm -rf -- "$dir"
    die "no dump from $exe $* (exit status $rc, method $method)"
  fi
  rm -f -- "$core" "$core.args"
  mv -f -- "$found" "$core"
  echo "$method $*" >"$core.args"
  rm -rf -- "$dir"
}

human() {  # KiB -> "12.3 MiB"
  awk -v k="$1" 'BEGIN { split("KiB MiB GiB TiB", u); i = 1
                         while (k >= 1024 && i < 4) { k /= 1024; i++ }
                         printf (i == 1 ? "%d %s" : "%.1f %s"), k, u[i] }'
}
core_size() {  # "4.0 GiB (4.0 GiB on disk)"
  local bytes disk
  bytes=$(stat -c %s -- "$1"); disk=$(du -k -- "$1" | cut -f1)
  printf '%s (%s on disk)' "$(human $((bytes / 1024)))" "$(human "$disk")"
}

free_kib() { df -Pk -- "$1" | awk 'NR == 2 { print $4 }'; }
avail_mem_kib() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }

# --- measuring ------------------------------------------------------------------------------------
# case tool seconds cpu_seconds maxrss_kib threads frames status note cold_seconds cached_bytes
results=$scratch/out/results.tsv
: >"$results"

# count THREADS FRAMES of one output file: prints "threads frames"
count_output() {
  local tool=$1 file=$2
  case $tool in
    "corelens text") printf '%s %s\n' "$(grep -c '^Thread [0-9]' "$file" || true)" "$(grep -c '^  #' "$file" || true)" ;;
    corelens*)
      if ((have_python)); then
        python3 - "$file" <<'EOF'
import json, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
dec, pos, threads, frames = json.JSONDecoder(), 0, 0, 0
while True:  # one document per dump; a batch has several one after the other
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        break
    try:
        doc, pos = dec.raw_decode(text, pos)
    except ValueError:  # not JSON (a cut-off report): nothing to count
        print("- -")
        sys.exit(0)
    if not isinstance(doc, dict):  # a text summary that starts with a number (triage's)
        print("- -")
        sys.exit(0)
    threads += len(doc.get("threads", []))
    frames += sum(len(t.get("frames", [])) for t in doc.get("threads", []))
print(threads, frames)
EOF
      else
        printf '%s %s\n' "$(grep -c '"tid":' "$file" || true)" "$(grep -c '"index":' "$file" || true)"
      fi ;;
    gdb*) printf '%s %s\n' "$(grep -c '^Thread [0-9]' "$file" || true)" "$(grep -c '^#' "$file" || true)" ;;
    eu-stack*) printf '%s %s\n' "$(grep -c '^TID [0-9]' "$file" || true)" "$(grep -c '^#' "$file" || true)" ;;
    *) echo "- -" ;;
  esac
}

# The files a cold run finds out of the page cache: the dump(s), the executable, and every module
# and debug file corelens' report names (gdb and eu-stack read the same ones). Set per case.
cold_files=()
dump_files=()  # the dump(s) whose page-cache footprint is reported

# cold_run LIMIT OUT ERR -- COMMAND...: drops cold_files from the page cache, runs COMMAND under
# runstat and prints runstat's line.
cold_run() {
  local limit=$1 outf=$2 errf=$3; shift 4
  "$pagecache" drop "${cold_files[@]}" >/dev/null 2>&1 || true
  "$runstat" "$limit" "$outf" "$errf" -- "$@"
}

# measure CASE TOOL NOTE -- COMMAND...: one warm-up run (output kept and counted), then $runs
# timed warm runs and $runs cold runs (cold_run) with stdout to /dev/null; after the first cold
# run, the bytes of the dump(s) left in the page cache. The batch case (minutes per tool with
# gdb) has a single warm run, timed, whose output is kept and counted, and one cold run.
# Appends a line to $results.
measure() {
  local case=$1 tool=$2 note=$3 limit=$timeout_s; shift 4
  local n=$runs ncold=$runs
  if [[ $case == batch ]]; then limit=$((timeout_s * 5)); n=0; ncold=1; fi
  local outf=$scratch/out/$case.${tool%% *}.out errf=$scratch/out/$case.${tool%% *}.err
  local line secs rss status cpu times=() cpus=() colds=() maxrss=0 threads=- frames=- i cached=-
  printf '%s: %-9s %-10s %s' "$prog" "$case" "${tool%% *}" "$( ((n)) && echo warm-up || echo run)" >&2
  line=$("$runstat" "$limit" "$outf" "$errf" -- "$@")
  read -r secs rss status cpu <<<"$line"
  if [[ $status == timeout ]]; then
    printf ' timeout (>%s s)\n' "$limit" >&2
    printf '%s\t%s\ttimeout\t-\t%s\t-\t-\ttimeout\t%s\t-\t-\n' "$case" "$tool" "$rss" "$note" >>"$results"
    return
  fi
  read -r threads frames < <(count_output "$tool" "$outf")
  printf ' %.2f s' "$secs" >&2
  if ((n == 0)); then times=("$secs"); cpus=("$cpu"); maxrss=$rss; fi
  for ((i = 0; i < n; i++)); do
    line=$("$runstat" "$limit" /dev/null "$errf" -- "$@")
    read -r secs rss status cpu <<<"$line"
    if [[ $status == timeout ]]; then
      printf ' timeout\n' >&2
      printf '%s\t%s\ttimeout\t-\t%s\t%s\t%s\ttimeout\t%s\t-\t-\n' "$case" "$tool" "$rss" "$threads" \
        "$frames" "$note" >>"$results"
      return
    fi
    times+=("$secs"); cpus+=("$cpu")
    ((rss > maxrss)) && maxrss=$rss
    printf ' %.2f' "$secs" >&2
  done
  printf ' | cold' >&2
  for ((i = 0; i < ncold; i++)); do
    line=$(cold_run "$limit" /dev/null "$errf" -- "$@")
    read -r secs rss status cpu <<<"$line"
    if [[ $status == timeout ]]; then colds+=("timeout"); printf ' timeout' >&2; break; fi
    colds+=("$secs")
    ((rss > maxrss)) && maxrss=$rss
    if ((i == 0)); then cached=$("$pagecache" resident "${dump_files[@]}" | tail -n 1); fi
    printf ' %.2f' "$secs" >&2
  done
  printf '\n' >&2
  local cold=-
  if ((${#colds[@]} > 0)); then
    if [[ ${colds[-1]} == timeout ]]; then cold=timeout; else cold=$(median "${colds[@]}"); fi
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$tool" "$(median "${times[@]}")" \
    "$(median "${cpus[@]}")" "$maxrss" "$threads" "$frames" "$status" "$note" "$cold" "$cached" >>"$results"
}

median() {
  printf '%s\n' "$@" | sort -g |
    awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# The four measurements of one dump.
measure_dump() {  # CASE CORE EXE
  local case=$1 core=$2 exe=$3
  dump_files=("$core")
  cold_files=("$core" "$exe")
  # The modules' files and their debug files, as corelens found them (the same ones the other
  # tools read); a warm-up analysis names them.
  if ((have_python)); then
    local f
    while IFS= read -r f; do [[ -f $f ]] && cold_files+=("$f"); done < <(
      "$corelens" analyze "$core" --format json 2>/dev/null | python3 -c '
import json, sys
for m in json.load(sys.stdin).get("modules", []):
    s = m.get("symbols") or {}
    for k in ("file", "debug_file"):
        if s.get(k):
            print(s[k])')
  fi
  measure "$case" corelens "" -- "$corelens" analyze "$core" --format json
  # With every frame's arguments and locals read from the dump (issue 14: at most twice the
  # time of the line above on the threads case), and the text report, whose frame lines carry
  # the arguments of the frames it prints.
  measure "$case" "corelens --locals" "--format json --locals" -- "$corelens" analyze "$core" --format json --locals
  measure "$case" "corelens text" "text report, arguments in frame lines" -- "$corelens" analyze "$core"
  # The GUI's open of the same dump: the window rendered with the crash selected, then exit.
  if [[ -x $build/gui/corelens-gui ]]; then
    measure "$case" "gui open" "corelens-gui --screenshot" -- env QT_QPA_PLATFORM=offscreen \
      "$build/gui/corelens-gui" "$core" --screenshot "$scratch/out/$case.gui.png"
  fi
  measure "$case" gdb "" -- gdb -batch -nx -ex 'thread apply all bt' "$exe" "$core"
  measure "$case" eu-stack "" -- eu-stack -i -s -n 0 --core "$core" -e "$exe"
  measure "$case" "notes floor" "" -- "${readnotes[@]}" "$core"
}

want() { [[ ,$cases, == *,$1,* ]]; }

declare -A case_title case_dump
notes_lines=()

# --- the cases --------------------------------------------------------------------------------------
if want threads; then
  core=$scratch/threads_1000.core
  up_to_date "$core" "$bench_bin/threads_1000" 1000 || { say "making $core"; make_core "$core" "$bench_bin/threads_1000" 1000; }
  case_title[threads]="1,000 threads with glibc's default 8 MiB stacks (mostly holes), ~25 frames each"
  case_dump[threads]=$(core_size "$core")
  measure_dump threads "$core" "$bench_bin/threads_1000"
fi

if want heap; then
  core=$scratch/heap_4g.core
  if up_to_date "$core" "$bench_bin/heap_4g" "$heap_mib"; then
    ok=1
  else
    ok=1
    free=$(free_kib "$scratch"); mem=$(avail_mem_kib)
    if ((free < 12 * 1024 * 1024)); then
      ok=0
      msg="heap case SKIPPED: only $(human "$free") free under $scratch (needs 12 GiB)"
    elif ((mem < heap_mib * 1024 + 2 * 1024 * 1024)); then
      ok=0
      msg="heap case SKIPPED: only $(human "$mem") of memory available (needs $((heap_mib / 1024 + 2)) GiB)"
    fi
    if ((ok)); then
      say "making $core ($heap_mib MiB of touched heap; written once, then reused)"
      make_core "$core" "$bench_bin/heap_4g" "$heap_mib"
    else
      say "$msg"; notes_lines+=("$msg")
    fi
  fi
  if ((ok)); then
    case_title[heap]="$heap_mib MiB of touched heap"
    case_dump[heap]=$(core_size "$core")
    measure_dump heap "$core" "$bench_bin/heap_4g"
  fi
fi

if want recursion; then
  core=$scratch/deep_recursion.core
  up_to_date "$core" "$bench_bin/deep_recursion" || { say "making $core"; make_core "$core" "$bench_bin/deep_recursion"; }
  case_title[recursion]="stack overflow, 8 MiB stack of 32-byte frames"
  case_dump[recursion]=$(core_size "$core")
  measure_dump recursion "$core" "$bench_bin/deep_recursion"
fi

if want inline; then
  core=$scratch/inline_o2.core
  up_to_date "$core" "$bench_bin/inline_o2" || { say "making $core"; make_core "$core" "$bench_bin/inline_o2"; }
  case_title[inline]="-O2 C++, crash 23 inlined frames deep"
  case_dump[inline]=$(core_size "$core")
  measure_dump inline "$core" "$bench_bin/inline_o2"
fi

if want batch; then
  bdir=$scratch/batch
  mkdir -p "$bdir"
  made=0
  for ((k = 0; k < batch_count; k++)); do
    c=$(printf '%s/small_crash.%03d.core' "$bdir" "$k")
    up_to_date "$c" "$bench_bin/small_crash" "$k" && continue
    ((made == 0)) && say "making $batch_count small dumps in $bdir"
    make_core "$c" "$bench_bin/small_crash" "$k"
    made=$((made + 1))
  done
  # Only the dumps themselves in the directory triage reads (the .args files live beside them,
  # so give triage its own directory of links).
  tdir=$scratch/batch-dumps
  rm -rf "$tdir"; mkdir -p "$tdir"
  for c in "$bdir"/*.core; do ln -s "$c" "$tdir/"; done
  case_title[batch]="$batch_count small dumps, one after the other"
  case_dump[batch]="$batch_count x ~$(core_size "$bdir/small_crash.000.core")"
  loop() {  # the shell loop that runs "$@" CORE for each dump
    printf 'for c in %q/*.core; do %s; done' "$tdir" "$*"
  }
  exe=$bench_bin/small_crash
  dump_files=("$bdir"/*.core)
  cold_files=("${dump_files[@]}" "$exe")
  if "$corelens" triage --help >/dev/null 2>&1; then
    measure batch "corelens triage" "corelens triage DIR" -- "$corelens" triage "$tdir"
  else
    say "'corelens triage' does not exist yet: timing a loop of 'corelens analyze' instead"
    notes_lines+=("batch: \`corelens triage\` does not exist yet; corelens is timed as a shell loop of \`corelens analyze CORE --format json\` over the $batch_count dumps.")
    measure batch "corelens loop" "loop of analyze" -- bash -c "$(loop "$(printf '%q' "$corelens") analyze \"\$c\" --format json")"
  fi
  measure batch "gdb loop" "" -- bash -c "$(loop "gdb -batch -nx -ex 'thread apply all bt' $(printf '%q' "$exe") \"\$c\"")"
  measure batch "eu-stack loop" "" -- bash -c "$(loop "eu-stack -i -s -n 0 --core \"\$c\" -e $(printf '%q' "$exe")")"
  measure batch "notes floor" "" -- bash -c "$(loop "${readnotes[*]} \"\$c\"")"
fi

if want kernel; then
  kdir=$build/tests/kernel-dumps
  kdump=$kdir/vmcore.kdump vmlinux=$kdir/vmlinux
  if [[ -f $kdump && -f $vmlinux ]]; then
    case_title[kernel]="Debian 6.1 kernel after sysrq-c, 2 CPUs and its tasks, with its 633 MB vmlinux (DWARF)"
    case_dump[kernel]=$(core_size "$kdump")
    dump_files=("$kdump")
    cold_files=("$kdump" "$vmlinux")
    # The kallsyms-only run first: the ratios are to the last corelens row, the --vmlinux one.
    measure kernel "corelens kallsyms" "no --vmlinux" -- "$corelens" analyze "$kdump" --format json
    measure kernel "corelens --vmlinux" "" -- "$corelens" analyze "$kdump" --format json --vmlinux "$vmlinux"
    # makedumpfile will not overwrite its output.
    measure kernel "makedumpfile dmesg" "the log alone" -- bash -c 'rm -f "$2"; exec makedumpfile --dump-dmesg "$1" "$2"' \
      _ "$kdump" "$scratch/out/kernel.dmesg"
  else
    msg="kernel case SKIPPED: no $kdump or $vmlinux (ctest --test-dir $build -R 'kernel_dumps.make\$|kernel_vmlinux.fetch' makes them)"
    say "$msg"
    notes_lines+=("$msg")
  fi
fi

# --- the table ------------------------------------------------------------------------------------
# Ratios are corelens / tool: below 1 corelens is faster (or smaller), above 1 it is slower.
table=$(awk -F'\t' -v limit="$timeout_s" -v batch="$batch_count" '
  function fmt_t(s, st, lim) { return st == "timeout" ? "timeout >" lim " s" : sprintf("%.3f", s) }
  function fmt_c(s) { return s == "-" || s == "" ? "-" : (s == "timeout" ? "timeout" : sprintf("%.3f", s)) }
  function fmt_m(k) { return k == "-" || k == "" ? "-" : sprintf("%.1f", k / 1024) }
  function fmt_b(b) { return b == "-" || b == "" ? "-" : sprintf("%.1f", b / 1048576) }
  function ratio(a, b) { return (a == "" || b == "" || a == "-" || b == "-" || a == "timeout" || b == "timeout" || b == 0) ? "-" : sprintf("%.2f", a / b) }
  { n++; c[n] = $1; tool[n] = $2; t[n] = $3; cp[n] = $4; m[n] = $5; th[n] = $6; fr[n] = $7
    st[n] = $8; note[n] = $9; cold[n] = $10; cached[n] = $11
    if ($2 ~ /^corelens/) { ct[$1] = ($8 == "timeout" ? "" : $3); cm[$1] = $5; cc[$1] = $10 } }
  END {
    print "| case | tool | warm wall s | cold wall s | warm CPU s | peak RSS MiB | dump in page cache after a cold run, MiB | threads | frames | warm corelens/tool | cold corelens/tool | RSS corelens/tool | note |"
    print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    for (i = 1; i <= n; i++) {
      lim = c[i] == "batch" ? limit * 5 : limit
      tr = "-"; mr = "-"; cr = "-"
      if (tool[i] !~ /^corelens/) {
        tr = st[i] == "timeout" ? (ct[c[i]] == "" ? "-" : "< " ratio(ct[c[i]], lim)) : ratio(ct[c[i]], t[i])
        mr = st[i] == "timeout" ? "-" : ratio(cm[c[i]], m[i])
        cr = cold[i] == "timeout" ? (cc[c[i]] == "" ? "-" : "< " ratio(cc[c[i]], lim)) : ratio(cc[c[i]], cold[i])
      }
      nt = note[i]
      if (c[i] == "batch" && st[i] != "timeout" && t[i] > 0)
        nt = (nt == "" ? "" : nt ", ") sprintf("%.1f dumps/s warm", batch / t[i])
      if (st[i] != "timeout" && st[i] !~ /^exit:0$/) nt = (nt == "" ? "" : nt ", ") st[i]
      if (st[i] == "timeout") nt = (nt == "" ? "" : nt ", ") "killed; RSS then " fmt_m(m[i]) " MiB"
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c[i], tool[i], fmt_t(t[i], st[i], lim),
             fmt_c(cold[i]), st[i] == "timeout" ? "-" : sprintf("%.2f", cp[i]), st[i] == "timeout" ? "-" : fmt_m(m[i]),
             fmt_b(cached[i]), th[i], fr[i], tr, cr, mr, nt
    }
  }' "$results")

machine() {
  local cpu mem
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  printf -- '- date: %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf -- '- machine: %s CPUs (%s), %s RAM, kernel %s, %s\n' "$(nproc)" "$cpu" "$mem" "$(uname -r)" \
    "$( . /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
  # corelens --version lists every library; the line keeps the three that do the work.
  printf -- '- tools: %s (%s, %s); %s; %s; %s\n' "$("$corelens" --version | awk '
      NR == 1 { v = $0; next }
      /libdw|libunwind|capstone/ { sub(/^ +/, ""); gsub(/  +/, " "); l = l (l ? ", " : "") $0 }
      END { print v (l ? " with " l : "") }')" \
    "$(git -C "$repo_dir" rev-parse --short HEAD 2>/dev/null || echo '?')$(
       [[ -n $(git -C "$repo_dir" status --porcelain --untracked-files=no 2>/dev/null) ]] &&
         echo ' + uncommitted changes in the tree')" \
    "$(awk -F= '/^CMAKE_BUILD_TYPE:/ { print $2 }' "$build/CMakeCache.txt" 2>/dev/null || echo '?')" \
    "$(gdb --version | head -n 1)" "$(eu-stack --version | head -n 1)" "$("${readnotes[0]}" --version | head -n 1)"
  printf -- '- load average (1, 5, 15 min) at the start: %s; at the end: %s (%s CPUs: above that, other work competed for them and wall times grew; CPU times suffer less)\n' \
    "$load_start" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)"
  printf -- '- dumps written by: %s (core_pattern `%s`); %s timed runs per tool after one warm-up, per-tool timeout %s s (batch: %s s)\n' \
    "$method" "$core_pattern" "$runs" "$timeout_s" "$((timeout_s * 5))"
}

dumps_list() {
  local k
  for k in threads heap recursion inline batch kernel; do
    [[ -n ${case_title[$k]:-} ]] && printf -- '- `%s`: %s; dump %s\n' "$k" "${case_title[$k]}" "${case_dump[$k]}"
  done
  return 0
}

printf '\n%s\n\n' "$table"
for l in "${notes_lines[@]}"; do printf '%s\n' "$l"; done

if [[ -n $out ]]; then
  {
    printf '# Benchmark results\n\n'
    printf 'Written by `tests/bench/run.sh` (see the README'"'"'s "Benchmark" section); rerun it to update.\n\n'
    machine
    printf '\n## Dumps\n\n'
    dumps_list
    printf '\n## Figures\n\n'
    printf 'Median wall time of the warm runs (the dump already in the page cache) and of the cold runs (before each, the dump, the executable and every module and debug file the report names dropped from the page cache with posix_fadvise; libraries some running process maps stay cached), median CPU time (user + system) of the warm runs (batch: one run each); peak RSS is the largest of them all. The page-cache column is the part of the dump one cold run left in the page cache. A core of many threads is mostly holes (untouched stack pages) that reading through a mapping fills with zero pages. corelens: `corelens analyze CORE --format json`; gdb: `gdb -batch -nx -ex '"'"'thread apply all bt'"'"' EXE CORE`; eu-stack: `eu-stack -i -s -n 0 --core CORE -e EXE`; notes floor: `%s CORE`. Frames are counted from each tool'"'"'s output (corelens: JSON frames, gdb and eu-stack: lines starting with `#`), inlined frames included. Ratios are corelens / tool: below 1 corelens is faster or smaller.\n\n' "${readnotes[*]}"
    printf '%s\n' "$table"
    if ((${#notes_lines[@]} > 0)); then
      printf '\n'
      for l in "${notes_lines[@]}"; do printf -- '- %s\n' "$l"; done
    fi
  } >"$out.tmp"
  # The sections other scripts wrote (run_overhead.sh's, live_stop.sh's, the values timings),
  # each between its "<!-- NAME: begin" and "<!-- NAME: end -->" lines: carried over unchanged.
  if [[ -f $out ]] && grep -q '^<!-- [a-z-]*: begin' "$out"; then
    awk '/^<!-- [a-z-]+: begin/ { inside = 1; print "" } inside { print } /^<!-- [a-z-]+: end -->$/ { inside = 0 }' \
      "$out" >>"$out.tmp"
  fi
  mv -f -- "$out.tmp" "$out"
  say "wrote $out"
fi
