#!/usr/bin/env python3
"""One golden-output test: run a command in the golden dumps' directory and compare what it
wrote (its standard output, or a file it wrote with --output) with a golden file, byte for byte.
On a difference, print a unified diff (golden file first) and fail.

With CORELENS_UPDATE_GOLDEN=1 in the environment the golden file is rewritten instead (and the
test passes): the way to accept an intended change, reviewed as a diff (tests/golden/README.md).

usage: run_golden.py --golden FILE --workdir DIR [--output PATH] [--exit N] -- COMMAND...
"""
import argparse
import difflib
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--golden", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--output", help="compare this file (relative to the workdir), not stdout")
    ap.add_argument("--exit", type=int, default=0, help="the command's expected exit status")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("no command")

    # Nothing of this machine may reach the output: no debuginfod, no GitHub step summary, the C
    # locale's messages, UTC.
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEBUGINFOD_URLS", "GITHUB_STEP_SUMMARY", "NO_COLOR", "CLICOLOR_FORCE")}
    env.update(LC_ALL="C", TZ="UTC")
    output_path = os.path.join(args.workdir, args.output) if args.output else None
    if output_path and os.path.exists(output_path):
        os.remove(output_path)
    run = subprocess.run(command, cwd=args.workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=300)
    if run.returncode != args.exit:
        sys.stdout.buffer.write(run.stdout[-4000:])
        sys.stdout.buffer.write(run.stderr[-4000:])
        print(f"\nrun_golden: {' '.join(command)} exited with {run.returncode}, expected {args.exit}")
        return 1
    if run.stderr:
        sys.stdout.buffer.write(run.stderr)
        print("\nrun_golden: the command wrote to stderr (above); golden commands must not")
        return 1
    if output_path:
        if not os.path.exists(output_path):
            print(f"run_golden: the command did not write {args.output}")
            return 1
        with open(output_path, "rb") as f:
            actual = f.read()
    else:
        actual = run.stdout

    if os.environ.get("CORELENS_UPDATE_GOLDEN") == "1":
        os.makedirs(os.path.dirname(args.golden), exist_ok=True)
        with open(args.golden, "wb") as f:
            f.write(actual)
        print(f"run_golden: wrote {args.golden}")
        return 0
    if not os.path.exists(args.golden):
        print(f"run_golden: {args.golden} does not exist; make it with tests/golden/update.sh")
        return 1
    with open(args.golden, "rb") as f:
        expected = f.read()
    if actual == expected:
        return 0
    name = "tests/golden/" + os.path.relpath(args.golden, os.path.dirname(os.path.dirname(args.golden)))
    diff = difflib.unified_diff(expected.decode("utf-8", "backslashreplace").splitlines(keepends=True),
                                actual.decode("utf-8", "backslashreplace").splitlines(keepends=True),
                                fromfile=name + " (golden)", tofile=name + " (now)")
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff)
    sys.stdout.write(text if text else "run_golden: the outputs differ in bytes the diff does not show\n")
    print(f"\nrun_golden: {' '.join(command)} no longer writes {name}; if the change is intended, "
          "run tests/golden/update.sh and review the diff")
    return 1


if __name__ == "__main__":
    sys.exit(main())
