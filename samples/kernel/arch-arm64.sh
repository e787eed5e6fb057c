# Sourced by make-kernel-dumps.sh for ARCH=arm64: Debian's arm64 kernel under qemu-system-aarch64
# (TCG, `virt` machine). Debian's arm64 kernels have no pvpanic driver, so the QEMU capture waits
# for the console's last panic line; and no kexec_file_load, so the crash kernel is loaded by
# Debian's own arm64 kexec-tools, run in the guest with its shared libraries. The crash kernel runs
# Debian's arm64 makedumpfile on /proc/vmcore, as production kdump does; the host runs the same
# makedumpfile under qemu-aarch64 (qemu-user) for the other files, since the host's makedumpfile
# reads only its own architecture's dumps. All arm64 programs come from the release's arm64
# packages (busybox-static, kexec-tools, makedumpfile and the libraries they need), extracted once
# into $CACHE/tools/CODENAME-arm64.
QEMU=qemu-system-aarch64
QEMU_PACKAGE=qemu-system-arm
ARCH_NEEDS="qemu-aarch64:qemu-user"
QEMU_MACHINE=(-machine virt -accel tcg)
DEFAULT_CPU=cortex-a57
# The kdump boot's CPU: kexec-tools (2.0.29) writes a wrong kernel-text PT_LOAD into the crash
# kernel's ELF header when the linear map is randomized too (a negative PHYS_OFFSET), and the
# crash kernel oopses reading /proc/vmcore. The kernel randomizes it only when the linear region is
# larger than the CPU's physical address range: cortex-a57's 44 bits leave room, `max`'s 52 none.
# `max` also brings pointer authentication (pauth-impdef: QEMU's cheap algorithm).
KDUMP_CPU=${KDUMP_CPU:-max,pauth-impdef=on}
CONSOLE=ttyAMA0
MEM_QEMU=${MEM_QEMU:-512M}
MEM_KDUMP=${MEM_KDUMP:-512M}
CRASHKERNEL=${CRASHKERNEL:-192M}
CRASH_MODULES="qemu_fw_cfg pvpanic pvpanic-pci"
CAPTURE_MODULES="virtio virtio_ring virtio_mmio virtio_blk"
TOOLS_DEBIAN=${TOOLS_DEBIAN:-$DEBIAN}

arch_prepare() {
  local tools_codename
  tools_codename=$(debian_codename "$TOOLS_DEBIAN") || die "TOOLS_DEBIAN must be 11, 12 or 13"
  fetch_tools "$tools_codename" arm64 busybox-static kexec-tools makedumpfile
  BUSYBOX=$TOOLS/root/$(tool bin/busybox usr/bin/busybox)
  MAKEDUMPFILE=$(tool usr/sbin/makedumpfile usr/bin/makedumpfile)
  KEXEC=$(tool sbin/kexec usr/sbin/kexec)
  VMCORE_DMESG=$(tool sbin/vmcore-dmesg usr/sbin/vmcore-dmesg)
}

