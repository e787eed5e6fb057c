#!/usr/bin/env python3
"""compare_values.py VALUES_DUMP GDB_SCRIPT CORES_DIR SAMPLE...

For each sample core: every argument and local of every frame up to main, as corelens' values
engine reads it (VALUES_DUMP) and as gdb's Python API reads it (GDB_SCRIPT), each flattened into
leaves ("rec.where[1].x" -> "103"), compared value for value. Prints, per sample, how many values
were compared, how many agree, and every difference with the rule that explains it; exits 1 when
a difference no rule explains remains, or when nothing at all could be compared.

The rules (each one a documented reason why corelens' answer differs and is right):
  register-not-recovered  corelens says "register not recovered" where gdb prints a value, in a
                          caller frame: the value lives in a register the callee may have
                          clobbered (not callee-saved, so no CFI rule restores it); gdb assumes
                          "same value" and prints the callee's register, a guess.
  known-from-source       a frame of code without any CFI (no_unwind_info_nofp): gdb unwinds it by
                          analysing the prologue and, with -fomit-frame-pointer, takes the wrong
                          stack slots; corelens finds the frame by the return address on the
                          stack. Where the two differ, the value the program itself computed
                          (the sample runs with argc = 1, see KNOWN_VALUES) decides, and it is
                          corelens' one.
  rust-char               gdb 13 prints a Rust char as its four UTF-32 bytes ('R\000\000\000');
                          corelens prints the character ('R'), as Rust writes it.
  gdb-internal-error      gdb fails an internal assertion printing the value (gdb 13 on some of
                          Debian rustc 1.63's DWARF): nothing to compare with; counted apart.
  std-array               gdb has no printer for std::array and prints {_M_elems = {...}};
                          corelens prints "std::array of length N = {...}": the same elements.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

# Values the samples compute, known from their sources (make-cores runs every sample with no
# arguments: argc is 1): (sample, function) -> {leaf: value}.
KNOWN_VALUES = {
    ("no_unwind_info_nofp", "compute"): {
        "out": "0x0", "seed": "1", "locals": "{1, 2, 3, 4, 5, 6}", "locals[0]": "1", "locals[1]": "2",
        "locals[2]": "3", "locals[3]": "4", "locals[4]": "5", "locals[5]": "6"},
}

MAX_DEPTH = 4
MAX_ELEMENTS = 20
MAX_LEAVES = 400


def comparable(function):
    s = function.split("@")[0]
    s = re.sub(r"::h[0-9a-f]{16}$", "", s)  # Rust's legacy mangling keeps a hash gdb does not show
    depth = 0
    for i, c in enumerate(s):
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        elif c == "(" and depth == 0 and i > 0 and not s.startswith("operator"):
            return s[:i]
    return s


def normalise(text):
    # gdb words an error its printer raised inside another printer (an iterator's) as an error
    # reading the variable.
    text = text.replace("<error reading variable: ", "<error: ")
    # Type names inside printer summaries as people write them (corelens' readable names).
    text = text.replace("std::__cxx11::", "std::")
    text = text.replace("std::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string")
    return text


def unavailable_text(reason):
    if reason == "optimized out":
        return "<optimized out>"
    # A std::string whose data pointer is NULL and whose length is not 0 (the bytes past a
    # vector's end, read by an end iterator): gdb's printer says it in its words.
    if re.match(r"<error: a string of \d+ characters at address 0x0>$", reason):
        return "<error: Cannot create a lazy string with address 0x0, and a non-zero length.>"
    m = re.match(r"cannot access memory at (0x[0-9a-f]+)", reason)
    if m:
        return "<error: Cannot access memory at address %s>" % m.group(1)
    return "<unavailable: %s>" % reason


def flatten_ours(node, path, depth, out):
    if len(out) >= MAX_LEAVES:
        return
    if node["unavailable"] is not None:
        out[path] = unavailable_text(node["unavailable"])
        return
    kind = node["kind"]
    if kind == "aggregate" and depth < MAX_DEPTH and node["children"]:
        for c in node["children"]:
            flatten_ours(c, path + "." + c["name"], depth + 1, out)
        return
    out[path] = node["value"]
    if kind == "array" and not node["value"].startswith('"') and not re.match(r'^[LuU]"', node["value"]):
        for c in node["children"][:MAX_ELEMENTS]:
            flatten_ours(c, path + c["name"], depth + 1, out)


def run_ours(dump, core, raw):
    args = [dump, core, "--depth", str(MAX_DEPTH + 2)] + (["--raw"] if raw else [])
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("values_dump failed: " + r.stderr)
    return json.loads(r.stdout)


def run_gdb(script, exe, core):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    env = dict(os.environ, CORELENS_GDB_VALUES_OUT=out, LC_ALL="C")
    env.pop("DEBUGINFOD_URLS", None)
    r = subprocess.run(["gdb", "-batch", "-nx", "-x", script, exe, core], capture_output=True, text=True,
                       env=env, timeout=600)
    try:
        with open(out) as f:
            return json.load(f)
    except (OSError, ValueError):
        raise RuntimeError("gdb wrote no values: " + r.stdout[-2000:] + r.stderr[-2000:])
    finally:
        os.unlink(out)


def compare_sample(dump, script, cores, sample, report):
    core = os.path.join(cores, sample + ".core")
    exe = os.path.join(cores, sample + ".exe")
    # gdb prints Rust's enums, &str and chars itself but has no printer for Vec or String (rustc's
    # gdb providers are not loaded by plain gdb): Rust cores are compared in the raw view, which
    # keeps the language's own values. (tests/values checks the Vec and String printers apart.)
    ours = run_ours(dump, core, raw="rust" in sample)
    theirs = run_gdb(script, exe, core)
    stats = {"compared": 0, "agree": 0, "explained": {}, "unexplained": []}
    printed = json.dumps(ours).count('"kind": "printed"')
    if printed and not theirs.get("libstdcxx_printers") and "rust" not in sample:
        stats["unexplained"].append("gdb's libstdc++ printers did not load (libstdc++6's auto-load file): "
                                    "nothing to compare %d printed values with" % printed)
    by_tid = {t["tid"]: t for t in ours["threads"]}
    for gt in theirs["threads"]:
        ot = by_tid.get(gt["tid"])
        if ot is None:
            stats["unexplained"].append("thread %d: not in corelens' report" % gt["tid"])
            continue
        frames = ot["frames"]
        k = 0
        for gf in gt["frames"]:
            if gf["tailcall"]:
                continue
            name = comparable(gf["function"])
            # The next frame of ours by that name; a frame gdb names otherwise (Rust's v0-mangled
            # std frames, which our symboliser leaves mangled) is passed over, not matched.
            j = k
            while j < len(frames) and comparable(frames[j]["function"]) != name:
                j += 1
            if j >= len(frames):
                continue
            of = frames[j]
            k = j + 1
            if gf["variables"] is None:
                continue
            where = "thread %d #%d %s" % (gt["tid"], of["index"], name)
            if "error" in of:
                if gf["variables"]:
                    stats["unexplained"].append("%s: corelens has no variables (%s), gdb has %d" %
                                                (where, of["error"], len(gf["variables"])))
                continue
            caller_frame = of["index"] > 0 and not frames_share_pc(frames, of["index"])
            mine = {}
            for v in of["arguments"] + of["locals"]:
                mine.setdefault((v["name"], v in of["arguments"]), []).append(v)
            for gv in gf["variables"]:
                key = (gv["name"], gv["argument"])
                candidates = mine.get(key)
                if not candidates:
                    stats["unexplained"].append("%s: %s is missing" % (where, gv["name"]))
                    continue
                # Two variables of one name (a block's and an inherited one) pair by their values.
                def score(candidate):
                    leaves = {}
                    flatten_ours(candidate, candidate["name"], 0, leaves)
                    return sum(1 for p, t in gv["leaves"].items() if normalise(leaves.get(p, "")) == normalise(t))
                node = max(candidates, key=score)
                candidates.remove(node)
                leaves = {}
                flatten_ours(node, node["name"], 0, leaves)
                compare_leaves(where, gv["leaves"], leaves, caller_frame, stats,
                               KNOWN_VALUES.get((sample, name), {}))
    report.append((sample, stats))
    return stats


def frames_share_pc(frames, index):
    """Frame INDEX is frame 0's physical frame (inlined calls at the crash pc share its registers)."""
    return all(f["inlined"] for f in frames[:index])


