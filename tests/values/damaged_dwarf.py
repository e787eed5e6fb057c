#!/usr/bin/env python3
"""damaged_dwarf.py VALUES_DUMP CORES_DIR SAMPLE [ROUNDS]

The values engine on DWARF that lies: the sample's executable is copied and, round after round,
a few bytes of its .debug_info, .debug_abbrev, .debug_loclists, .debug_rnglists, .debug_addr or
.debug_str are overwritten (a seeded, repeatable choice), then every frame's arguments and
locals are read from the sample's real core through the damaged copy. Each round must end with
values (or errors on values) and exit 0 or 1: never a crash, a sanitizer report or a hang (a
round has 60 s). The build-id is not in these sections, so the damaged copy is still taken as
the executable the core names.
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

SECTIONS = (".debug_info", ".debug_abbrev", ".debug_loclists", ".debug_loc", ".debug_rnglists", ".debug_addr",
            ".debug_str", ".debug_line")


def sections_of(path):
    out = subprocess.run(["readelf", "-S", "-W", path], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if m and m.group(1) in SECTIONS:
            found[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16))
    return found


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    dump, cores, sample = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    core = os.path.join(cores, sample + ".core")
    exe = os.path.realpath(os.path.join(cores, sample + ".exe"))
    sections = sections_of(exe)
    if ".debug_info" not in sections:
        print("%s has no .debug_info" % exe)
        return 1
    pristine = open(exe, "rb").read()
    rng = random.Random(14)
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        copy = os.path.join(work, os.path.basename(exe))
        for i in range(rounds):
            data = bytearray(pristine)
            name = rng.choice(sorted(sections))
            offset, size = sections[name]
            damage = []
            for _ in range(rng.choice((1, 4, 16))):
                at = offset + rng.randrange(size)
                data[at] = rng.choice((0x00, 0xff, 0x7f, 0x80, rng.randrange(256)))
                damage.append(at)
            with open(copy, "wb") as f:
                f.write(data)
            try:
                r = subprocess.run([dump, core, "--exe", copy, "--depth", "3"], capture_output=True, text=True,
                                   timeout=60)
                status = r.returncode
                errors = r.stderr
            except subprocess.TimeoutExpired:
                status, errors = "timeout", ""
            bad = status not in (0, 1) or "Sanitizer" in errors or "runtime error" in errors
            print("round %d: %s bytes %s: %s" % (i, name, ",".join(hex(d) for d in damage[:4]),
                                                 "FAILED (%s)" % status if bad else "ok"))
            if bad:
                failures += 1
                print(errors[-3000:])
                shutil.copy(copy, os.path.join(tempfile.gettempdir(), "damaged-%s-%d" % (sample, i)))
    print("%d rounds, %d failed" % (rounds, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
