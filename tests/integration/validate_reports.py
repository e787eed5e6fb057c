#!/usr/bin/python3
"""Validates `corelens analyze --format json` of every sample core against the published schema,
and checks the schema itself. Usage: validate_reports.py [--area AREA] CORELENS SCHEMA CORES_DIR...
Every CORES_DIR must hold cores; one without any fails the test, unless $CORELENS_SKIP names AREA
(the cross-architecture cores: cross): then the others are validated and the test is skipped."""
import glob
import json
import os
import subprocess
import sys

import jsonschema

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import opt_out  # noqa: E402  (tests/support/opt_out.py)


def main():
    args = sys.argv[1:]
    area = None
    if args[:1] == ["--area"]:
        area, args = args[1], args[2:]
    corelens, schema_path, *dirs = args
    with open(schema_path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    empty = [d for d in dirs if not glob.glob(f"{d}/*.core")]
    if empty and not (area and opt_out.opted_out(area)):
        print(f"FAIL: no cores in {' '.join(empty)}")
        if area:
            opt_out.unavailable(area, f"no cores in {' '.join(empty)} (see the test that makes them)")
        return 1
    cores = sorted(c for d in dirs for c in glob.glob(f"{d}/*.core"))
    failures = 0
    # Each core twice: as analysed by default, and with --unwinder cross-check, whose report has
    # one more section (every thread unwound by both unwinders, compared).
    runs = [(core, extra) for core in cores for extra in ([], ["--unwinder", "cross-check"])]
    for core, extra in runs:
        label = " ".join([core, *extra])
        out = subprocess.run([corelens, "analyze", "--format", "json", *extra, core],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(f"FAIL {label}: exit {out.returncode}: {out.stderr.strip()}")
            failures += 1
            continue
        report = json.loads(out.stdout)
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
        # Cores of other architectures: libunwind cannot unwind them here (x86_64 only), which
        # the report says instead of comparing.
        no_libunwind = any(d["code"] == "libunwind-unavailable" for d in report["diagnostics"])
        compared = len(report.get("unwinder_cross_check", []))
        if extra and compared != (0 if no_libunwind else len(report["threads"])):
            print(f"FAIL {label}: unwinder_cross_check compares {compared} of {len(report['threads'])} threads")
            failures += 1
        # The schema must be able to fail: a report missing its threads is rejected.
        broken = dict(report)
        del broken["threads"]
        if not list(validator.iter_errors(broken)):
            print("FAIL: the schema accepts a report without threads")
            failures += 1
        for e in errors[:5]:
            print(f"FAIL {label}: {'/'.join(map(str, e.path))}: {e.message}")
        failures += bool(errors)
        if not errors:
            print(f"ok   {label}: {len(report['threads'])} threads, "
                  f"{sum(len(t['frames']) for t in report['threads'])} frames")
    print(f"{len(runs) - failures} passed, {failures} failed")
    if failures:
        return 1
    if empty:  # opted out: what was there is valid, the rest did not run
        print(opt_out.opted_out_message(area, f"no cores in {' '.join(empty)}"))
        return opt_out.SKIP_RETURN_CODE
    return 0


if __name__ == "__main__":
    sys.exit(main())
