# Sourced by make-kernel-dumps.sh for ARCH=amd64: Debian's amd64 kernel under qemu-system-x86_64.
# pvpanic tells QEMU the guest panicked (QEMU pauses it there; without a crash kernel loaded the
# kdump boot then exits instead of hanging); the crash kernel is loaded with kexec_file_load by a
# tiny static helper (Debian's kexec binary pulls in the Xen libraries). The kdump-compressed files
# and the logs come from the release's own makedumpfile, run on the host with its own libraries
# and dynamic loader: Debian 12's (1.7.2) does not know 6.12's page flags and filters slab pages
# of Debian 13's kernel out of its dumps.
QEMU=qemu-system-x86_64
QEMU_PACKAGE=qemu-system-x86
ARCH_NEEDS="busybox:busybox-static"
[[ $METHOD == qemu ]] || ARCH_NEEDS+=" gcc:gcc"
QEMU_MACHINE=(-machine pc -accel tcg -vga none -device pvpanic)
DEFAULT_CPU=qemu64
CONSOLE=ttyS0
MEM_QEMU=${MEM_QEMU:-256M}
MEM_KDUMP=${MEM_KDUMP:-320M}
CRASHKERNEL=${CRASHKERNEL:-112M}
# 5.10 has one pvpanic module and one virtio_pci; 6.1 split them; 6.12 builds virtio in.
CRASH_MODULES="qemu_fw_cfg pvpanic pvpanic-mmio"
CAPTURE_MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk"

arch_prepare() {
  BUSYBOX=$(command -v busybox)
  { ldd "$BUSYBOX" 2>&1 || true; } | grep -q 'not a dynamic' || unavailable "busybox is not the static one (apt-get install busybox-static)"
  fetch_tools "$CODENAME" amd64 makedumpfile
  MAKEDUMPFILE=$TOOLS/root/$(tool usr/sbin/makedumpfile usr/bin/makedumpfile)
  # Its own dynamic loader (lib64/ld-linux-x86-64.so.2 may be a link to an absolute path).
  LOADER=$TOOLS/root/$(tool lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)
}
# The release's makedumpfile with the release's libraries.
release_makedumpfile() {
  "$LOADER" --library-path "$TOOLS/root/lib/x86_64-linux-gnu:$TOOLS/root/usr/lib/x86_64-linux-gnu" "$MAKEDUMPFILE" "$@"
}

arch_dump_dmesg() { release_makedumpfile --dump-dmesg "$1" "$2" >/dev/null 2>&1; }

# makedumpfile needs the right sub-header phys_base; ours reads VMCOREINFO. Ground truth from a
# repaired copy, the dump itself stays as QEMU wrote it.
arch_qemu_kdump_dmesg() {
  python3 - "$1" "$W/qemu-fixed.kdump" <<'PY'
import re, shutil, struct, sys
shutil.copyfile(sys.argv[1], sys.argv[2])
with open(sys.argv[2], 'r+b') as f:
    hdr = f.read(464); bs, = struct.unpack_from('<i', hdr, 428)
    f.seek(bs); off, size = struct.unpack_from('<qQ', f.read(64), 32)
    f.seek(off); m = re.search(rb'^NUMBER\(phys_base\)=(-?\d+)$', f.read(size), re.M)
    if m: f.seek(bs); f.write(struct.pack('<q', int(m.group(1))))
PY
  release_makedumpfile --dump-dmesg "$W/qemu-fixed.kdump" "$2" >/dev/null 2>&1
}

arch_kdump() {
  [[ -x $CACHE/kexec-crash && $CACHE/kexec-crash -nt $KHELP/kexec-crash.c ]] \
    || gcc -static -Os -s -o "$CACHE/kexec-crash" "$KHELP/kexec-crash.c"
  local C=$W/capture
  new_root "$C" $CAPTURE_MODULES
  cp "$KHELP/capture-init.sh" "$C/init"; chmod +x "$C/init"
  crash_root "$W/kroot" 'kexec-crash /boot/vmlinuz /boot/initrd.gz "console=ttyS0 nr_cpus=1 reset_devices irqpoll panic=0 loglevel=7" || echo "CORELENS-KDUMP: kexec load failed"'
  cp "$CACHE/kexec-crash" "$W/kroot/bin/"; cp "$KDIR/vmlinuz-$KREL" "$W/kroot/boot/vmlinuz"
  python3 "$KHELP/mkcpio.py" "$C" "$W/kroot/boot/initrd.gz"
  python3 "$KHELP/mkcpio.py" "$W/kroot" "$W/kdump-initrd.gz"
  truncate -s "$MEM_KDUMP" "$W/disk.img"
  log "kdump: boot $KREL -m $MEM_KDUMP crashkernel=$CRASHKERNEL; the crash kernel copies /proc/vmcore to a disk"
  # kdump_boot SECONDS: status 0 when the crash kernel wrote the vmcore (with_retry says why not).
  kdump_boot() {
    local status=0
    timeout "$1" "$QEMU" "${QEMU_COMMON[@]}" -cpu "$KDUMP_CPU" -m "$MEM_KDUMP" -action panic=shutdown \
        -initrd "$W/kdump-initrd.gz" -append "$APPEND crashkernel=$CRASHKERNEL" \
        -drive "file=$W/disk.img,format=raw,if=virtio" -serial "file:$DUMPS/console-kdump.log" \
        >"$W/qemu-kdump.log" 2>&1 || status=$?
    grep -q 'CORELENS-KDUMP-CAPTURE: vmcore written' "$DUMPS/console-kdump.log" && return 0
    return $(( status ? status : 1 ))
  }
  with_retry kdump "$DUMPS/console-kdump.log" kdump_boot
  local size
  size=$(python3 "$KHELP/elf-size.py" "$W/disk.img")
  cp --sparse=always "$W/disk.img" "$DUMPS/vmcore.elf"; truncate -s "$size" "$DUMPS/vmcore.elf"; rm -f "$W/disk.img"
  release_makedumpfile -c -d 31 "$DUMPS/vmcore.elf" "$DUMPS/vmcore.kdump" >/dev/null 2>&1 || die "makedumpfile -c failed"
  release_makedumpfile -l -d 31 "$DUMPS/vmcore.elf" "$DUMPS/vmcore-lzo.kdump" >/dev/null 2>&1 || die "makedumpfile -l failed"
  release_makedumpfile -F -c -d 31 "$DUMPS/vmcore.elf" > "$DUMPS/vmcore.flat" 2>/dev/null || die "makedumpfile -F failed"
}
