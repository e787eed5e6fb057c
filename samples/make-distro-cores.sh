#!/usr/bin/env bash
# make-distro-cores OUTDIR [SET...]
#
# The fault-class samples (one program per class the exploitability tools name: a return to a
# corrupted address, calls and jumps through bad pointers, tainted reads, wild and NULL reads and
# writes, the runtime checks of glibc, planted and accidental invalid instructions) built and
# crashed where corelens does not run, so that their cores are analysed without the libc they
# ran with. SET is one of (default: all of them):
#   host           this machine's gcc, run here (the kernel's core: core_pattern must name a file)
#   i386           Debian 12's cross compiler (i686-linux-gnu-gcc), run under qemu-i386 with the
#                  cross sysroot /usr/i686-linux-gnu (a qemu-user core)
#   debian11       Debian 11 (glibc 2.31, gcc 10) in a debootstrapped chroot: built and run
#                  there, the kernel's core (core_pattern must name a file, as make-cores' kernel
#                  method needs)
#   debian11-i386  the same chroot's gcc -m32 (gcc-multilib), run under qemu-i386 with the chroot
#                  as its sysroot (a qemu-user core)
#   debian13, debian13-i386   the same in a Debian 13 chroot (trixie: glibc 2.41, gcc 14)
#
#   OUTDIR/SET/NAME        the executable (-g -fPIE -pie and the FLAGS its header names)
#   OUTDIR/SET/NAME.core   its core
#   OUTDIR/SET/NAME.log    what the compiler, the program and qemu printed
#   OUTDIR/SET/built       the samples made, one per line (written last: absent = the set failed)
#
# Each chroot is debootstrapped once (minbase, with gcc, libc6-dev and gcc-multilib; ~3 minutes)
# and cached as a tarball, as tests/install/deb_test.sh caches its Debian 12 one:
#   ${CORELENS_DEBIAN11_CACHE:-${XDG_CACHE_HOME:-~/.cache}/corelens/debian11}/chroot.tar.zst
#   ${CORELENS_DEBIAN13_CACHE:-${XDG_CACHE_HOME:-~/.cache}/corelens/debian13}/chroot.tar.zst
# (CORELENS_DEBIAN_MIRROR overrides the mirror). Cores are cached too: a set is rebuilt only when
# a source or this script is newer than its `built` list, or with CORELENS_CORES_FORCE=1.
# Exits non-zero, saying what is missing, when a set cannot be made: no root, no debootstrap, no
# qemu-i386, no cross compiler. A missing tool is a failure, never a skip.
set -euo pipefail

prog=make-distro-cores
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
case ${1:-} in
  -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
  '') sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script="$src/$(basename "${BASH_SOURCE[0]}")"
