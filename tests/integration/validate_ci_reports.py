#!/usr/bin/python3
"""Validates the CI reports corelens writes with real validators: SARIF against the OASIS SARIF
2.1.0 JSON schema (python3-jsonschema, with format checks: python3-rfc3987 makes "uri" and
"uri-reference" real checks), JUnit against the Jenkins xunit-plugin JUnit schema (xmllint from
libxml2-utils). The reports come from what users run:

  - `corelens run` over sample programs crashing for real (kernel cores off: ulimit -c 0), one
    of them started under a name and with an argument that are not UTF-8 (a crashing process
    can be called anything, and its name and command line end up in the reports);
  - `corelens run` over a command that does not crash (the empty reports);
  - `corelens collect` over the sample cores of the `sample_cores` fixture (kernel and gcore).

Each report must validate, and the validators must be able to fail: mutated copies of the real
reports (a required field gone, a value out of its enum, bytes that are not UTF-8) must be
rejected. Beyond the schema, a few rules of the SARIF text the schema cannot express are checked.

Usage: validate_ci_reports.py CORELENS SARIF_SCHEMA JUNIT_XSD SAMPLES_BIN SOURCE_ROOT CORES_DIR...
Prints "ok"/"FAIL" lines and "N passed, N failed"; exit status 1 on any failure."""
import copy
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jsonschema

checks = {"passed": 0, "failed": 0}


def check(ok, what, detail=""):
    checks["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {what}" + (f": {detail}" if detail and not ok else ""))
    return ok


def sarif_errors(validator, doc):
    """Schema errors, then the rules of the SARIF 2.1.0 text that the schema cannot express."""
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))]
    if errors:
        return errors
    for r, run in enumerate(doc["runs"]):
        rules = run["tool"]["driver"].get("rules", [])
        bases = run.get("originalUriBaseIds", {})
        for base, loc in bases.items():
            # 3.14.14: each originalUriBaseIds uri is absolute (or has its own uriBaseId) and ends with "/".
            if not loc.get("uri", "").endswith("/"):
                errors.append(f"runs/{r}/originalUriBaseIds/{base}: uri does not end with '/'")
            if "uriBaseId" not in loc and ":" not in loc.get("uri", ""):
                errors.append(f"runs/{r}/originalUriBaseIds/{base}: uri is not absolute")
        for i, res in enumerate(run.get("results", [])):
            where = f"runs/{r}/results/{i}"
            # 3.27.6/3.27.7: ruleIndex points at the rule whose id is ruleId.
            if "ruleIndex" in res and (res["ruleIndex"] >= len(rules) or rules[res["ruleIndex"]]["id"] != res.get("ruleId")):
                errors.append(f"{where}: ruleIndex {res['ruleIndex']} is not rule {res.get('ruleId')!r}")
            locs = [loc for loc in res.get("locations", [])]
            for s in res.get("stacks", []):
                locs += [f["location"] for f in s["frames"] if "location" in f]
            for c in res.get("codeFlows", []):
                for t in c["threadFlows"]:
                    locs += [l["location"] for l in t["locations"] if "location" in l]
            for loc in locs:
                art = loc.get("physicalLocation", {}).get("artifactLocation", {})
                # 3.4.4: a uriBaseId names an entry of originalUriBaseIds (ours are never left open).
                if "uriBaseId" in art and art["uriBaseId"] not in bases:
                    errors.append(f"{where}: uriBaseId {art['uriBaseId']} is not in originalUriBaseIds")
                # 3.4.3: with a uriBaseId the uri is relative.
                if "uriBaseId" in art and ":" in art.get("uri", "").split("/")[0]:
                    errors.append(f"{where}: uri {art['uri']!r} has a scheme and a uriBaseId")
    return errors


def junit_errors(xsd, path):
    out = subprocess.run(["xmllint", "--noout", "--schema", xsd, path], capture_output=True, text=True,
                         errors="replace")
    return [] if out.returncode == 0 else [l for l in out.stderr.splitlines() if l.strip()][:5]


