#!/usr/bin/env python3
"""mkcpio.py ROOTDIR OUT.gz: a gzip'ed newc cpio archive of ROOTDIR for an initramfs.

Symbolic links stay links (their targets are paths inside the guest). Adds /dev/console and
/dev/null as character devices, so neither root, mknod nor cpio(1) is
needed. Entries are written in sorted order with fixed inode numbers and mtime 0, so the same
tree gives the same bytes (the dump cache is keyed by content)."""
import gzip
import os
import stat
import sys


def main(root, out_path):
    out = gzip.GzipFile(out_path, 'wb', 6, mtime=0)
    state = {'ino': 1000, 'written': 0}

    def entry(name, mode, data=b'', rdev=(0, 0)):
        state['ino'] += 1
        nb = name.encode() + b'\0'
        fields = (state['ino'], mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0)
        head = b'070701' + b''.join(b'%08X' % v for v in fields) + nb
        head += b'\0' * (-len(head) % 4)
        body = data + b'\0' * (-len(data) % 4)
        out.write(head + body)
        state['written'] += len(head) + len(body)

    for d, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        rel = os.path.relpath(d, root)
        if rel != '.':
            entry(rel, stat.S_IFDIR | 0o755)
        for f in sorted(files + [x for x in dirs if os.path.islink(os.path.join(d, x))]):
            p = os.path.join(d, f)
            name = os.path.normpath(os.path.join(rel, f))
            if os.path.islink(p):  # kept as a link: its target is a path inside the guest
                entry(name, stat.S_IFLNK | 0o777, os.readlink(p).encode())
                continue
            with open(p, 'rb') as fh:
                data = fh.read()
            entry(name, stat.S_IFREG | (os.stat(p).st_mode & 0o777), data)
    entry('dev/console', stat.S_IFCHR | 0o600, rdev=(5, 1))
    entry('dev/null', stat.S_IFCHR | 0o666, rdev=(1, 3))
    entry('TRAILER!!!', 0)
    out.write(b'\0' * (-state['written'] % 512))
    out.close()


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