# Debian's arm64 makedumpfile, under qemu-user.
arm64_makedumpfile() { qemu-aarch64 -L "$TOOLS/root" "$TOOLS/root/$MAKEDUMPFILE" "$@"; }
# Status 2: makedumpfile says it does not support this kernel's layout (Debian 13's makedumpfile
# and its arm64 kernel: 52-bit VAs with 4 KiB pages).
arch_dump_dmesg() {
  arm64_makedumpfile --dump-dmesg "$1" "$2" >"$W/makedumpfile.log" 2>&1 && return 0
  if grep -q 'not supported' "$W/makedumpfile.log"; then return 2; fi
  cat "$W/makedumpfile.log" >&2
  return 1
}
# QEMU's arm64 dumps defeat makedumpfile 1.7: its kdump file counts pfns in 64 KiB blocks (QEMU's
# largest arm64 page) whatever the kernel's page size, and its ELF file has the program headers
# after two section headers, where makedumpfile does not look. The ground truth for both is read
# from a copy of qemu.elf with the program headers moved to offset 64; the dumps stay as QEMU
# wrote them.
arch_qemu_kdump_dmesg() {
  cp --sparse=always "${1%.kdump}.elf" "$W/qemu-fixed.elf"
  python3 - "$W/qemu-fixed.elf" <<'PY'
import struct, sys
with open(sys.argv[1], 'r+b') as f:
    eh = bytearray(f.read(64))
    phoff, = struct.unpack_from('<Q', eh, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', eh, 0x36)
    f.seek(phoff); ph = f.read(phentsize * phnum)
    assert 64 + len(ph) <= phoff, "no room for the program headers at 64"
    struct.pack_into('<QQ', eh, 0x20, 64, 0)            # e_phoff, e_shoff
    struct.pack_into('<HHHHHH', eh, 0x34, 64, phentsize, phnum, 0, 0, 0)  # e_ehsize ... e_shstrndx
    f.seek(0); f.write(eh + ph)
PY
  local status=0
  arch_dump_dmesg "$W/qemu-fixed.elf" "$2" || status=$?
  rm -f "$W/qemu-fixed.elf"
  return $status
}

arch_kdump() {
  local C=$W/capture disk=$W/disk.img
  new_root "$C" $CAPTURE_MODULES
  python3 "$KHELP/elf-libs.py" "$TOOLS/root" "$C" "$MAKEDUMPFILE" "$VMCORE_DMESG"
  mkdir -p "$C/sbin"
  [[ -e $C/sbin/makedumpfile ]] || ln -s "/$MAKEDUMPFILE" "$C/sbin/makedumpfile"
  [[ -e $C/sbin/vmcore-dmesg ]] || ln -s "/$VMCORE_DMESG" "$C/sbin/vmcore-dmesg"
  cp "$KHELP/capture-init.sh" "$C/init"; chmod +x "$C/init"
  # kexec-tools places the kernel image by /proc/kallsyms's _text, which a kernel without
  # KALLSYMS_ALL (Debian 12's arm64) does not list: then it writes a kernel-text PT_LOAD at
  # 0xffffffffffffffff. _text is _stext less the 64 KiB head segment (SEGMENT_ALIGN, 4 KiB pages),
  # given to kexec through a bind mount over /proc/kallsyms.
  crash_root "$W/kroot" 'if ! grep -q " _text$" /proc/kallsyms; then
    s=$(sed -n "s/ [Tt] _stext$//p" /proc/kallsyms)
    { printf "%016x T _text\n" $((0x$s - 0x10000)); cat /proc/kallsyms; } > /tmp/kallsyms && mount --bind /tmp/kallsyms /proc/kallsyms
fi
kexec -p /boot/vmlinuz --initrd=/boot/initrd.gz --append="console=ttyAMA0 nr_cpus=1 reset_devices panic=0 loglevel=7" || echo "CORELENS-KDUMP: kexec load failed"'
  python3 "$KHELP/elf-libs.py" "$TOOLS/root" "$W/kroot" "$KEXEC"
  mkdir -p "$W/kroot/sbin"; [[ -e $W/kroot/sbin/kexec ]] || ln -s "/$KEXEC" "$W/kroot/sbin/kexec"
  cp "$KDIR/vmlinuz-$KREL" "$W/kroot/boot/vmlinuz"
  python3 "$KHELP/mkcpio.py" "$C" "$W/kroot/boot/initrd.gz"
  python3 "$KHELP/mkcpio.py" "$W/kroot" "$W/kdump-initrd.gz"
  # One disk: /proc/vmcore from its start, makedumpfile's flattened dump and its log after it.
  truncate -s "$(( 2 * ${MEM_KDUMP%M} + 64 ))M" "$disk"
  log "kdump: boot $KREL -cpu $KDUMP_CPU -m $MEM_KDUMP crashkernel=$CRASHKERNEL; the crash kernel writes /proc/vmcore and makedumpfile's dump to a disk"
  local console=$DUMPS/console-kdump.log
  # kdump_boot SECONDS: status 0 when the crash kernel wrote the vmcore (with_retry says why not).
  kdump_boot() {
    local status=0
    timeout "$1" "$QEMU" "${QEMU_COMMON[@]}" -cpu "$KDUMP_CPU" -m "$MEM_KDUMP" \
        -initrd "$W/kdump-initrd.gz" -append "$APPEND crashkernel=$CRASHKERNEL" \
        -drive "file=$disk,format=raw,if=none,id=disk" -device virtio-blk-device,drive=disk \
        -serial "file:$console" >"$W/qemu-kdump.log" 2>&1 || status=$?
    grep -q 'CORELENS-KDUMP-CAPTURE: vmcore written' "$console" && return 0
    return $(( status ? status : 1 ))
  }
  with_retry kdump "$console" kdump_boot
  # "CORELENS-KDUMP-CAPTURE: NAME N bytes at M MiB": NAME, if the crash kernel wrote it, into FILE.
  take() {
    local where
    where=$(sed -n "s/.*CORELENS-KDUMP-CAPTURE: $1 \([0-9]*\) bytes at \([0-9]*\) MiB.*/\1 \2/p" "$console" | tr -d '\r' | head -1)
    [[ -n $where ]] || return 1
    dd if="$disk" of="$2" bs=1M skip="${where#* }" count=$(( (${where% *} >> 20) + 1 )) status=none
    truncate -s "${where% *}" "$2"
  }
  take vmcore.vmcore-dmesg "$DUMPS/vmcore.elf.vmcore-dmesg" || die "vmcore-dmesg in the crash kernel failed"
  grep -q CORELENS-KDUMP-MARKER "$DUMPS/vmcore.elf.vmcore-dmesg" || die "vmcore-dmesg's log lacks the marker line"
  local size
  size=$(python3 "$KHELP/elf-size.py" "$disk")
  if take vmcore.flat "$DUMPS/vmcore.flat" && take vmcore.dmesg "$DUMPS/vmcore.elf.dmesg"; then
    grep -q CORELENS-KDUMP-MARKER "$DUMPS/vmcore.elf.dmesg" || die "makedumpfile --dump-dmesg in the crash kernel lacks the marker line"
  else
    # Debian 13's makedumpfile (1.7.6) reads no dump of a kernel with 52-bit VAs and 4 KiB pages
    # (Debian 13's arm64): as with Debian's kdump-tools, the vmcore stays as the kernel gave it.
    grep 'CORELENS-KDUMP-CAPTURE: makedumpfile' "$console" | head -5 >&2
    log "kdump: makedumpfile cannot read this kernel's /proc/vmcore: vmcore.elf only"
    rm -f "$DUMPS/vmcore.flat"
  fi
  cp --sparse=always "$disk" "$DUMPS/vmcore.elf"; truncate -s "$size" "$DUMPS/vmcore.elf"; rm -f "$disk"
  [[ -f $DUMPS/vmcore.flat ]] || return 0
  makedumpfile -R "$DUMPS/vmcore.kdump" < "$DUMPS/vmcore.flat" >/dev/null 2>&1 || die "makedumpfile -R failed"
  arm64_makedumpfile -l -d 31 "$DUMPS/vmcore.elf" "$DUMPS/vmcore-lzo.kdump" >/dev/null 2>&1 || die "makedumpfile -l failed"
}