def junit_counts_agree(path):
    """The counts JUnit readers show come from the attributes: they must match the test cases."""
    import xml.etree.ElementTree as ET
    root = ET.parse(path).getroot()
    for suite in [root] + root.findall("testsuite"):
        cases = suite.findall(".//testcase")
        failed = [c for c in cases if c.find("failure") is not None]
        if suite.get("tests") != str(len(cases)) or suite.get("failures") != str(len(failed)):
            return f"{suite.tag} says tests={suite.get('tests')} failures={suite.get('failures')}, has {len(cases)}/{len(failed)}"
    return ""


def validate_pair(validator, xsd, sarif_path, junit_path, label, expect_results):
    with open(sarif_path, "rb") as f:
        raw = f.read()
    try:
        doc = json.loads(raw.decode("utf-8"))  # strict: a SARIF file is UTF-8 JSON (3.1)
    except (UnicodeDecodeError, ValueError) as e:
        check(False, f"{label}: SARIF is UTF-8 JSON", str(e))
        return None
    errors = sarif_errors(validator, doc)
    check(not errors, f"{label}: SARIF validates against sarif-schema-2.1.0.json", "; ".join(errors[:5]))
    n = len(doc["runs"][0].get("results", [])) if doc.get("runs") else -1
    check(n == expect_results, f"{label}: {expect_results} SARIF results", f"found {n}")
    errors = junit_errors(xsd, junit_path)
    check(not errors, f"{label}: JUnit validates against junit-10.xsd", "; ".join(errors))
    if not errors:
        bad = junit_counts_agree(junit_path)
        check(not bad, f"{label}: JUnit counts agree with its test cases", bad)
    return doc


def expect_rejected(validator, xsd, doc, junit_path, tmp):
    """The validators must be able to fail: mutations of a real report are rejected."""
    sarif_mutations = {
        "without version": lambda d: d.pop("version"),
        "result level 'fatal'": lambda d: d["runs"][0]["results"][0].__setitem__("level", "fatal"),
        "driver without name": lambda d: d["runs"][0]["tool"]["driver"].pop("name"),
        "startLine 0": lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
                                  .__setitem__("startLine", 0),
        "uri with a space": lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
                                       ["artifactLocation"].__setitem__("uri", "a b.c"),
        "ruleIndex of another rule": lambda d: d["runs"][0]["results"][0].__setitem__("ruleIndex", 99),
    }
    for what, mutate in sarif_mutations.items():
        broken = copy.deepcopy(doc)
        mutate(broken)
        check(bool(sarif_errors(validator, broken)), f"a SARIF report {what} is rejected")
    with open(junit_path, "rb") as f:
        junit = f.read()
    junit_mutations = {
        "test case without name": re.sub(rb'(<testcase [^>]*?) name="[^"]*"', rb"\1", junit, count=1),
        "test suite without failures count": re.sub(rb'(<testsuite [^>]*?) failures="[^"]*"', rb"\1", junit, count=1),
        "unknown element in a test case": junit.replace(b"<system-out>", b"<stdout/><system-out>", 1),
        "bytes that are not UTF-8": junit.replace(b"<system-out>", b"<system-out>\xff\xfe", 1),
        "a control character": junit.replace(b"<system-out>", b"<system-out>\x01", 1),
    }
    for what, text in junit_mutations.items():
        path = os.path.join(tmp, "broken.xml")
        with open(path, "wb") as f:
            f.write(text)
        check(text != junit and bool(junit_errors(xsd, path)), f"a JUnit report with {what} is rejected")


def sarif_summary(doc):
    """What a SARIF run says per result: rule, fingerprint, message, first location."""
    out = set()
    for res in doc.get("runs", [{}])[0].get("results", []):
        loc = (res.get("locations") or [{}])[0].get("physicalLocation", {})
        out.add((res.get("ruleId"), json.dumps(res.get("partialFingerprints", {}), sort_keys=True),
                 res.get("message", {}).get("text"), loc.get("artifactLocation", {}).get("uri"),
                 loc.get("region", {}).get("startLine")))
    return out


def run_corelens(args, env=None):
    return subprocess.run(["sh", "-c", 'ulimit -c 0; exec "$@"', "sh"] + args, capture_output=True,
                          env=env, stdin=subprocess.DEVNULL)


