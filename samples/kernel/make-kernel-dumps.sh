#!/usr/bin/env bash
# make-kernel-dumps OUTDIR
#
# Produces real crash dumps of a stock Debian kernel that really panicked, for the tests and for
# trying corelens by hand. No KVM and no root are needed, except for installing packages.
#
# Debian's kernel package of release DEBIAN (11, 12, 13) for ARCH (amd64, arm64) is fetched by
# package name from that release's archive (`apt-get download` with a private apt state, never
# installed) and booted under qemu-system-x86_64 or qemu-system-aarch64 (TCG, no KVM) with a
# busybox initramfs (crash-init.sh, beside this script) that starts two processes, writes the marker
# line "CORELENS-KDUMP-MARKER: init pid 1 about to crash" to the kernel log and crashes the
# kernel: with sysrq-c (CRASH=sysrq, a panic without an oops), or (CRASH=oops, amd64) by writing
# to corelens_oops.c (beside this script), a module built here against Debian's linux-headers-RELEASE
# (downloaded with its -common and linux-kbuild packages, never installed) whose write handler
# dereferences NULL: a real oops, which oops=panic turns into the panic.
# Two independent captures:
#   qemu : the VM is stopped at the panic (pvpanic pauses it where the kernel has the driver, else
#          the console's last panic line), and QMP dump-guest-memory writes
#            qemu.elf    ELF, physical-only PT_LOADs, phdrs after two section headers,
#                        notes NT_PRSTATUS per CPU ("QEMU" with CR3 too on x86_64), VMCOREINFO
#            qemu.flat   kdump-zlib, in makedumpfile's flattened format (QEMU 7.2 writes no other)
#            qemu.kdump  makedumpfile -R < qemu.flat: a plain diskdump (unfiltered, zlib). On
#                        x86_64 its sub-header phys_base is left as QEMU wrote it (wrong: QEMU 7.2
#                        parses the decimal NUMBER(phys_base) as hex); VMCOREINFO is right.
#   kdump: the guest loads a crash kernel (crashkernel=; kexec_file_load on amd64, Debian's own
#          kexec-tools on arm64, whose kernels have no kexec_file_load); the crash kernel copies
#          /proc/vmcore to a virtio disk, and makedumpfile writes what production kdump writes:
#            vmcore.elf        /proc/vmcore (kexec ELF: phdrs at 64, virtual+physical PT_LOADs,
#                              NT_PRSTATUS per CPU saved by the kernel, VMCOREINFO with CRASHTIME)
#            vmcore.kdump      makedumpfile -c -d 31   (zlib)
#            vmcore-lzo.kdump  makedumpfile -l -d 31   (lzo)
#            vmcore.flat       makedumpfile -F -c -d 31 (flattened; on arm64 written inside the
#                              guest from /proc/vmcore, and vmcore.kdump is its makedumpfile -R)
# and as ground truth from the same run:
#   console-qemu.log, console-kdump.log   the serial console (the kernel's own oops and trace)
#   NAME.dmesg          makedumpfile --dump-dmesg NAME, for every dump where makedumpfile works
#                       (not qemu.elf: makedumpfile 1.7 wants phdrs at offset 64; not *.flat). For
#                       arm64, Debian's arm64 makedumpfile: inside the crash kernel for vmcore.elf,
#                       under qemu-aarch64 (qemu-user) for the others.
#   info.txt            kernel package, release, Debian release, architecture, options, timings
#   corelens_oops.ko    (CRASH=oops) the module that oopsed, with DWARF (corelens --module-dir)
#
# Dumps are cached: OUTDIR's files are hard links (or copies) into
#   $CORELENS_KDUMP_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/corelens/kernel-dumps)/RELEASE-KEY
# where KEY hashes this script, its helpers (samples/kernel/*; fetch-kernel-vmlinux.sh, which makes
# no dumps, aside; the shell scripts without their comment lines) and the options, so a second run
# takes no time;
# a set made with the same options by an older version of the scripts is removed. The kernel
# package is cached there too (kernels/RELEASE), and so are the apt lists of each release and
# architecture (apt/CODENAME-ARCH) and arm64's user-space tools (tools/CODENAME-arm64). When apt
# cannot resolve the current kernel (no network), the newest cached kernel of the release is used.
#
# Environment:
#   DEBIAN=11|12|13 (default 12)   ARCH=amd64|arm64 (default amd64)
#   METHOD=both|qemu|kdump (default both)   SMP=2   APPEND_EXTRA="" (e.g. nokaslr)   CRASH=sysrq|oops
#   KFLAVOUR=amd64|cloud-amd64|arm64|...  (default ARCH)   KVER=6.1.0-NN (default: what
#   linux-image-$KFLAVOUR depends on in that release)   CPU= (QEMU's -cpu; default qemu64 or
#   cortex-a57; e.g. max,pauth-impdef=on for arm64's 52-bit VA and pointer authentication)
#   KDUMP_CPU= (the kdump boot's -cpu; default CPU, but max,pauth-impdef=on on arm64: see arch-arm64.sh)
#   MEM_QEMU  MEM_KDUMP  CRASHKERNEL (defaults per ARCH)   TIMEOUT=240 (seconds per boot; a boot
#   that fails for want of time or stops short is retried once with twice that, see boot_failure)
#   FORCE=1 ignores the dump cache.  INSTALL_DEPS=1 runs apt-get install for missing packages.
#   KEEP_WORK=1 keeps the work directory (initramfs trees, disk image) for debugging.
# Exit status: 0 dumps made; 1 failure, also when qemu, busybox-static, makedumpfile or the kernel
# package cannot be had here (the reason is printed); 77 skipped, instead of that failure, when
# CORELENS_SKIP (comma-separated) names `kernel`. The private apt lists (see apt_for) are updated
# first when they are missing or older than a day.
set -euo pipefail

