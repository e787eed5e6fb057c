# Run inside gdb (gdb -batch -nx -x gdb_values.py EXE CORE, with CORELENS_GDB_VALUES_OUT set):
# every thread's frames with the arguments and locals gdb's Python API reads for them, each value
# flattened into leaves ("rec.where[1].x" -> "103") exactly as gdb prints them, as JSON.
#
# gdb's own printers apply: its libstdc++ printers (libstdc++6's auto-load file) for the
# containers, its Rust support for Rust values. The script fails loudly when the libstdc++
# printers did not load, rather than compare against raw layouts.
import json
import os

import gdb

MAX_FRAMES = 64
MAX_DEPTH = 4        # members followed into nested structs
MAX_ELEMENTS = 20    # array elements compared one by one (the whole array is compared as well)
MAX_LEAVES = 400     # per variable

# An internal error of gdb (gdb 13 asserts on some of Debian rustc 1.63's DWARF) is an error for
# that one value, not the end of the session.
gdb.execute("maint set internal-error quit no")
gdb.execute("maint set internal-error corefile no")
gdb.execute("set pagination off")
gdb.execute("set width 0")
gdb.execute("set print entry-values default")
# Past main: main's own entry values come from its caller's call site (__libc_start_call_main),
# which gdb consults only when it unwinds that far; corelens always does.
gdb.execute("set backtrace past-main on")


GDB_INTERNAL_ERROR = "<gdb internal error>"


def text(v):
    try:
        return str(v)
    except gdb.MemoryError as e:
        return "<error: %s>" % e
    except gdb.error as e:
        return "<error: %s>" % e
    except KeyboardInterrupt:  # what an internal error becomes under `internal-error quit no`
        return GDB_INTERNAL_ERROR


def kind_of(t):
    return t.strip_typedefs().code


def is_rust_language_value(t):
    """A Rust enum (a struct with an unnamed discriminant field) or a &str: gdb's Rust support
    prints them itself, as a whole."""
    t = t.strip_typedefs()
    if str(t) in ("&str", "&mut str"):
        return True
    try:
        return t.code == gdb.TYPE_CODE_STRUCT and any(not f.name for f in t.fields())
    except gdb.error:
        return False


def flatten(v, path, depth, out, rust=False):
    if len(out) >= MAX_LEAVES:
        return
    try:
        t = v.type
        code = kind_of(t)
        if code in (gdb.TYPE_CODE_REF, gdb.TYPE_CODE_RVALUE_REF):
            v = v.referenced_value()
            t = v.type
            code = kind_of(t)
    except (gdb.MemoryError, gdb.error) as e:
        out[path] = "<error: %s>" % e
        return
    try:
        printer = gdb.default_visualizer(v)
    except Exception:  # a printer that fails on a damaged value: what str() says counts
        printer = None
    if printer is not None or (rust and is_rust_language_value(t)):
        out[path] = text(v)
        return
    if v.is_optimized_out:
        out[path] = "<optimized out>"
        return
    if code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION) and depth < MAX_DEPTH:
        try:
            fields = t.strip_typedefs().fields()
        except gdb.error:
            fields = []
        if not fields:
            out[path] = text(v)
            return
        for f in fields:
            static = not hasattr(f, "bitpos")  # a static member: the class's value, by its name
            if static:
                name = f.name
            elif f.is_base_class:
                name = "<%s>" % f.type
            elif not f.name:
                name = "<anonymous union>" if kind_of(f.type) == gdb.TYPE_CODE_UNION else "<anonymous struct>"
            else:
                name = f.name
            try:
                child = v[f.name] if static else v[f]
            except (gdb.MemoryError, gdb.error) as e:
                out[path + "." + name] = "<error: %s>" % e
                continue
            flatten(child, path + "." + name, depth + 1, out, rust)
        return
    if code == gdb.TYPE_CODE_ARRAY:
        out[path] = text(v)
        try:
            low, high = t.strip_typedefs().range()
        except gdb.error:
            return
        target = t.strip_typedefs().target()
        if kind_of(target) == gdb.TYPE_CODE_INT and target.sizeof == 1:
            return  # characters: the string says it all
        for i in range(low, min(high, low + MAX_ELEMENTS - 1) + 1):
            flatten(v[i], "%s[%d]" % (path, i), depth + 1, out, rust)
        return
    out[path] = text(v)


def frame_variables(frame):
    variables = []
    frame.select()  # values print in the frame's language (Rust's enums, &str)
    try:
        block = frame.block()
    except RuntimeError:
        return None
    depth = 0
    seen = set()
    while block is not None:
        for sym in block:
            if not (sym.is_argument or sym.is_variable):
                continue
            if sym.addr_class == gdb.SYMBOL_LOC_UNRESOLVED:
                continue
            # A goto label without an address (DW_TAG_label): gdb keeps it as an "optimized out"
            # variable of its internal type __CORE_ADDR; it is no variable of the program.
            if str(sym.type) == "__CORE_ADDR":
                continue
            key = (sym.name, depth)
            if key in seen:
                continue
            seen.add(key)
            try:
                value = frame.read_var(sym, block)
                leaves = {}
                flatten(value, sym.name, 0, leaves, frame.language() == "rust")
            except (gdb.MemoryError, gdb.error, RuntimeError) as e:
                leaves = {sym.name: "<error: %s>" % e}
            except KeyboardInterrupt:
                leaves = {sym.name: GDB_INTERNAL_ERROR}
            variables.append({"name": sym.name, "argument": bool(sym.is_argument), "leaves": leaves})
        if block.function is not None:
            break
        block = block.superblock
        depth += 1
    return variables


def main():
    out = {"threads": [], "libstdcxx_printers": False}
    # The libstdc++ printers register themselves as a collection named libstdc++-v6.
    for objfile in gdb.objfiles():
        for p in objfile.pretty_printers:
            if getattr(p, "name", "").startswith("libstdc++"):
                out["libstdcxx_printers"] = True
    for p in gdb.pretty_printers:
        if getattr(p, "name", "").startswith("libstdc++"):
            out["libstdcxx_printers"] = True
    for thread in gdb.selected_inferior().threads():
        thread.switch()
        frames = []
        frame = gdb.newest_frame()
        level = 0
        while frame is not None and level < MAX_FRAMES:
            entry = {"level": level, "function": frame.name() or "", "inlined": frame.type() == gdb.INLINE_FRAME,
                     "tailcall": frame.type() == gdb.TAILCALL_FRAME}
            entry["variables"] = frame_variables(frame)
            frames.append(entry)
            try:
                frame = frame.older()
            except gdb.error:
                break
            level += 1
        out["threads"].append({"tid": thread.ptid[1], "frames": frames})
    with open(os.environ["CORELENS_GDB_VALUES_OUT"], "w") as f:
        json.dump(out, f, indent=1)


main()