def main():
    corelens, sarif_schema, xsd, samples_bin, source_root, *core_dirs = sys.argv[1:]
    with open(sarif_schema) as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    check("uri-reference" in checker.checkers,
          "the format checker knows uri-reference (python3-rfc3987 installed)")
    validator = jsonschema.Draft7Validator(schema, format_checker=checker)
    check(subprocess.run(["xmllint", "--noout", xsd]).returncode == 0, "junit-10.xsd is well-formed")

    tmp = tempfile.mkdtemp(prefix="corelens-ci-reports-")
    try:
        # 1. corelens run over real crashes, one of them under a name and argument not UTF-8.
        odd = os.path.join(tmp.encode(), b"crash\xff\xe9")
        os.symlink(os.path.join(samples_bin, "null_read").encode(), odd)
        crashers = ["null_read", "divide_by_zero", "assert_fail", "uncaught_exception", "threads_blocked"]
        # The odd one first: its group (shared with null_read) takes its name for the title.
        script = b"; ".join([b"'" + odd + b"' arg\xfe"] + [os.path.join(samples_bin, s).encode() for s in crashers] +
                            [b"exit 0"])
        out = {k: os.path.join(tmp, "run." + k) for k in ("sarif", "xml", "md")}
        r = run_corelens([corelens, "run", "--sarif", out["sarif"], "--junit", out["xml"], "--markdown", out["md"],
                          "--source-root", source_root, "--", "sh", "-c", script])
        ok = check(r.returncode == 0 and all(os.path.exists(p) for p in out.values()),
                   "corelens run over 6 crashing samples writes its reports",
                   f"exit {r.returncode}: {r.stderr.decode(errors='replace')[-500:]}")
        if ok:
            # null_read twice (once under the odd name): one group, so 5 results.
            doc = validate_pair(validator, xsd, out["sarif"], out["xml"], "run (6 crashes)", 5)
            if doc is not None:
                expect_rejected(validator, xsd, doc, out["xml"], tmp)

        # 2. corelens run over a command that does not crash: empty but valid reports.
        r = run_corelens([corelens, "run", "--sarif", out["sarif"], "--junit", out["xml"], "--", "true"])
        if check(r.returncode == 0, "corelens run over 'true' writes its reports", r.stderr.decode(errors="replace")):
            validate_pair(validator, xsd, out["sarif"], out["xml"], "run (no crash)", 0)

        # 3. corelens collect over the fixture's sample cores, as the kernel and gcore wrote them.
        for d in core_dirs:
            cores = sorted(glob.glob(os.path.join(d, "*.core")))
            if not check(bool(cores), f"sample cores in {d}"):
                continue
            r = run_corelens([corelens, "collect", "--sarif", out["sarif"], "--junit", out["xml"],
                              "--source-root", source_root] + cores)
            if check(r.returncode == 0, f"corelens collect over {len(cores)} cores in {d}",
                     r.stderr.decode(errors="replace")[-500:]):
                with open(out["sarif"], "rb") as f:
                    groups = len(json.loads(f.read().decode("utf-8", "replace")).get("runs", [{}])[0].get("results", []))
                validate_pair(validator, xsd, out["sarif"], out["xml"], f"collect {os.path.basename(d)}", groups)
                with open(out["sarif"], "rb") as f:
                    collected = sarif_summary(json.loads(f.read().decode("utf-8", "replace")))

                # 4. corelens triage over the same cores: its children send summaries, not whole
                # reports; the CI reports made from them must be valid and say the same things.
                r = run_corelens([corelens, "triage", "--no-progress", "--jobs", "2", "--sarif", out["sarif"],
                                  "--junit", out["xml"], "--source-root", source_root] + cores)
                if check(r.returncode == 0, f"corelens triage over {len(cores)} cores in {d}",
                         r.stderr.decode(errors="replace")[-500:]):
                    validate_pair(validator, xsd, out["sarif"], out["xml"], f"triage {os.path.basename(d)}", groups)
                    with open(out["sarif"], "rb") as f:
                        triaged = sarif_summary(json.loads(f.read().decode("utf-8", "replace")))
                    check(triaged == collected, f"triage's SARIF results equal collect's for {d}",
                          f"triage: {sorted(triaged)[:3]} collect: {sorted(collected)[:3]}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"{checks['passed']} passed, {checks['failed']} failed")
    return 1 if checks["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
