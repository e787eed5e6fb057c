#!/bin/busybox sh
# /init of the kernel that panics (make-kernel-dumps.sh copies it into the initramfs).
# @BEFORE_CRASH@ is replaced by the script: empty for the qemu method, the kexec_file_load of the
# crash kernel for the kdump method.
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev 2>/dev/null
# qemu_fw_cfg: the kernel hands its VMCOREINFO to QEMU's vmcoreinfo device (else QEMU's dumps
# have no VMCOREINFO note); pvpanic(-mmio): the panic notifier tells QEMU "guest panicked".
for m in qemu_fw_cfg pvpanic pvpanic-mmio; do
    insmod /lib/modules/$m.ko || echo "CORELENS-KDUMP: insmod $m failed"
done
@BEFORE_CRASH@
# A few processes for the task list: a sleep and a named shell loop.
sleep 3600 &
/bin/corelens-sleeper &
echo "CORELENS-KDUMP-MARKER: init pid $$ about to crash" > /dev/kmsg
echo c > /proc/sysrq-trigger
