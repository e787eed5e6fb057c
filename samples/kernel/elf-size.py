#!/usr/bin/env python3
"""elf-size.py FILE: the end of the last segment of an ELF core, i.e. the size of the /proc/vmcore
copy the crash kernel wrote at the start of a larger disk image."""
import struct
import sys

with open(sys.argv[1], 'rb') as f:
    eh = f.read(64)
    if eh[:4] != b'\x7fELF':
        sys.exit("not an ELF file")
    phoff, = struct.unpack_from('<Q', eh, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', eh, 0x36)
    f.seek(phoff)
    ph = f.read(phentsize * phnum)
    print(max(struct.unpack_from('<Q', ph, i * phentsize + 8)[0] + struct.unpack_from('<Q', ph, i * phentsize + 32)[0]
              for i in range(phnum)))