prog=make-kernel-dumps
# The helpers sit beside this script, in samples/kernel/.
KHELP=$(cd "$(dirname "$(realpath "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=script-lib.sh
. "$KHELP/script-lib.sh"
help_if_asked "${BASH_SOURCE[0]}" "${1:-}"
OUT=$(realpath -m "$1")
[[ -f $KHELP/crash-init.sh ]] || die "helpers not found in $KHELP"

DEBIAN=${DEBIAN:-12}
ARCH=${ARCH:-amd64}
CODENAME=$(debian_codename "$DEBIAN") || die "DEBIAN must be 11, 12 or 13"
case $ARCH in amd64|arm64) ;; *) die "ARCH must be amd64 or arm64" ;; esac
METHOD=${METHOD:-both}
KFLAVOUR=${KFLAVOUR:-$ARCH}
SMP=${SMP:-2}
TIMEOUT=${TIMEOUT:-240}
APPEND_EXTRA=${APPEND_EXTRA:-}
CRASH=${CRASH:-sysrq}
case $METHOD in both|qemu|kdump) ;; *) die "METHOD must be both, qemu or kdump" ;; esac
case $CRASH in sysrq|oops) ;; *) die "CRASH must be sysrq or oops" ;; esac
# What differs between the architectures: QEMU, modules, how the crash kernel is loaded and how
# its dumps are written (arch-amd64.sh, arch-arm64.sh).
# shellcheck source=arch-amd64.sh
. "$KHELP/arch-$ARCH.sh"

# ------------------------------------------------------------------ dependencies
need="$QEMU:$QEMU_PACKAGE makedumpfile:makedumpfile python3:python3 $ARCH_NEEDS"
[[ $CRASH == sysrq ]] || need+=" gcc-12:gcc-12 make:make"
missing=""
for pair in $need; do command -v "${pair%%:*}" >/dev/null || missing+=" ${pair#*:}"; done
if [[ -n $missing && ${INSTALL_DEPS:-0} == 1 ]]; then
  refresh_apt_lists
  log "apt-get install$missing"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >&2
  missing=""
  for pair in $need; do command -v "${pair%%:*}" >/dev/null || missing+=" ${pair#*:}"; done
fi
[[ -z $missing ]] || unavailable "missing packages:$missing (apt-get install$missing, or INSTALL_DEPS=1)"

