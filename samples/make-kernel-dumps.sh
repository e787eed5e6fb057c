#!/usr/bin/env bash
# make-kernel-dumps OUTDIR
#
# Produces real crash dumps of a stock Debian 12 kernel that really panicked, for the tests and
# for trying corelens by hand. No KVM and no root are needed, except for installing packages.
#
# Debian's kernel package is fetched with `apt-get download` (never installed) and booted under
# qemu-system-x86_64 (TCG) with a busybox initramfs (samples/kernel/crash-init.sh) that starts two
# processes, writes the marker line "CORELENS-KDUMP-MARKER: init pid 1 about to crash" to the
# kernel log and crashes the kernel: with sysrq-c (CRASH=sysrq, a panic without an oops), or
# (CRASH=oops) by writing to samples/kernel/corelens_oops.c, a module built here against Debian's
# linux-headers-RELEASE (downloaded with its -common and linux-kbuild packages, never installed)
# whose write handler dereferences NULL: a real oops, which oops=panic turns into the panic.
# Two independent captures:
#   qemu : pvpanic pauses the VM at the panic; QMP dump-guest-memory writes
#            qemu.elf    ELF, physical-only PT_LOADs, phdrs after two section headers,
#                        notes NT_PRSTATUS and "QEMU" (with CR3) per CPU, then VMCOREINFO
#            qemu.flat   kdump-zlib, in makedumpfile's flattened format (QEMU 7.2 writes no other)
#            qemu.kdump  makedumpfile -R < qemu.flat: a plain diskdump (unfiltered, zlib). Its
#                        sub-header phys_base is left as QEMU wrote it (wrong: QEMU 7.2 parses
#                        the decimal NUMBER(phys_base) as hex); VMCOREINFO is right.
#   kdump: the guest loads a crash kernel (kexec_file_load, crashkernel=); the crash kernel copies
#          /proc/vmcore to a virtio disk; makedumpfile then writes what production kdump writes:
#            vmcore.elf        /proc/vmcore (kexec ELF: phdrs at 64, virtual+physical PT_LOADs,
#                              NT_PRSTATUS per CPU saved by the kernel, VMCOREINFO with CRASHTIME)
#            vmcore.kdump      makedumpfile -c -d 31   (zlib)
#            vmcore-lzo.kdump  makedumpfile -l -d 31   (lzo)
#            vmcore.flat       makedumpfile -F -c -d 31 (flattened)
# and as ground truth from the same run:
#   console-qemu.log, console-kdump.log   the serial console (the kernel's own oops and trace)
#   NAME.dmesg          makedumpfile --dump-dmesg NAME, for every dump where makedumpfile works
#                       (not qemu.elf: makedumpfile 1.7.2 wants phdrs at offset 64; not *.flat)
#   info.txt            kernel package, release, options, timings
#   corelens_oops.ko    (CRASH=oops) the module that oopsed, with DWARF (corelens --module-dir)
#
# Dumps are cached: OUTDIR's files are hard links (or copies) into
#   $CORELENS_KDUMP_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/corelens/kernel-dumps)/RELEASE-KEY
# where KEY hashes this script, samples/kernel/* and the options, so a second run takes no time;
# a set made with the same options by an older version of the scripts is removed.
# The kernel package is cached there too (kernels/RELEASE); when apt cannot resolve the current
# kernel (no network), the newest cached kernel is used.
#
# Environment:
#   METHOD=both|qemu|kdump (default both)   SMP=2   APPEND_EXTRA="" (e.g. nokaslr)   CRASH=sysrq|oops
#   KFLAVOUR=amd64|cloud-amd64   KVER=6.1.0-NN (default: what linux-image-$KFLAVOUR depends on)
#   MEM_QEMU=256M  MEM_KDUMP=320M  CRASHKERNEL=112M  TIMEOUT=240 (seconds per boot)
#   FORCE=1 ignores the dump cache.  INSTALL_DEPS=1 runs apt-get install for missing packages.
# Exit status: 0 dumps made; 1 failure, also when qemu-system-x86_64, busybox-static, makedumpfile
# or the kernel package cannot be had here (the reason is printed); 77 skipped, instead of that
# failure, when CORELENS_SKIP (comma-separated) names `kernel`. apt's lists are updated first when
# they are missing or older than a day (.ci/apt-update-if-stale).
set -euo pipefail

