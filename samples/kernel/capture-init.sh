#!/bin/busybox sh
# /init of the kdump crash kernel: copies /proc/vmcore to the virtio disk and powers off.
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "CORELENS-KDUMP-CAPTURE: crash kernel up, /proc/vmcore is $(stat -c %s /proc/vmcore) bytes"
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do
    insmod /lib/modules/$m.ko
done
i=0; while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
dd if=/proc/vmcore of=/dev/vda bs=1M conv=fsync 2>/dev/null && echo "CORELENS-KDUMP-CAPTURE: vmcore written"
poweroff -f