# ------------------------------------------------------------------ kernel (cached)
lock_cache
mkdir -p "$CACHE/kernels"
apt_for "$CODENAME" "$ARCH"
resolve() { apt-cache "${APT[@]}" depends "linux-image-$KFLAVOUR" 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'; }
if [[ -n ${KVER:-} ]]; then
  KREL=$KVER-$KFLAVOUR
else
  dep=$(resolve || true)
  KREL=${dep#linux-image-}
  if [[ -z $KREL ]]; then     # no package lists: the newest kernel of this release already in the cache
    KREL=$(grep -l "^debian=$DEBIAN\$" "$CACHE"/kernels/*-"$KFLAVOUR"/info 2>/dev/null | xargs -r -n1 dirname |
           xargs -r -n1 basename | sort -V | tail -1 || true)
    [[ -n $KREL ]] || unavailable "apt cannot resolve linux-image-$KFLAVOUR of Debian $DEBIAN ($CODENAME) and no kernel is cached"
    log "apt cannot resolve linux-image-$KFLAVOUR; using cached $KREL"
  fi
fi
KDIR=$CACHE/kernels/$KREL
if [[ ! -f $KDIR/.done ]]; then
  log "apt-get download linux-image-$KREL (Debian $DEBIAN $CODENAME, $ARCH)"
  rm -rf "$KDIR"; mkdir -p "$KDIR/x" "$KDIR/modules"
  apt_download "$KDIR" "linux-image-$KREL" || { rm -rf "$KDIR"; unavailable "cannot download linux-image-$KREL"; }
  deb=$(ls "$KDIR"/linux-image-"$KREL"_*.deb)
  patterns=("./boot/vmlinuz-$KREL" "./boot/config-$KREL")
  for m in $CRASH_MODULES $CAPTURE_MODULES; do patterns+=("*/$m.ko" "*/$m.ko.xz" "*/$m.ko.zst"); done
  # Modules built into this kernel are simply not there; the init scripts load what they find.
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$KDIR/x" --wildcards "${patterns[@]}" 2>/dev/null || true
  [[ -f $KDIR/x/boot/vmlinuz-$KREL ]] || die "linux-image-$KREL has no boot/vmlinuz-$KREL"
  mv "$KDIR/x/boot/"* "$KDIR/"
  find "$KDIR/x" -name '*.ko*' -exec mv {} "$KDIR/modules/" \;
  for f in "$KDIR"/modules/*.ko.xz; do [[ -e $f ]] && xz -d "$f"; done
  for f in "$KDIR"/modules/*.ko.zst; do [[ -e $f ]] && zstd -q -d --rm "$f"; done
  dpkg-deb -f "$deb" Version > "$KDIR/version"
  printf 'debian=%s\narch=%s\n' "$DEBIAN" "$ARCH" > "$KDIR/info"
  rm -rf "$KDIR/x" "$deb"
  touch "$KDIR/.done"
fi

# ------------------------------------------------------------------ dump cache
CPU=${CPU:-$DEFAULT_CPU}
KDUMP_CPU=${KDUMP_CPU:-$CPU}
options="$METHOD $SMP $MEM_QEMU $MEM_KDUMP $CRASHKERNEL $APPEND_EXTRA $CRASH $CPU $KDUMP_CPU"
recipe=()
for f in "$KHELP"/*; do [[ $f == */fetch-kernel-vmlinux.sh ]] || recipe+=("$f"); done
# The key is what makes the dumps: a shell script's comment lines and blank lines are left out, so
# editing a comment does not boot every kernel again (other files, C and init scripts, count whole).
recipe_text() {
  local f
  for f in "${recipe[@]}"; do
    if [[ $f == *.sh ]]; then sed -E '/^[[:space:]]*#/d; /^[[:space:]]*$/d' "$f"; else cat "$f"; fi
  done
}
key=$( { recipe_text; echo "$options"; } | sha256sum | cut -c1-16)
DUMPS=$CACHE/$KREL-$key
link_out() {
  mkdir -p "$OUT"
  for f in "$DUMPS"/*; do
    ln -f "$f" "$OUT/" 2>/dev/null || cp --sparse=always -f "$f" "$OUT/"
  done
}
if [[ -f $DUMPS/.complete && ${FORCE:-0} != 1 ]]; then
  link_out
  log "cached dumps of $KREL ($DUMPS) -> $OUT"
  exit 0
fi
rm -rf "$DUMPS"; mkdir -p "$DUMPS"

W=$(mktemp -d "${TMPDIR:-/tmp}/$prog.XXXXXX")
QPID=
cleanup() { [[ -n $QPID ]] && kill "$QPID" 2>/dev/null; if [[ ${KEEP_WORK:-0} == 1 ]]; then log "work files kept in $W"; else rm -rf "$W"; fi; }
trap cleanup EXIT
arch_prepare   # busybox (and arm64's kexec-tools and makedumpfile) for the initramfs

# ------------------------------------------------------------------ the oops module (CRASH=oops)
# The kernel's headers and build tools, extracted (cached beside the kernel), and the module built
# with the kernel's own compiler flags: objtool gives it ORC tables as every Debian module has.
OOPS_KO=
if [[ $CRASH == oops ]]; then
  [[ $ARCH == amd64 ]] || die "CRASH=oops builds its module for amd64 only"
  HDIR=$KDIR/headers
  KVERSION=$(cat "$KDIR/version")
  if [[ ! -f $HDIR/.done ]]; then
    # linux-headers-RELEASE and what it depends on of the same source: -common and linux-kbuild.
    pkgs="linux-headers-$KREL=$KVERSION"
    for p in $(apt-cache "${APT[@]}" depends "linux-headers-$KREL" 2>/dev/null |
               awk '/Depends: linux-(headers|kbuild)-/{print $2}'); do pkgs+=" $p=$KVERSION"; done
    log "apt-get download $pkgs"
    rm -rf "$HDIR"; mkdir -p "$HDIR/debs"
    apt_download "$HDIR/debs" $pkgs || { rm -rf "$HDIR"; unavailable "cannot download the headers of $KREL ($pkgs)"; }
    for d in "$HDIR"/debs/*.deb; do dpkg-deb -x "$d" "$HDIR/root"; done
    rm -rf "$HDIR/debs"
    # Its Makefile includes the -common one by absolute path: point it at ours.
    common=$(ls -d "$HDIR"/root/usr/src/linux-headers-*-common 2>/dev/null | head -1)
    [[ -n $common ]] && echo "include $common/Makefile" > "$HDIR/root/usr/src/linux-headers-$KREL/Makefile"
    touch "$HDIR/.done"
  fi
  mkdir -p "$W/oops"
  cp "$KHELP/corelens_oops.c" "$W/oops/"
  echo 'obj-m := corelens_oops.o' > "$W/oops/Kbuild"
  log "build corelens_oops.ko against linux-headers-$KREL"
  make -s -C "$HDIR/root/usr/src/linux-headers-$KREL" M="$W/oops" modules >"$W/oops/build.log" 2>&1 \
    || { cat "$W/oops/build.log" >&2; die "the oops module does not build"; }
  OOPS_KO=$W/oops/corelens_oops.ko
  # Kept beside the dumps: the module that ran, with its DWARF, for file:line in module frames.
  cp "$OOPS_KO" "$DUMPS/"
fi
CRASH_CMD='echo c > /proc/sysrq-trigger'
[[ $CRASH == oops ]] && CRASH_CMD='insmod /lib/modules/corelens_oops.ko || echo "CORELENS-KDUMP: insmod corelens_oops failed"
echo 1 > /proc/corelens-oops'

# new_root DIR MODULE...: a busybox root whose /lib/modules/order lists the modules of this kernel
# among MODULE... (in that order: dependencies first), for the init scripts to load.
new_root() {
  local dir=$1; shift
  rm -rf "$dir"; mkdir -p "$dir"/{bin,dev,proc,sys,tmp,boot,lib/modules}
  cp "$BUSYBOX" "$dir/bin/busybox"
  : > "$dir/lib/modules/order"
  for m in "$@"; do
    [[ -f $KDIR/modules/$m.ko ]] || continue
    cp "$KDIR/modules/$m.ko" "$dir/lib/modules/"; echo "$m" >> "$dir/lib/modules/order"
  done
}
crash_root() {   # $1 dir, $2 commands before the crash
  new_root "$1" $CRASH_MODULES
  cp "$KHELP/sleeper.sh" "$1/bin/corelens-sleeper"
  [[ -z $OOPS_KO ]] || cp "$OOPS_KO" "$1/lib/modules/"
  BEFORE=$2 CRASH_CMD=$CRASH_CMD python3 -c 'import os,sys; sys.stdout.write(open(sys.argv[1]).read()
    .replace("@BEFORE_CRASH@", os.environ["BEFORE"]).replace("@CRASH@", os.environ["CRASH_CMD"]))' \
    "$KHELP/crash-init.sh" > "$1/init"
  chmod +x "$1/init" "$1/bin/corelens-sleeper"
}
QEMU_COMMON=("${QEMU_MACHINE[@]}" -smp "$SMP" -display none -nic none -monitor none -no-reboot
             -kernel "$KDIR/vmlinuz-$KREL" -device vmcoreinfo)
APPEND="console=$CONSOLE panic=0 oops=panic loglevel=7 $APPEND_EXTRA"
# truth_of DUMP TRUTH: makedumpfile's own reading of DUMP's log into TRUTH, the ground truth of
# the log tests. When this release's makedumpfile does not support the kernel (status 2), there
# is none and the tests compare with the console instead; any other failure is an error.
truth_of() {
  local status=0 how=arch_dump_dmesg
  [[ $1 != */qemu.kdump ]] || how=arch_qemu_kdump_dmesg
  $how "$1" "$2" || status=$?
  case $status in
    0) grep -q 'CORELENS-KDUMP-MARKER' "$2" || die "${1##*/}: makedumpfile's dmesg lacks the marker line" ;;
    2) rm -f "$2"; log "makedumpfile does not support this kernel: no ${2##*/}"; truths_missing+=" ${2##*/}" ;;
    *) rm -f "$2"; die "makedumpfile --dump-dmesg ${1##*/} failed" ;;
  esac
}
truths_missing=""
timings=""