def compare_leaves(where, gdb_leaves, our_leaves, caller_frame, stats, known):
    gdb_leaves = dict(gdb_leaves)
    # std-array: gdb's P._M_elems (and its elements) against our printed P.
    for path in [p for p in gdb_leaves if p.endswith("._M_elems")]:
        parent = path[: -len("._M_elems")]
        if our_leaves.get(parent, "").startswith("std::array of length "):
            mine = our_leaves[parent].split(" = ", 1)[1] if " = " in our_leaves[parent] else "{}"
            stats["compared"] += 1
            if mine == gdb_leaves[path]:
                stats["explained"]["std-array"] = stats["explained"].get("std-array", 0) + 1
            else:
                stats["unexplained"].append("%s: %s: gdb %r, corelens %r" % (where, parent, gdb_leaves[path], our_leaves[parent]))
            for p in [q for q in gdb_leaves if q == path or q.startswith(path + "[")]:
                del gdb_leaves[p]
            del our_leaves[parent]
    for path, theirs in gdb_leaves.items():
        if theirs == "<gdb internal error>":
            stats["explained"]["gdb-internal-error"] = stats["explained"].get("gdb-internal-error", 0) + 1
            continue
        mine = our_leaves.get(path)
        stats["compared"] += 1
        if mine is None:
            # A whole object corelens cannot read, whose parts gdb shows: the object's reason.
            prefix = path
            while mine is None and re.search(r"(\.[^.\[]+|\[\d+\])$", prefix):
                prefix = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", prefix)
                mine = our_leaves.get(prefix)
            if mine is None or not mine.startswith("<"):
                mine = None
        if mine is None:
            stats["unexplained"].append("%s: %s: gdb %r, corelens has no such value" % (where, path, theirs))
            continue
        if normalise(mine) == normalise(theirs):
            stats["agree"] += 1
            continue
        if re.sub(r"'(.)\\000\\000\\000'$", r"'\1'", theirs) == mine and theirs != mine:
            stats["explained"]["rust-char"] = stats["explained"].get("rust-char", 0) + 1
            continue
        if path in known and mine == known[path]:
            stats["explained"]["known-from-source"] = stats["explained"].get("known-from-source", 0) + 1
            continue
        if mine.startswith("<unavailable: register not recovered") and caller_frame and not theirs.startswith("<"):
            stats["explained"]["register-not-recovered"] = stats["explained"].get("register-not-recovered", 0) + 1
            continue
        stats["unexplained"].append("%s: %s: gdb %r, corelens %r" % (where, path, theirs, mine))


def main():
    if len(sys.argv) < 5:
        print(__doc__)
        return 2
    dump, script, cores = sys.argv[1:4]
    report = []
    failed = False
    for sample in sys.argv[4:]:
        try:
            stats = compare_sample(dump, script, cores, sample, report)
        except (RuntimeError, subprocess.TimeoutExpired, ValueError) as e:
            print("%s: FAILED: %s" % (sample, e))
            failed = True
            continue
        explained = ", ".join("%d %s" % (n, rule) for rule, n in sorted(stats["explained"].items()))
        print("%s: %d values compared, %d agree%s%s" % (sample, stats["compared"], stats["agree"],
                                                       ", explained: " + explained if explained else "",
                                                       ", %d unexplained" % len(stats["unexplained"]) if stats["unexplained"] else ""))
        for u in stats["unexplained"]:
            print("    " + u)
        if stats["unexplained"] or stats["compared"] == 0:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
