#!/bin/busybox sh
# /init of the kdump crash kernel: copies /proc/vmcore to the virtio disk and powers off.
# Where the initramfs carries makedumpfile and vmcore-dmesg (arm64), it also writes, after the
# vmcore on the same disk, what production kdump writes from /proc/vmcore (`makedumpfile -F -c -d 31`,
# flattened) and the log as makedumpfile (--dump-dmesg) and kexec-tools' vmcore-dmesg read it;
# the console says where each is and how many bytes it has. One that fails is left out.
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev 2>/dev/null
size=$(stat -c %s /proc/vmcore)
echo "CORELENS-KDUMP-CAPTURE: crash kernel up, /proc/vmcore is $size bytes"
for m in $(cat /lib/modules/order); do
    insmod /lib/modules/$m.ko
done
# The disk appears once virtio_blk has probed it: a second on an idle machine, far longer under
# TCG on a busy one (up to 2 minutes are waited for; the console says when it never came).
i=0; while [ ! -b /dev/vda ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done
if [ ! -b /dev/vda ]; then
    echo "CORELENS-KDUMP-CAPTURE: no /dev/vda after 120 s (virtio_blk did not find the disk)"
elif dd if=/proc/vmcore of=/dev/vda bs=1M conv=fsync 2>/tmp/dd.log; then
    echo "CORELENS-KDUMP-CAPTURE: vmcore written"
else
    echo "CORELENS-KDUMP-CAPTURE: copying /proc/vmcore failed: $(cat /tmp/dd.log)"
fi
at=$(( (size >> 20) + 1 ))
# put NAME FILE: FILE onto the disk at the next free MiB.
put() {
    s=$(stat -c %s "$2")
    dd if="$2" of=/dev/vda bs=1M seek="$at" conv=fsync 2>/dev/null &&
        echo "CORELENS-KDUMP-CAPTURE: $1 $s bytes at $at MiB"
    at=$(( at + (s >> 20) + 1 ))
    rm -f "$2"
}
if [ -x /sbin/makedumpfile ]; then
    rm -f /tmp/out; makedumpfile -F -c -d 31 /proc/vmcore > /tmp/out 2>/tmp/log && put vmcore.flat /tmp/out
    rm -f /tmp/out; makedumpfile --dump-dmesg /proc/vmcore /tmp/out >>/tmp/log 2>&1 && put vmcore.dmesg /tmp/out
    sed 's/^/CORELENS-KDUMP-CAPTURE: makedumpfile: /' /tmp/log
fi
if [ -x /sbin/vmcore-dmesg ]; then
    vmcore-dmesg /proc/vmcore > /tmp/out 2>/tmp/log && put vmcore.vmcore-dmesg /tmp/out
    sed 's/^/CORELENS-KDUMP-CAPTURE: vmcore-dmesg: /' /tmp/log
fi
poweroff -f
