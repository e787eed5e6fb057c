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
    for core in cores:
        out = subprocess.run([corelens, "analyze", "--format", "json", core],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(f"FAIL {core}: exit {out.returncode}: {out.stderr.strip()}")
            failures += 1
            continue
        report = json.loads(out.stdout)
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
        # The schema must be able to fail: a report missing its threads is rejected.
        broken = dict(report)
        del broken["threads"]
        if not list(validator.iter_errors(broken)):
            print("FAIL: the schema accepts a report without threads")
            failures += 1
        for e in errors[:5]:
            print(f"FAIL {core}: {'/'.join(map(str, e.path))}: {e.message}")
        failures += bool(errors)
        if not errors:
            print(f"ok   {core}: {len(report['threads'])} threads, "
                  f"{sum(len(t['frames']) for t in report['threads'])} frames")
    print(f"{len(cores) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