outdir=$1; shift
sets=("$@")
((${#sets[@]} > 0)) || sets=(host i386 debian11 debian11-i386 debian13 debian13-i386)
force=${CORELENS_CORES_FORCE:-0}
run_timeout=${CORELENS_CORES_TIMEOUT:-60}
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/corelens
mirror=${CORELENS_DEBIAN_MIRROR:-http://deb.debian.org/debian}

# One program per class (docs/user-guide.md, "Categories"), x86 only where the source says so.
samples=(bad_return wild_call_table wild_call_pointer wild_jump tainted_write tainted_call wild_read
         wild_write null_read null_write null_call fortify_fail stack_smashing heap_corruption assert_fail
         illegal_instruction invalid_opcode plain_abort)
# Each source names its own flags in its header ("FLAGS: -O2 ..."); -O0 when it names none.
# stack_smashing needs the stack protector, which Debian's gcc leaves off.
flags_of() {
  local f
  f=$(sed -n 's/^ \* FLAGS: *\([^(]*\).*/\1/p' "$src/$1.c" | head -n 1)
  [[ $1 == stack_smashing ]] && f="-O0 -fstack-protector-strong"
  echo "-g -fPIE -pie -Wall -Wextra -Wno-stringop-overflow ${f:--O0}"
}

mkdir -p -- "$outdir"
outdir=$(cd -- "$outdir" && pwd)

up_to_date() {  # SET_DIR
  [[ $force != 1 && -f $1/built ]] || return 1
  local s
  for s in "${samples[@]}"; do [[ $1/built -nt $src/$s.c ]] || return 1; done
  [[ $1/built -nt $script ]]
}

# Runs NAME's executable in DIR under qemu-i386 with SYSROOT; keeps the guest's core as NAME.core.
run_qemu_i386() {  # DIR NAME SYSROOT [QEMU ARGS...]
  local dir=$1 name=$2 sysroot=$3; shift 3
  local work found
  work=$(mktemp -d "$dir/.run.XXXXXX")
  # 1 MiB of stack keeps each core near 1.5 MiB; qemu's own core (it dies of the guest's signal
  # after writing the guest's) is kept to headers by coredump_filter 0 and removed with WORK.
  { (
    cd "$work"
    ulimit -c unlimited
    echo 0 >/proc/self/coredump_filter
    exec timeout "$run_timeout" qemu-i386 -L "$sysroot" -s 1048576 "$@" "$dir/$name"
  ) >>"$dir/$name.log" 2>&1; } 2>/dev/null || true
  found=$(find "$work" -maxdepth 1 -name 'qemu_*.core' | head -n 1)
  [[ -n $found ]] && mv "$found" "$dir/$name.core"
  rm -rf "$work"
  [[ -s $dir/$name.core ]] || { echo "$prog: $name: qemu-i386 wrote no core (see $dir/$name.log)" >&2; return 1; }
}

# The kernel writes the core where the program runs only when core_pattern names a plain file.
check_core_pattern() {  # SET
  local pattern
  pattern=$(cat /proc/sys/kernel/core_pattern)
  [[ $pattern != '|'* && $pattern != /* ]] ||
    die "$1: core_pattern is '$pattern': the kernel would not write the core where the program runs"
}

# Runs DIR/NAME (with COMMAND's prefix, e.g. chroot) in RUNDIR and keeps the kernel's core.
take_kernel_core() {  # SET DIR NAME RUNDIR COMMAND...
  local set=$1 dir=$2 name=$3 rundir=$4 core; shift 4
  # The shell's own "Segmentation fault" line about the dead child is noise: the log has the rest.
  { "$@" sh -c "cd $rundir && ulimit -c unlimited && exec timeout $run_timeout ./$name" >>"$dir/$name.log" 2>&1; } 2>/dev/null || true
  core=$(find "${chroot_prefix:-}$rundir" -maxdepth 1 -name 'core*' -type f | head -n 1)
  [[ -n $core ]] || die "$set: $name left no core (see $dir/$name.log)"
  mv "$core" "$dir/$name.core"
}

make_host() {
  local dir=$outdir/host name
  command -v gcc >/dev/null || die "host: gcc is not installed"
  check_core_pattern host
  up_to_date "$dir" && { echo "$prog: host: up to date"; return 0; }
  rm -rf "$dir"; mkdir -p "$dir"
  for name in "${samples[@]}"; do
    # shellcheck disable=SC2046
    gcc $(flags_of "$name") -o "$dir/$name" "$src/$name.c" >"$dir/$name.log" 2>&1 ||
      die "host: $name did not build (see $dir/$name.log)"
    mkdir -p "$dir/.run/$name" && cp "$dir/$name" "$dir/.run/$name/"
    chroot_prefix="" take_kernel_core host "$dir" "$name" "$dir/.run/$name" env
  done
  rm -rf "$dir/.run"
  printf '%s\n' "${samples[@]}" >"$dir/built"
  echo "$prog: host: ${#samples[@]} cores"
}

make_i386() {
  local dir=$outdir/i386 name
  command -v i686-linux-gnu-gcc >/dev/null || die "i386: i686-linux-gnu-gcc is not installed (gcc-i686-linux-gnu)"
  [[ -d /usr/i686-linux-gnu/lib ]] || die "i386: /usr/i686-linux-gnu is not installed (libc6-dev-i386-cross)"
  command -v qemu-i386 >/dev/null || die "i386: qemu-i386 is not installed (qemu-user)"
  up_to_date "$dir" && { echo "$prog: i386: up to date"; return 0; }
  rm -rf "$dir"; mkdir -p "$dir"
  echo /usr/i686-linux-gnu >"$dir/sysroot"
  for name in "${samples[@]}"; do
    # shellcheck disable=SC2046  # the flags are words
    i686-linux-gnu-gcc $(flags_of "$name") -o "$dir/$name" "$src/$name.c" >"$dir/$name.log" 2>&1 ||
      die "i386: $name did not build (see $dir/$name.log)"
    # i386 dynamic programs can spin forever in qemu-user's loader unless LD_LIBRARY_PATH is set.
    run_qemu_i386 "$dir" "$name" /usr/i686-linux-gnu -E LD_LIBRARY_PATH=/lib || exit 1
  done
  printf '%s\n' "${samples[@]}" >"$dir/built"
  echo "$prog: i386: ${#samples[@]} cores"
}

# ---- the Debian chroots ------------------------------------------------------------------------------
root="" root_release=""
cleanup() {
  [[ -n $root ]] && rm -rf --one-file-system "$(dirname "$root")"
  root=""
  return 0
}
trap cleanup EXIT

open_chroot() {  # RELEASE (debian11 or debian13)
  [[ $root_release == "$1" && -n $root ]] && return 0
  cleanup
  root_release=$1
  local codename cache
  case $1 in
    debian11) codename=bullseye; cache=${CORELENS_DEBIAN11_CACHE:-$cache_root/debian11} ;;
    debian13) codename=trixie; cache=${CORELENS_DEBIAN13_CACHE:-$cache_root/debian13} ;;
  esac
  [[ $(id -u) -eq 0 ]] || die "the $1 chroot needs root"
  command -v zstd >/dev/null || die "zstd is not installed"
  local work tarball=$cache/chroot.tar.zst start=$SECONDS
  work=$(mktemp -d "/var/tmp/corelens-$1-XXXXXX")
  root=$work/root
  mkdir -p "$cache"
  if [[ -f $tarball ]]; then
    mkdir "$root" && tar --zstd -xf "$tarball" -C "$root"
    echo "$prog: $1 chroot from the cache ($tarball, $((SECONDS - start)) s)"
  else
    command -v debootstrap >/dev/null || die "debootstrap is not installed"
    echo "$prog: debootstrap $codename from $mirror (cached afterwards in $tarball)"
    debootstrap --variant=minbase --include=gcc,libc6-dev,gcc-multilib "$codename" "$root" "$mirror" \
      >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap $codename failed"; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/usr/share/doc "$root"/usr/share/locale "$root"/usr/share/man
    tar --zstd -cf "$tarball.tmp" -C "$root" . && mv "$tarball.tmp" "$tarball"
    echo "$prog: $1 chroot made in $((SECONDS - start)) s and cached ($(du -h "$tarball" | cut -f1))"
  fi
  # qemu-user's -L looks the interpreter up under the sysroot but follows its symbolic links on
  # the host: /lib/ld-linux.so.2 -> /lib32/ld-2.31.so would load this machine's i386 ld.so.
  local ld
  ld=$(readlink "$root/lib/ld-linux.so.2" || readlink "$root/usr/lib/ld-linux.so.2" || true)
  if [[ $ld == /* ]]; then ln -sfn "../..$ld" "$root/usr/lib/ld-linux.so.2"; fi
  mkdir -p "$root/work"
}

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C "$@"; }

make_debian() {  # SET: debian11, debian11-i386, debian13, debian13-i386
  local set=$1 dir=$outdir/$1 name m32=""
  up_to_date "$dir" && { echo "$prog: $set: up to date"; return 0; }
  if [[ $set != *-i386 ]]; then
    check_core_pattern "$set"
  else
    command -v qemu-i386 >/dev/null || die "$set: qemu-i386 is not installed (qemu-user)"
    m32=-m32
  fi
  open_chroot "${set%-i386}"
  rm -rf "$dir"; mkdir -p "$dir"
  for name in "${samples[@]}"; do
    mkdir -p "$root/work/$set/$name"
    cp "$src/$name.c" "$root/work/$set/$name/"
    # Built where it runs, by the release's gcc; the source keeps its path in the DWARF.
    # shellcheck disable=SC2046
    in_root sh -c "cd /work/$set/$name && gcc $m32 $(flags_of "$name") -o $name $name.c" >"$dir/$name.log" 2>&1 ||
      die "$set: $name did not build in the chroot (see $dir/$name.log)"
    cp "$root/work/$set/$name/$name" "$dir/$name"
    if [[ $set != *-i386 ]]; then
      chroot_prefix=$root take_kernel_core "$set" "$dir" "$name" "/work/$set/$name" in_root
    else
      run_qemu_i386 "$dir" "$name" "$root" || exit 1
    fi
  done
  printf '%s\n' "${samples[@]}" >"$dir/built"
  echo "$prog: $set: ${#samples[@]} cores"
}

for set in "${sets[@]}"; do
  case $set in
    host) make_host ;;
    i386) make_i386 ;;
    debian11|debian11-i386|debian13|debian13-i386) make_debian "$set" ;;
    *) die "unknown set '$set' (known: host i386 debian11 debian11-i386 debian13 debian13-i386)" ;;
  esac
done