prog=make-kernel-dumps
HERE=$(cd "$(dirname "$(realpath "${BASH_SOURCE[0]}")")" && pwd)
KHELP=$HERE/kernel
# shellcheck source=kernel/script-lib.sh
. "$KHELP/script-lib.sh"
help_if_asked "${BASH_SOURCE[0]}" "${1:-}"
OUT=$(realpath -m "$1")
[[ -f $KHELP/crash-init.sh ]] || die "helpers not found in $KHELP"

METHOD=${METHOD:-both}
KFLAVOUR=${KFLAVOUR:-amd64}
SMP=${SMP:-2}
MEM_QEMU=${MEM_QEMU:-256M}
MEM_KDUMP=${MEM_KDUMP:-320M}
CRASHKERNEL=${CRASHKERNEL:-112M}
TIMEOUT=${TIMEOUT:-240}
APPEND_EXTRA=${APPEND_EXTRA:-}
CRASH=${CRASH:-sysrq}
case $METHOD in both|qemu|kdump) ;; *) die "METHOD must be both, qemu or kdump" ;; esac
case $CRASH in sysrq|oops) ;; *) die "CRASH must be sysrq or oops" ;; esac

# ------------------------------------------------------------------ dependencies
need="qemu-system-x86_64:qemu-system-x86 busybox:busybox-static makedumpfile:makedumpfile python3:python3"
[[ $METHOD == qemu ]] || need+=" gcc:gcc"
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
BB=$(command -v busybox)
{ ldd "$BB" 2>&1 || true; } | grep -q 'not a dynamic' || unavailable "busybox is not the static one (apt-get install busybox-static)"

# ------------------------------------------------------------------ kernel (cached)
mkdir -p "$CACHE/kernels"
refresh_apt_lists
if [[ -n ${KVER:-} ]]; then
  KREL=$KVER-$KFLAVOUR
