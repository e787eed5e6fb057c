#!/bin/busybox sh
# /init of the kernel that panics (make-kernel-dumps.sh copies it into the initramfs).
# make-kernel-dumps.sh fills in the two placeholders below: what runs before the crash (nothing
# for the qemu method, the kexec_file_load of the crash kernel for the kdump method), and how it
# crashes: sysrq-c (a panic without an oops), or a NULL dereference in the write handler of
# samples/kernel/corelens_oops.c (an oops, then the panic).
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev 2>/dev/null
# qemu_fw_cfg: the kernel hands its VMCOREINFO to QEMU's vmcoreinfo device (else QEMU's dumps
# have no VMCOREINFO note); pvpanic(-mmio), where the kernel has it: the panic notifier tells QEMU
# "guest panicked". make-kernel-dumps.sh lists the ones this kernel has, in order.
for m in $(cat /lib/modules/order); do
    insmod /lib/modules/$m.ko || echo "CORELENS-KDUMP: insmod $m failed"
done
@BEFORE_CRASH@
# A few processes for the task list: a sleep and a named shell loop. The crash waits until both
# have exec'd and sleep (state S): else, with another CPU free, it can come first. Up to 60 s: a
# fraction of a second on an idle machine, much longer under TCG on a busy one; the log says when
# they were not ready, so that a task-list test failing for it says why.
sleep 3600 &
sleep_pid=$!
/bin/corelens-sleeper &
sleeper_pid=$!
ready=""
for i in $(seq 600); do
    read -r _ c1 s1 _ < /proc/$sleep_pid/stat
    read -r _ c2 s2 _ < /proc/$sleeper_pid/stat
    [ "$c1 $s1 $c2 $s2" = "(sleep) S (corelens-sleepe) S" ] && { ready=1; break; }
    sleep 0.1
done
[ -n "$ready" ] || echo "CORELENS-KDUMP: the sleep and corelens-sleeper processes were not asleep after 60 s" > /dev/kmsg
echo "CORELENS-KDUMP-MARKER: init pid $$ about to crash" > /dev/kmsg
@CRASH@