# A boot under TCG takes 15-90 s on an idle machine and several times that on a busy one (CI's two
# cores shared with the build and the tests). A boot that runs out of time or stops short is
# retried once with twice the time, after the log says where the first one stopped and why; a
# failure another boot would repeat (kexec cannot load the crash kernel, memory too small) is not.
# boot_failure CONSOLE STATUS SECONDS: where the boot stopped, from its console; status 1 when
# retrying cannot help.
boot_failure() {
  local console=$1 status=$2 seconds=$3 where
  if [[ ! -s $console ]]; then where="the console is empty (the kernel printed nothing)"
  elif grep -q 'CORELENS-KDUMP: kexec load failed' "$console"; then
    echo "kexec could not load the crash kernel (see the console above)"; return 1
  elif grep -q 'Out of memory\|Kernel panic - not syncing: System is deadlocked on memory' "$console"; then
    echo "out of memory (try a larger MEM_KDUMP or CRASHKERNEL)"; return 1
  elif where=$(grep -o 'CORELENS-KDUMP-CAPTURE: \(no /dev/vda\|copying /proc/vmcore failed\).*' "$console"); then
    where="the crash kernel: ${where#CORELENS-KDUMP-CAPTURE: }"
  elif grep -q 'CORELENS-KDUMP-CAPTURE: crash kernel up' "$console"; then
    where="the crash kernel was copying /proc/vmcore"
  elif grep -q 'Kernel panic - not syncing' "$console"; then
    # kdump: the crash kernel prints its own command line again when it boots.
    if (( $(grep -c 'Kernel command line:' "$console") > 1 )); then where="the crash kernel was booting"
    else where="the kernel panicked; the capture had not started"
    fi
  elif grep -q 'CORELENS-KDUMP-MARKER' "$console"; then where="init was about to crash the kernel"
  elif grep -q 'Run /init as init process' "$console"; then where="init was starting"
  else where="the kernel was booting (last line: $(tail -1 "$console" | tr -d '\r' | cut -c1-100))"
  fi
  if (( status == 124 )); then echo "no result in $seconds s (qemu stopped by timeout); $where"
  else echo "qemu exited with status $status; $where"
  fi
}
# with_retry NAME CONSOLE FUNCTION: FUNCTION SECONDS boots and captures (status 0: done); once
# more with twice the seconds when boot_failure says that may help. Dies with the reason.
with_retry() {
  local name=$1 console=$2 fn=$3 seconds=$TIMEOUT status reason try
  for try in 1 2; do
    status=0
    "$fn" "$seconds" || status=$?
    (( status == 0 )) && return 0
    if ! reason=$(boot_failure "$console" "$status" "$seconds"); then break; fi
    (( try == 1 )) || break
    log "$name: the boot failed: $reason; booting once more with $(( 2 * seconds )) s"
    timings+=" $name-retry"
    seconds=$(( 2 * seconds ))
  done
  [[ ! -s $W/qemu-$name.log ]] || cat "$W/qemu-$name.log" >&2
  grep -E 'CORELENS|crashkernel|Out of memory|not syncing|kexec' "$console" >&2 || true
  die "$name method failed: $reason"
}

