#!/usr/bin/env python3
"""qmp-dump.py SOCKET OUTDIR TIMEOUT CONSOLE_LOG

Talks QMP to a qemu-system-x86_64 started with -action panic=pause: waits until the guest has
panicked (pvpanic's GUEST_PANICKED, or the kernel's last panic line on the console), stops it and
writes two dumps with dump-guest-memory (paging off, as `virsh dump --memory-only` does):
  OUTDIR/qemu.elf   ELF: physical-only PT_LOADs, notes NT_PRSTATUS + "QEMU" per CPU, VMCOREINFO
  OUTDIR/qemu.flat  kdump-zlib, which QEMU 7.2 writes in makedumpfile's flattened format"""
import json
import os
import select
import socket
import sys
import time


def main(sock_path, outdir, timeout, console):
    t0 = time.time()
    s = socket.socket(socket.AF_UNIX)
    while True:
        try:
            s.connect(sock_path)
            break
        except OSError:
            if time.time() - t0 > 60:  # QEMU starts in well under a second when idle
                sys.exit("cannot connect to QMP socket in 60 s")
            time.sleep(0.05)
    buf = [b""]

    def recv(wait=None):
        while b"\n" not in buf[0]:
            r, _, _ = select.select([s], [], [], wait)
            if not r:
                return None
            chunk = s.recv(65536)
            if not chunk:
                sys.exit("QMP connection closed (qemu exited?)")
            buf[0] += chunk
        line, buf[0] = buf[0].split(b"\n", 1)
        return json.loads(line)

    def cmd(name, **args):
        s.sendall((json.dumps({"execute": name, "arguments": args}) + "\n").encode())
        while True:
            m = recv()
            if "event" in m:
                continue
            if "error" in m:
                sys.exit(f"QMP {name} failed: {m['error']}")
            return m["return"]

    def log(msg):
        print(f"[qmp +{time.time() - t0:5.1f}s] {msg}", file=sys.stderr, flush=True)

    try:
        recv()
        cmd("qmp_capabilities")
        how = None
        while time.time() - t0 < timeout and not how:
            if cmd("query-status")["status"] == "guest-panicked":
                how = "pvpanic"
                break
            m = recv(0.5)
            if m and m.get("event") == "GUEST_PANICKED":
                how = "pvpanic"
            try:  # without pvpanic: the last line panic() prints
                with open(console, "rb") as fh:
                    if b"---[ end Kernel panic" in fh.read():
                        time.sleep(0.5)
                        how = "console"
            except OSError:
                pass
        if not how:
            log("guest did not panic in time")
            cmd("quit")
            sys.exit(2)
        log(f"guest panicked (seen via {how})")
        cmd("stop")
        for fmt, name in (("elf", "qemu.elf"), ("kdump-zlib", "qemu.flat")):
            t1 = time.time()
            path = os.path.join(outdir, name)
            cmd("dump-guest-memory", paging=False, protocol="file:" + path, format=fmt)
            log(f"dump-guest-memory {fmt}: {os.path.getsize(path)} bytes in {time.time() - t1:.2f}s")
        cmd("quit")
    except (ConnectionError, BrokenPipeError) as e:
        sys.exit(f"QMP: {e} (qemu exited?)")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4])
