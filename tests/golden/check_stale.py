#!/usr/bin/env python3
"""Fails when a file in a folder of tests/golden is no test's golden file (a stale one, left
behind when a case was renamed or removed). usage: check_stale.py GOLDEN_DIR FILE,FILE,..."""
import glob
import os
import sys

folder, known = sys.argv[1], set(sys.argv[2].split(","))
have = {os.path.relpath(p, folder) for p in glob.glob(os.path.join(folder, "*", "*"))}
stale = sorted(have - known)
missing = sorted(known - have)
for name in stale:
    print(f"stale golden file: tests/golden/{name} (no golden_case names it)")
for name in missing:
    print(f"missing golden file: tests/golden/{name} (make it with tests/golden/update.sh)")
sys.exit(1 if stale or missing else 0)