# ------------------------------------------------------------------ method qemu
if [[ $METHOD != kdump ]]; then
  crash_root "$W/qroot" ''
  python3 "$KHELP/mkcpio.py" "$W/qroot" "$W/qemu-initrd.gz"
  log "qemu: boot $KREL (TCG, -cpu $CPU -smp $SMP -m $MEM_QEMU), wait for the panic, dump-guest-memory"
  t=$(date +%s)
  # qemu_boot SECONDS: boots, waits for the panic, dumps; qmp-dump.py's status 2: no panic in time.
  qemu_boot() {
    local status=0
    rm -f "$W/qmp.sock" "$DUMPS"/qemu.elf "$DUMPS"/qemu.flat
    "$QEMU" "${QEMU_COMMON[@]}" -cpu "$CPU" -m "$MEM_QEMU" -action panic=pause \
        -initrd "$W/qemu-initrd.gz" -append "$APPEND" -serial "file:$DUMPS/console-qemu.log" \
        -qmp "unix:$W/qmp.sock,server=on,wait=off" >"$W/qemu-qemu.log" 2>&1 &
    QPID=$!
    python3 "$KHELP/qmp-dump.py" "$W/qmp.sock" "$DUMPS" "$1" "$DUMPS/console-qemu.log" || status=$?
    if (( status )); then
      grep -q 'Could not access KVM\|failed to initialize' "$W/qemu-qemu.log" && unavailable "qemu cannot run here"
      kill "$QPID" 2>/dev/null || true
      (( status == 2 )) && status=124   # as timeout(1) says it
    fi
    wait "$QPID" || true; QPID=
    return "$status"
  }
  with_retry qemu "$DUMPS/console-qemu.log" qemu_boot
  chmod u+w "$DUMPS"/qemu.*          # QEMU creates its dumps with mode 0400
  fallocate --dig-holes "$DUMPS/qemu.elf" 2>/dev/null || true   # all of RAM, mostly zeros
  makedumpfile -R "$DUMPS/qemu.kdump" < "$DUMPS/qemu.flat" >/dev/null 2>&1 || die "makedumpfile -R failed"
  truth_of "$DUMPS/qemu.kdump" "$DUMPS/qemu.kdump.dmesg"
  timings+=" qemu=$(( $(date +%s) - t ))s"
  log "qemu: done"