else
  resolve() { apt-cache depends "linux-image-$KFLAVOUR" 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'; }
  dep=$(resolve || true)
  KREL=${dep#linux-image-}
  if [[ -z $KREL ]]; then     # no package lists: the newest kernel already in the cache
    KREL=$(ls -1 "$CACHE/kernels" 2>/dev/null | grep -- "-$KFLAVOUR\$" | sort -V | tail -1 || true)
    [[ -n $KREL ]] || unavailable "apt-cache cannot resolve linux-image-$KFLAVOUR (run apt-get update) and no kernel is cached"
    log "apt cannot resolve linux-image-$KFLAVOUR; using cached $KREL"
  fi
fi
KDIR=$CACHE/kernels/$KREL
MODS="firmware/qemu_fw_cfg misc/pvpanic/pvpanic misc/pvpanic/pvpanic-mmio virtio/virtio_ring virtio/virtio
      virtio/virtio_pci_legacy_dev virtio/virtio_pci_modern_dev virtio/virtio_pci block/virtio_blk"
if [[ ! -f $KDIR/.done ]]; then
  log "apt-get download linux-image-$KREL"
  rm -rf "$KDIR"; mkdir -p "$KDIR/x" "$KDIR/modules"
  (cd "$KDIR" && { apt-get download "linux-image-$KREL" >&2 2>&1 || { apt-get update -qq >&2 && apt-get download "linux-image-$KREL" >&2; }; }) \
    || { rm -rf "$KDIR"; unavailable "cannot download linux-image-$KREL"; }
  paths="./boot/vmlinuz-$KREL ./boot/config-$KREL"
  for m in $MODS; do paths+=" ./lib/modules/$KREL/kernel/drivers/$m.ko"; done
  dpkg-deb --fsys-tarfile "$KDIR"/linux-image-"${KREL}"_*.deb | tar -x -C "$KDIR/x" $paths
  mv "$KDIR/x/boot/"* "$KDIR/"
  find "$KDIR/x" -name '*.ko' -exec mv {} "$KDIR/modules/" \;
  dpkg-deb -f "$KDIR"/linux-image-"${KREL}"_*.deb Version > "$KDIR/version"
  rm -rf "$KDIR/x" "$KDIR"/*.deb
  touch "$KDIR/.done"
fi

# ------------------------------------------------------------------ dump cache
options="$METHOD $SMP $MEM_QEMU $MEM_KDUMP $CRASHKERNEL $APPEND_EXTRA $CRASH"
key=$( { cat "${BASH_SOURCE[0]}" "$KHELP"/*; echo "$options"; } | sha256sum | cut -c1-16)
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
cleanup() { [[ -n $QPID ]] && kill "$QPID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

# ------------------------------------------------------------------ the oops module (CRASH=oops)
# The kernel's headers and build tools, extracted (cached beside the kernel), and the module built
# with the kernel's own compiler flags: objtool gives it ORC tables as every Debian module has.
OOPS_KO=
if [[ $CRASH == oops ]]; then
  HDIR=$KDIR/headers
  KBASE=${KREL%-"$KFLAVOUR"}                 # 6.1.0-57
  KSERIES=$(echo "$KBASE" | cut -d. -f1,2)   # 6.1
  KVERSION=$(cat "$KDIR/version")
  if [[ ! -f $HDIR/.done ]]; then
    pkgs="linux-headers-$KREL=$KVERSION linux-headers-$KBASE-common=$KVERSION linux-kbuild-$KSERIES=$KVERSION"
    log "apt-get download $pkgs"
    rm -rf "$HDIR"; mkdir -p "$HDIR/debs"
    (cd "$HDIR/debs" && { apt-get download $pkgs >&2 2>&1 || { apt-get update -qq >&2 && apt-get download $pkgs >&2; }; }) \
      || { rm -rf "$HDIR"; unavailable "cannot download the headers of $KREL ($pkgs)"; }
    for d in "$HDIR"/debs/*.deb; do dpkg-deb -x "$d" "$HDIR/root"; done
    rm -rf "$HDIR/debs"
    # Its Makefile includes the -common one by absolute path: point it at ours.
    echo "include $HDIR/root/usr/src/linux-headers-$KBASE-common/Makefile" > "$HDIR/root/usr/src/linux-headers-$KREL/Makefile"
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

new_root() {   # $1 dir; a busybox root with the crash init
  rm -rf "$1"; mkdir -p "$1"/{bin,dev,proc,sys,tmp,boot,lib/modules}
  cp "$BB" "$1/bin/busybox"
}
crash_root() {   # $1 dir, $2 commands before the crash
  new_root "$1"
  cp "$KDIR/modules/qemu_fw_cfg.ko" "$KDIR/modules/pvpanic.ko" "$KDIR/modules/pvpanic-mmio.ko" "$1/lib/modules/"
  cp "$KHELP/sleeper.sh" "$1/bin/corelens-sleeper"
  [[ -z $OOPS_KO ]] || cp "$OOPS_KO" "$1/lib/modules/"
  BEFORE=$2 CRASH_CMD=$CRASH_CMD python3 -c 'import os,sys; sys.stdout.write(open(sys.argv[1]).read()
    .replace("@BEFORE_CRASH@", os.environ["BEFORE"]).replace("@CRASH@", os.environ["CRASH_CMD"]))' \
    "$KHELP/crash-init.sh" > "$1/init"
  chmod +x "$1/init" "$1/bin/corelens-sleeper"
}
QEMU_COMMON=(-machine pc -accel tcg -cpu qemu64 -smp "$SMP" -display none -vga none -nic none
             -monitor none -no-reboot -kernel "$KDIR/vmlinuz-$KREL" -device vmcoreinfo -device pvpanic)
APPEND="console=ttyS0 panic=0 oops=panic loglevel=7 $APPEND_EXTRA"
dmesg_of() {   # ground truth: makedumpfile's own reading of the log
  makedumpfile --dump-dmesg "$DUMPS/$1" "$DUMPS/$1.dmesg" >/dev/null 2>&1 || { rm -f "$DUMPS/$1.dmesg"; return 1; }
  grep -q 'CORELENS-KDUMP-MARKER' "$DUMPS/$1.dmesg" || die "$1: makedumpfile's dmesg lacks the marker line"
}
timings=""

# ------------------------------------------------------------------ method qemu
if [[ $METHOD != kdump ]]; then
  crash_root "$W/qroot" ''
  python3 "$KHELP/mkcpio.py" "$W/qroot" "$W/qemu-initrd.gz"
  log "qemu: boot $KREL (TCG, -smp $SMP -m $MEM_QEMU), wait for the panic, dump-guest-memory"
  t=$(date +%s)
  qemu-system-x86_64 "${QEMU_COMMON[@]}" -m "$MEM_QEMU" -action panic=pause \
      -initrd "$W/qemu-initrd.gz" -append "$APPEND" -serial "file:$DUMPS/console-qemu.log" \
      -qmp "unix:$W/qmp.sock,server=on,wait=off" >"$W/qemu.log" 2>&1 &
  QPID=$!
  if ! python3 "$KHELP/qmp-dump.py" "$W/qmp.sock" "$DUMPS" "$TIMEOUT" "$DUMPS/console-qemu.log"; then
    cat "$W/qemu.log" >&2; tail -20 "$DUMPS/console-qemu.log" >&2
    grep -q 'Could not access KVM\|failed to initialize' "$W/qemu.log" && unavailable "qemu cannot run here"
    die "qemu method failed"
  fi
  wait "$QPID" || true; QPID=
  chmod u+w "$DUMPS"/qemu.*          # QEMU creates its dumps with mode 0400
  makedumpfile -R "$DUMPS/qemu.kdump" < "$DUMPS/qemu.flat" >/dev/null 2>&1 || die "makedumpfile -R failed"
  # makedumpfile needs the right sub-header phys_base; ours reads VMCOREINFO. Ground truth from a
  # repaired copy, the dump itself stays as QEMU wrote it.
  python3 - "$DUMPS/qemu.kdump" "$W/qemu-fixed.kdump" <<'EOF'
import re, shutil, struct, sys
shutil.copyfile(sys.argv[1], sys.argv[2])
with open(sys.argv[2], 'r+b') as f:
    hdr = f.read(464); bs, = struct.unpack_from('<i', hdr, 428)
    f.seek(bs); off, size = struct.unpack_from('<qQ', f.read(64), 32)
    f.seek(off); m = re.search(rb'^NUMBER\(phys_base\)=(-?\d+)$', f.read(size), re.M)
    if m: f.seek(bs); f.write(struct.pack('<q', int(m.group(1))))
EOF
  makedumpfile --dump-dmesg "$W/qemu-fixed.kdump" "$DUMPS/qemu.kdump.dmesg" >/dev/null 2>&1 \
    && grep -q CORELENS-KDUMP-MARKER "$DUMPS/qemu.kdump.dmesg" || die "makedumpfile cannot read the log of qemu.kdump"
  timings+=" qemu=$(( $(date +%s) - t ))s"
  log "qemu: done"
fi

# ------------------------------------------------------------------ method kdump
if [[ $METHOD != qemu ]]; then
  t=$(date +%s)
  [[ -x $CACHE/kexec-crash && $CACHE/kexec-crash -nt $KHELP/kexec-crash.c ]] \
    || gcc -static -Os -s -o "$CACHE/kexec-crash" "$KHELP/kexec-crash.c"
  C=$W/capture; new_root "$C"
  for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do
    cp "$KDIR/modules/$m.ko" "$C/lib/modules/"
  done
  cp "$KHELP/capture-init.sh" "$C/init"; chmod +x "$C/init"
  crash_root "$W/kroot" 'kexec-crash /boot/vmlinuz /boot/initrd.gz "console=ttyS0 nr_cpus=1 reset_devices irqpoll panic=0 loglevel=7" || echo "CORELENS-KDUMP: kexec load failed"'
  cp "$CACHE/kexec-crash" "$W/kroot/bin/"; cp "$KDIR/vmlinuz-$KREL" "$W/kroot/boot/vmlinuz"
  python3 "$KHELP/mkcpio.py" "$C" "$W/kroot/boot/initrd.gz"
  python3 "$KHELP/mkcpio.py" "$W/kroot" "$W/kdump-initrd.gz"
  truncate -s "$MEM_KDUMP" "$W/disk.img"
  log "kdump: boot $KREL -m $MEM_KDUMP crashkernel=$CRASHKERNEL; the crash kernel copies /proc/vmcore to a disk"
  # pvpanic fires only when no crash kernel was loaded: then QEMU exits instead of hanging.
  timeout "$TIMEOUT" qemu-system-x86_64 "${QEMU_COMMON[@]}" -m "$MEM_KDUMP" -action panic=shutdown \
      -initrd "$W/kdump-initrd.gz" -append "$APPEND crashkernel=$CRASHKERNEL" \
      -drive "file=$W/disk.img,format=raw,if=virtio" -serial "file:$DUMPS/console-kdump.log" \
      >"$W/qemu-kdump.log" 2>&1 || true
  if ! grep -q 'CORELENS-KDUMP-CAPTURE: vmcore written' "$DUMPS/console-kdump.log"; then
    cat "$W/qemu-kdump.log" >&2
    grep -E 'CORELENS|crashkernel|Out of memory|not syncing' "$DUMPS/console-kdump.log" >&2 || true
    die "kdump method failed (try a larger MEM_KDUMP or CRASHKERNEL)"
  fi
  size=$(python3 "$KHELP/elf-size.py" "$W/disk.img")
  cp --sparse=always "$W/disk.img" "$DUMPS/vmcore.elf"; truncate -s "$size" "$DUMPS/vmcore.elf"; rm -f "$W/disk.img"
  makedumpfile -c -d 31 "$DUMPS/vmcore.elf" "$DUMPS/vmcore.kdump" >/dev/null 2>&1 || die "makedumpfile -c failed"
  makedumpfile -l -d 31 "$DUMPS/vmcore.elf" "$DUMPS/vmcore-lzo.kdump" >/dev/null 2>&1 || die "makedumpfile -l failed"
  makedumpfile -F -c -d 31 "$DUMPS/vmcore.elf" > "$DUMPS/vmcore.flat" 2>/dev/null || die "makedumpfile -F failed"
  for d in vmcore.elf vmcore.kdump vmcore-lzo.kdump; do dmesg_of "$d" || die "makedumpfile --dump-dmesg $d failed"; done
  timings+=" kdump=$(( $(date +%s) - t ))s"
  log "kdump: done"
fi

{ echo "kernel_package=linux-image-$KREL $(cat "$KDIR/version")"
  echo "release=$KREL"
  echo "method=$METHOD smp=$SMP mem_qemu=$MEM_QEMU mem_kdump=$MEM_KDUMP crashkernel=$CRASHKERNEL append=$APPEND_EXTRA"
  echo "crash=$CRASH"
  echo "timings=${timings# }"; } > "$DUMPS/info.txt"
echo "$options" > "$DUMPS/.options"
touch "$DUMPS/.complete"
# The same options made by an older version of these scripts: superseded, hundreds of MiB each.
for old in "$CACHE/$KREL"-*; do
  if [[ $old != "$DUMPS" && -f $old/.options && $(cat "$old/.options") == "$options" ]]; then rm -rf -- "$old"; fi
done
link_out
log "done: $(cd "$OUT" && ls -ls --block-size=K qemu.* vmcore* 2>/dev/null | grep -v dmesg | awk '{printf "%s=%s(disk %s) ", $10, $6, $1}')"
