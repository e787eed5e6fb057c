#!/usr/bin/env python3
"""The layering rule of README.md's "Layout", checked on every include of the tree.

The build gives each library only its dependencies' headers, but a library's folder can still sit
in the wrong layer (the pipeline once lived in core/ and so core/ reached up into the unwinder).
This test reads the folders, not the libraries: a file in a folder may include only folders of
its own layer or below. Usage: layering_test.py SOURCE_DIR"""
import pathlib, re, sys

# folder -> the folders it must never include. The most specific folder of a file decides.
LAYERS_ABOVE_MODEL = ["core/analysis", "core/report", "parsers", "unwinder", "cli", "gui"]
FORBIDDEN = {
    "core/file": LAYERS_ABOVE_MODEL,
    "core/model": LAYERS_ABOVE_MODEL,
    "core/analysis": ["core/report", "parsers", "unwinder", "cli", "gui"],
    "core/report": ["parsers", "unwinder", "cli", "gui"],
    "core": ["parsers", "unwinder", "cli", "gui"],
    "parsers": ["core/analysis", "core/report", "unwinder", "cli", "gui"],
    "unwinder/pipeline": ["cli", "gui"],
    "unwinder": ["unwinder/pipeline", "core/report", "cli", "gui"],
    "cli": ["gui"],
    "gui": ["cli"],
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# A third-party library's headers -> the only folder that may include them. Capstone sits in
# /usr/include, where every target finds it whether it links it or not, so the build alone cannot
# keep it behind core/analysis's decoders (disassembler.hpp, instruction_facts.hpp).
LIBRARY_OWNERS = {"capstone/": "core/analysis"}
SYSTEM_INCLUDE = re.compile(r'^\s*#\s*include\s+<([^>]+)>', re.M)


def layer_of(relative: str):
    matches = [folder for folder in FORBIDDEN if relative.startswith(folder + "/")]
    return max(matches, key=len) if matches else None


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    violations, checked = [], 0
    for path in sorted(root.glob("*/**/*")):
        if path.suffix not in (".cpp", ".hpp", ".in") or not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        layer = layer_of(relative)
        if layer is None:
            continue
        checked += 1
        text = path.read_text(encoding="utf-8", errors="replace")
        for included in SYSTEM_INCLUDE.findall(text):
            for library, owner in LIBRARY_OWNERS.items():
                if included.startswith(library) and not relative.startswith(owner + "/"):
                    violations.append(f"{relative}: includes <{included}> (only {owner}/ may)")
        for included in INCLUDE.findall(text):
            for forbidden in FORBIDDEN[layer]:
                if included.startswith(forbidden + "/"):
                    violations.append(f"{relative}: includes {included} ({layer}/ sits below {forbidden}/)")
    if checked < 100:  # the tree was not found: never pass on nothing
        print(f"layering: only {checked} source files under {root}", file=sys.stderr)
        return 1
    for v in violations:
        print(v, file=sys.stderr)
    print(f"layering: {checked} files, {len(violations)} includes that reach up a layer")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