fi

# ------------------------------------------------------------------ method kdump
if [[ $METHOD != qemu ]]; then
  t=$(date +%s)
  arch_kdump   # boots, panics into the crash kernel; leaves vmcore.elf, vmcore*.kdump, vmcore.flat
  for d in vmcore.elf vmcore.kdump vmcore-lzo.kdump; do
    if [[ -f $DUMPS/$d && ! -f $DUMPS/$d.dmesg ]]; then truth_of "$DUMPS/$d" "$DUMPS/$d.dmesg"; fi
  done
  timings+=" kdump=$(( $(date +%s) - t ))s"
  log "kdump: done"
fi

{ echo "kernel_package=linux-image-$KREL $(cat "$KDIR/version")"
  echo "release=$KREL"
  echo "debian=$DEBIAN"
  echo "arch=$ARCH"
  echo "method=$METHOD smp=$SMP mem_qemu=$MEM_QEMU mem_kdump=$MEM_KDUMP crashkernel=$CRASHKERNEL append=$APPEND_EXTRA"
  echo "cpu=$CPU kdump_cpu=$KDUMP_CPU"
  echo "crash=$CRASH"
  echo "no_makedumpfile_truth=${truths_missing# }"
  echo "timings=${timings# }"; } > "$DUMPS/info.txt"
echo "$options" > "$DUMPS/.options"
touch "$DUMPS/.complete"
# The same options made by an older version of these scripts: superseded, hundreds of MiB each.
for old in "$CACHE/$KREL"-*; do
  if [[ $old != "$DUMPS" && -f $old/.options && $(cat "$old/.options") == "$options" ]]; then rm -rf -- "$old"; fi
done
link_out
log "done: $(cd "$OUT" && ls -ls --block-size=K qemu.* vmcore* 2>/dev/null | grep -v dmesg | awk '{printf "%s=%s(disk %s) ", $10, $6, $1}')"
