#!/usr/bin/python3
"""Validates `corelens analyze --format json` of every sample core against the published schema,
and checks the schema itself. Usage: validate_reports.py CORELENS SCHEMA CORES_DIR..."""
import glob
import json
import subprocess
import sys

import jsonschema


def main():
    corelens, schema_path, *dirs = sys.argv[1:]
    with open(schema_path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    cores = sorted(c for d in dirs for c in glob.glob(f"{d}/*.core"))
    if not cores:
        print("no sample cores found in", dirs)
        return 1
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
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
