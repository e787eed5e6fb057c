#!/usr/bin/python3
"""What ran, and whether every skip was expected: reads ctest's JUnit output (ctest --output-junit)
of one or more passes of tests/run-all.sh and prints, per pass, how many tests ran, passed, failed
and were skipped, each skip with its reason, and "PASS pass: skipped: N expected, M unexpected";
with --totals (or several passes), the totals and then the line

    skipped: N expected, M unexpected

It exits 1 when M > 0 (0 otherwise: failures are ctest's to report).

A skip is expected when
  - its output carries the marker "opted out (CORELENS_SKIP=AREA)" (tests/support/opt_out.*) and
    $CORELENS_SKIP names AREA: a developer's machine without what .ci/install-deps installs; or
  - tests/expected-skips.txt lists it: "PATTERN  REASON", PATTERN an fnmatch pattern of ctest's
    test name, optionally prefixed by "PASS:" to hold in that pass only (g++ or sanitize).
A listed pattern whose tests all ran is reported as no longer skipped (not a failure: the list
should then lose that line).

Usage: skip_summary.py EXPECTED_SKIPS PASS=JUNIT_XML...   (e.g. g++=build/junit.xml)
       --totals prints only the totals over all the passes given (the last lines of run-all.sh).
"""
import fnmatch
import os
import re
import sys
import xml.etree.ElementTree as ET

MARKER = re.compile(r"opted out \(CORELENS_SKIP=([A-Za-z0-9_+-]+)\)")


def opted_out_areas():
    return set(a for a in re.split(r"[,\s]+", os.environ.get("CORELENS_SKIP", "")) if a)


def load_expected(path):
    """[(pass or None, pattern, reason)] from the list; every line must have a reason."""
    entries = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) < 2:
                sys.exit(f"{path}:{n}: a pattern without its reason: {line}")
            pattern, reason = parts
            only = None
            if ":" in pattern:
                only, pattern = pattern.split(":", 1)
            entries.append((only, pattern, reason.strip()))
    return entries


def skip_message(out):
    """The reason a skipped test gave: gtest's message after "Skipped", else the marker line,
    else the output's last line."""
    lines = [l.rstrip() for l in out.splitlines()]
    for i, l in enumerate(lines):
        if MARKER.search(l):
            return MARKER.search(l).group(0) + l[MARKER.search(l).end():]
    for i, l in enumerate(lines):
        if l.endswith(": Skipped") and i + 1 < len(lines) and lines[i + 1].strip():
            return lines[i + 1].strip()
    tail = [l for l in lines if l.strip()]
    return tail[-1].strip() if tail else "(no output)"


def opted_out_everywhere(out, areas):
    """True when the test skipped only for areas $CORELENS_SKIP names: every QtTest skip line
    ("SKIP   : ...", one per skipped test function) carries the marker, or (one skip per test:
    gtest, scripts) the output does; every marker names an opted-out area."""
    qt_skips = [l for l in out.splitlines() if l.startswith("SKIP   : ")]
    if qt_skips and not all(MARKER.search(l) for l in qt_skips):
        return False
    found = MARKER.findall(out)
    return bool(found) and all(area in areas for area in found)


def read_pass(junit):
    """[(name, status, output, skipped_message_attribute)] of one ctest run."""
    cases = []
    for tc in ET.parse(junit).getroot().iter("testcase"):
        out = tc.findtext("system-out") or ""
        skipped = tc.find("skipped")
        cases.append((tc.get("name"), tc.get("status"), out,
                      skipped.get("message", "") if skipped is not None else ""))
    return cases


def summarize(label, junit, expected, areas, quiet):
    counts = dict(tests=0, ran=0, passed=0, failed=0, not_run=0, skipped=0, expected=0, unexpected=0)
    lines = []
    listed = [(p, r) for only, p, r in expected if only in (None, label)]
    skipped_by_pattern = {p: 0 for p, _ in listed}
    ran_by_pattern = {p: 0 for p, _ in listed}
    for name, status, out, skip_attr in read_pass(junit):
        counts["tests"] += 1
        matching = [(p, r) for p, r in listed if fnmatch.fnmatchcase(name, p)]
        if status in ("run", "fail"):
            counts["ran"] += 1
            counts["passed" if status == "run" else "failed"] += 1
            for p, _ in matching:
                ran_by_pattern[p] += 1
            continue
        if status == "notrun" and skip_attr == "Fixture dependency failed":
            # ctest counts these as failures: what they need could not be set up.
            counts["not_run"] += 1
            counts["failed"] += 1
            continue
        counts["skipped"] += 1
        message = skip_message(out) if status == "notrun" else f"({status})"
        if opted_out_everywhere(out, areas):
            counts["expected"] += 1
            lines.append(f"  skipped, expected (opted out): {name}: {message}")
        elif matching:
            counts["expected"] += 1
            for p, _ in matching:
                skipped_by_pattern[p] += 1
            lines.append(f"  skipped, expected: {name}: {matching[0][1]}")
        else:
            counts["unexpected"] += 1
            lines.append(f"  skipped, UNEXPECTED: {name}: {message}")
    for p, reason in listed:
        if skipped_by_pattern[p] == 0 and ran_by_pattern[p] > 0:
            lines.append(f"  no longer skipped: {p} ({reason}): {ran_by_pattern[p]} matching tests ran")
    if not quiet:
        c = counts
        print(f"{label} pass: {c['tests']} tests: {c['ran']} ran ({c['passed']} passed, {c['failed'] - c['not_run']} failed), "
              f"{c['not_run']} not run (a fixture they need failed), {c['skipped']} skipped")
        for l in lines:
            print(l)
        print(f"{label} pass: skipped: {c['expected']} expected, {c['unexpected']} unexpected")
    return counts


def main():
    args = sys.argv[1:]
    totals_only = "--totals" in args
    args = [a for a in args if a != "--totals"]
    if len(args) < 2 or any("=" not in a for a in args[1:]):
        sys.exit(__doc__)
    expected = load_expected(args[0])
    areas = opted_out_areas()
    total = {}
    for spec in args[1:]:
        label, junit = spec.split("=", 1)
        if not os.path.exists(junit):
            sys.exit(f"skip_summary: {junit} does not exist (did ctest of the {label} pass run?)")
        for k, v in summarize(label, junit, expected, areas, totals_only).items():
            total[k] = total.get(k, 0) + v
    if totals_only:
        passes = ", ".join(a.split("=", 1)[0] for a in args[1:])
        print(f"tests ({passes}): {total['ran']} ran, {total['passed']} passed, {total['failed']} failed "
              f"({total['not_run']} of them not run), {total['skipped']} skipped")
        if areas:
            print(f"opted out: CORELENS_SKIP={','.join(sorted(areas))}")
    if totals_only or len(args) > 2:  # one pass alone has said it in its own last line
        print(f"skipped: {total['expected']} expected, {total['unexpected']} unexpected")
    return 1 if total["unexpected"] else 0


if __name__ == "__main__":
    sys.exit(main())
