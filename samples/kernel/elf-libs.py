#!/usr/bin/env python3
"""elf-libs.py SYSROOT DEST PROGRAM...: copies each PROGRAM (a path inside SYSROOT, e.g.
usr/sbin/makedumpfile) into DEST at the same path, with its ELF interpreter and every shared
library it needs (DT_NEEDED, recursively), found in SYSROOT's library directories. Symbolic links
are resolved: DEST gets plain files under the names the programs ask for. For an initramfs that
runs another architecture's dynamically linked Debian programs (64-bit little-endian ELF only)."""
import os
import shutil
import struct
import sys

LIB_DIRS = ('lib', 'usr/lib', 'lib64', 'usr/lib64')


def elf_deps(path):
    """(interpreter or None, [DT_NEEDED names]) of a 64-bit little-endian ELF file."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        sys.exit(f"{path}: not a 64-bit little-endian ELF file")
    phoff, = struct.unpack_from('<Q', data, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
    interp, dynamic, loads = None, None, []
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz, _, _ = struct.unpack_from('<IIQQQQQQ', data, phoff + i * phentsize)
        if p_type == 3:  # PT_INTERP
            interp = data[p_offset:p_offset + p_filesz].rstrip(b'\0').decode()
        elif p_type == 2:  # PT_DYNAMIC
            dynamic = (p_offset, p_filesz)
        elif p_type == 1:  # PT_LOAD
            loads.append((p_vaddr, p_offset, p_filesz))
    needed, strtab = [], None
    if dynamic:
        off, size = dynamic
        entries = [struct.unpack_from('<qQ', data, off + k) for k in range(0, size, 16)]
        for tag, val in entries:
            if tag == 5:  # DT_STRTAB, a virtual address
                strtab = next(o + val - v for v, o, s in loads if v <= val < v + s)
        for tag, val in entries:
            if tag == 1 and strtab is not None:  # DT_NEEDED
                end = data.index(b'\0', strtab + val)
                needed.append(data[strtab + val:end].decode())
    return interp, needed


def find_lib(sysroot, name):
    for top in LIB_DIRS:
        base = os.path.join(sysroot, top)
        if not os.path.isdir(base):
            continue
        for d in [base] + [os.path.join(base, e) for e in sorted(os.listdir(base))]:
            p = os.path.join(d, name)
            if os.path.exists(p):
                return os.path.relpath(p, sysroot)
    sys.exit(f"{name}: not found under {sysroot}")


def main(sysroot, dest, programs):
    todo, done = list(programs), set()
    while todo:
        rel = todo.pop().lstrip('/')
        if rel in done:
            continue
        done.add(rel)
        src = os.path.join(sysroot, rel)
        if not os.path.exists(src) and os.path.exists(os.path.join(sysroot, 'usr', rel)):
            src = os.path.join(sysroot, 'usr', rel)  # merged /usr: the package has it only there
        out = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copyfile(os.path.realpath(src), out)
        shutil.copymode(os.path.realpath(src), out)
        interp, needed = elf_deps(os.path.realpath(src))
        if interp:
            todo.append(interp)
        todo.extend(find_lib(sysroot, n) for n in needed)


if __name__ == '__main__':
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
