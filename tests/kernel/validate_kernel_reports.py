#!/usr/bin/python3
"""Validates `corelens analyze --format json` of every real kernel dump against the published
schema, and checks that each CPU's stack is there: kernel.cpus[].frames index-aligned with the
frames of the thread named "CPU n"; and again with the vmlinux of the same build. A dump or the
vmlinux missing fails the test, unless $CORELENS_SKIP names kernel: then what is there is validated
and the test is skipped. Usage: validate_kernel_reports.py CORELENS SCHEMA DUMPS_DIR"""
import json
import os
import subprocess
import sys

import jsonschema

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import opt_out  # noqa: E402  (tests/support/opt_out.py)

DUMPS = ["vmcore.elf", "vmcore.kdump", "vmcore-lzo.kdump", "vmcore.flat", "qemu.elf", "qemu.kdump", "qemu.flat",
         "nokaslr/qemu.elf", "nokaslr/qemu.kdump", "nokaslr/qemu.flat", "oops/qemu.elf", "oops/qemu.kdump"]
# The other kernels (tests/kernel/CMakeLists.txt boots them): each capture's files, with their
# vmlinux where one is fetched. Debian 13's arm64 makedumpfile reads no dump of its kernel: only
# the kernel's own /proc/vmcore is kept from kdump there.
OTHER_KERNELS = {
    "debian11-amd64": (["vmcore.elf", "vmcore.kdump", "vmcore.flat", "qemu.elf", "qemu.kdump", "nokaslr/qemu.elf"], True),
    "debian13-amd64": (["vmcore.elf", "vmcore.kdump", "vmcore.flat", "qemu.elf", "qemu.kdump", "nokaslr/qemu.elf"], False),
    "debian12-arm64": (["vmcore.elf", "vmcore.kdump", "vmcore.flat", "qemu.elf", "qemu.kdump", "nokaslr/qemu.elf"], True),
    "debian13-arm64": (["vmcore.elf", "qemu.elf", "qemu.kdump", "nokaslr/qemu.elf"], False),
}


def main():
    corelens, schema_path, directory = sys.argv[1:]
    with open(schema_path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    # Each kernel's dumps, and again with the vmlinux of the same build (the kernel_vmlinux fixture).
    kernels = [(directory, DUMPS, True)] + [(os.path.join(directory, k), names, with_vmlinux)
                                            for k, (names, with_vmlinux) in OTHER_KERNELS.items()]
    runs, missing = [], []
    for kdir, names, with_vmlinux in kernels:
        dumps = [os.path.join(kdir, d) for d in names if os.path.exists(os.path.join(kdir, d))]
        missing += [os.path.relpath(os.path.join(kdir, d), directory) for d in names if not os.path.exists(os.path.join(kdir, d))]
        runs += [(d, []) for d in dumps]
        vmlinux = os.path.join(kdir, "vmlinux")
        if with_vmlinux and os.path.exists(vmlinux):
            runs += [(d, ["--vmlinux", vmlinux]) for d in dumps]
        elif with_vmlinux:
            missing.append(os.path.relpath(vmlinux, directory))
    why = f"not made in {directory}: {' '.join(missing)} (see the kernel_dumps.make* and kernel_vmlinux.fetch tests)"
    if missing and not opt_out.opted_out("kernel"):
        opt_out.unavailable("kernel", why)
    failures = 0
    for dump, extra in runs:
        out = subprocess.run([corelens, "analyze", "--format", "json", dump] + extra, capture_output=True, text=True)
        if out.returncode != 0:
            print(f"FAIL {dump}: exit {out.returncode}: {out.stderr.strip()}")
            failures += 1
            continue
        report = json.loads(out.stdout)
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
        for e in errors[:5]:
            print(f"FAIL {dump}: {'/'.join(map(str, e.path))}: {e.message}")
        problems = []
        # The schema must be able to fail: a CPU frame without its stack is rejected.
        broken = json.loads(out.stdout)
        if broken["kernel"]["cpus"] and broken["kernel"]["cpus"][0]["frames"]:
            del broken["kernel"]["cpus"][0]["frames"][0]["stack"]
            if not list(validator.iter_errors(broken)):
                problems.append("the schema accepts a CPU frame without its stack")
        threads = {t["name"]: t for t in report["threads"]}
        for cpu in report["kernel"]["cpus"]:
            thread = threads.get(f"CPU {cpu['cpu']}")
            if thread is None:
                problems.append(f"no thread for CPU {cpu['cpu']}")
            elif len(thread["frames"]) != len(cpu["frames"]) or len(cpu["frames"]) < 2:
                problems.append(f"CPU {cpu['cpu']}: {len(thread['frames'])} frames, {len(cpu['frames'])} notes")
        if any(n.startswith("stacks") for n in report["kernel"]["not_done"]):
            problems.append("not_done still lists stacks")
        tasks = report["kernel"]["tasks"]
        if not report["kernel"]["tasks_read"] or len(tasks) < 10:
            problems.append(f"{len(tasks)} tasks")
        for t in tasks:
            if len(t["frames"]) != len(t["frame_notes"]):
                problems.append(f"task {t['pid']}: {len(t['frames'])} frames, {len(t['frame_notes'])} notes")
        if extra and not report["kernel"]["vmlinux"]["file"]:
            problems.append("--vmlinux not used: " + str(report["kernel"]["vmlinux"]["note"]))
        if extra and not any(f["file"] for t in report["threads"] for f in t["frames"]):
            problems.append("--vmlinux gave no file:line")
        if extra:
            dump += " --vmlinux"
        for p in problems:
            print(f"FAIL {dump}: {p}")
        failures += bool(errors) or bool(problems)
        if not errors and not problems:
            print(f"ok   {dump}: " + ", ".join(f"CPU {c['cpu']} {len(c['frames'])} frames" for c in report["kernel"]["cpus"])
                  + f", {len(tasks)} tasks")
    print(f"{len(runs) - failures} passed, {failures} failed")
    if failures:
        return 1
    if missing:  # opted out: what was there is valid, the rest did not run
        print(opt_out.opted_out_message("kernel", why))
        return opt_out.SKIP_RETURN_CODE
    return 0


if __name__ == "__main__":
    sys.exit(main())
