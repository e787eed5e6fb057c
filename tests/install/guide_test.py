#!/usr/bin/env python3
"""Runs every command the user guide shows, so the guide never goes stale (issue 9).

In docs/user-guide.md:
  ```sh test                a block of commands, one a line (# comments allowed), each run with
                            bash in a scratch directory holding real sample cores; each must
                            exit 0, or N with `exit=N`; `needs=kernel` marks a block that needs
                            a kernel dump, `needs=cross` one that needs the aarch64 core: where
                            it was not made the test fails, unless CORELENS_SKIP names that
                            area: then the block is left out and the test exits 77 (skipped)
  ```text output            right after a test block: what its last command prints. Every line
                            shown must appear in the real output, in order; `…` in a line
                            matches anything (addresses, pids, paths), a line `…` alone skips
                            any number of lines
  ```yaml test              a CI workflow: each `corelens ...` command in it runs, with the
                            command it wraps (after ` -- `) replaced by `true`
usage: guide_test.py GUIDE BUILD_DIR CORES_DIR KDUMPS_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import opt_out  # noqa: E402  (tests/support/opt_out.py)

guide, build, cores, kdumps = (os.path.abspath(a) for a in sys.argv[1:5])
FENCE = re.compile(r"^```(\S*)(.*)$")


def blocks(text):
    """(info words, lines, line number) of every fenced block."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group(1):
            start = i
            info = (m.group(1) + m.group(2)).split()
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            yield info, body, start + 1
        i += 1


def expect_lines(shown, actual, where):
    """Every shown line, in order, in the actual output ('…' a wildcard)."""
    actual_lines = actual.rstrip("\n").split("\n")
    pos = 0
    skipping = False
    for line in shown:
        if line.strip() == "…":
            skipping = True
            continue
        pattern = re.compile("^" + ".*".join(re.escape(p) for p in line.rstrip().split("…")) + "$")
        found = None
        for k in range(pos, len(actual_lines)):
            if pattern.match(actual_lines[k].rstrip()):
                found = k
                break
            if not skipping and k > pos + 200:
                break
        if found is None:
            sys.exit(f"FAIL {where}: the guide shows\n  {line}\nbut the output (from line {pos + 1}) is:\n" +
                     "\n".join(actual_lines[pos:pos + 40]))
        pos = found + 1
        skipping = False


def main():
    work = tempfile.mkdtemp(prefix="corelens-guide-")
    try:
        # The scratch directory: sample cores under the names the guide uses.
        for name in ("null_read", "threads_blocked", "divide_by_zero", "stack_overflow", "inlined_o2", "values_c"):
            shutil.copy(f"{cores}/auto/{name}.core", f"{work}/{name}.core")
            shutil.copy(f"{cores}/auto/{name}.exe", f"{work}/{name}")
        # A hung process's core, apart: the guide's triage of "." counts the crashes above.
        os.makedirs(f"{work}/hung")
        shutil.copy(f"{cores}/auto/hang_abba.core", f"{work}/hung/hang_abba.core")
        # A C++ program of another architecture, crashed under qemu-user (the cross_cores fixture).
        cross = f"{cores}/cross/aarch64"
        have_cross = os.path.exists(f"{cross}/uncaught_exception.core")
        if have_cross:
            os.mkdir(f"{work}/aarch64")
            for name in ("uncaught_exception.core", "uncaught_exception"):
                shutil.copy(f"{cross}/{name}", f"{work}/aarch64/{name}")
        have_kernel = os.path.exists(f"{kdumps}/vmcore.kdump")
        if have_kernel:
            os.symlink(f"{kdumps}/vmcore.kdump", f"{work}/vmcore.kdump")
        env = dict(os.environ)
        env["PATH"] = f"{build}/cli:{build}/gui:{env['PATH']}"
        for var in ("NO_COLOR", "DEBUGINFOD_URLS", "DISPLAY", "WAYLAND_DISPLAY"):
            env.pop(var, None)
        env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=f"{work}/.config", XDG_RUNTIME_DIR=work,
                   CORELENS_COREDUMP_DIR=f"{work}/coredump", LC_ALL="C.UTF-8", COLUMNS="100")
        commands = outputs = 0
        left_out = {}  # area -> what was not made, for the blocks that needed it
        last = None  # (where, stdout) of the last command of the last test block
        with open(guide, encoding="utf-8") as f:
            text = f.read()
        for info, body, line_no in blocks(text):
            where = f"{os.path.basename(guide)}:{line_no}"
            if info[0] == "text" and "output" in info[1:]:
                if last is None:
                    sys.exit(f"FAIL {where}: an output block with no test block before it")
                expect_lines(body, last[1], f"{where} (output of {last[0]})")
                outputs += 1
                last = None
                continue
            last = None
            if "test" not in info[1:]:
                continue
            opts = dict(w.split("=", 1) for w in info[1:] if "=" in w)
            needs = opts.get("needs")
            missing = {"kernel": None if have_kernel else f"{kdumps}/vmcore.kdump was not made (see kernel_dumps.make)",
                       "cross": None if have_cross else "the aarch64 core was not made (see cross_cores.make)"}
            if needs in missing and missing[needs]:
                if not opt_out.opted_out(needs):
                    opt_out.unavailable(needs, f"{where} needs {missing[needs]}")
                print(f"{where}: left out, {missing[needs]}")
                left_out[needs] = missing[needs]
                continue
            cmds = [l for l in body if l.strip() and not l.lstrip().startswith("#")]
            if info[0] == "yaml":
                cmds = [re.sub(r" -- .*$", " -- true", m.group(1)) for l in body
                        for m in [re.search(r"(?:run:\s*|^\s+)(corelens .*)$", l)] if m]
                if not cmds:
                    sys.exit(f"FAIL {where}: a yaml test block without a corelens command")
            want = int(opts.get("exit", "0"))
            for i, cmd in enumerate(cmds):
                r = subprocess.run(["bash", "-c", cmd], cwd=work, env=env, capture_output=True, text=True,
                                   timeout=300)
                expected = want if i == len(cmds) - 1 else 0
                status = 128 - r.returncode if r.returncode < 0 else r.returncode  # killed: as a shell says it
                if status != expected:
                    sys.exit(f"FAIL {where}: `{cmd}` exited {status}, the guide says {expected}\n"
                             f"stdout:\n{r.stdout[-3000:]}\nstderr:\n{r.stderr[-3000:]}")
                commands += 1
                last = (f"`{cmd}`", r.stdout)
        if commands == 0:
            sys.exit("FAIL: the guide has no test block")
        print(f"{commands} commands of the guide run, {outputs} outputs checked")
        for area, why in left_out.items():
            print(opt_out.opted_out_message(area, f"blocks left out: {why}"))
        if left_out:
            sys.exit(opt_out.SKIP_RETURN_CODE)
    finally:
        shutil.rmtree(work, ignore_errors=True)


main()
