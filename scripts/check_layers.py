#!/usr/bin/env python3
"""Fails when a source file includes a header of a higher layer.

The layer order is read from docs/architecture.md, from the line that starts with
"Layer order (lowest first):". A file's layer is the first folder of its path under src/ or
include/weft/ (files directly there, error.hpp, json.hpp and mix64.hpp, are the lowest layer, "base";
the umbrella header weft.hpp and src/cli/ and python/bindings/ are "apps"). An include of
"weft/<layer>/..." or of a path relative to src/ names the layer it reaches. Including a lower or the
same layer is fine; anything else is reported as FILE:LINE: LAYER includes HIGHER (the include).

Usage: check_layers.py [ROOT] [--stamp FILE]   (exit 1 on a violation; --stamp touches FILE on success,
for the build rule that runs this check)
"""
import os
import re
import sys

ORDER_LINE = "Layer order (lowest first):"
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def layer_order(root):
    with open(os.path.join(root, "docs", "architecture.md"), encoding="utf8") as f:
        for line in f:
            if line.startswith(ORDER_LINE):
                return [x.strip(" `.\n") for x in line[len(ORDER_LINE):].split(",")]
    sys.exit(f"check_layers: no line starting with {ORDER_LINE!r} in docs/architecture.md")


def layer_of(rel, order):
    """The layer of a path relative to the root (src/..., include/weft/..., python/bindings/...)."""
    if rel.startswith("python/bindings/") or rel.startswith("src/cli/") or rel == "include/weft/weft.hpp":
        return "apps"
    for prefix in ("src/", "include/weft/"):
        if rel.startswith(prefix):
            rest = rel[len(prefix):]
            if "/" not in rest:
                return "base"
            top = rest.split("/", 1)[0]
            return top if top in order else None
    return None


def check(root):
    order = layer_order(root)
    rank = {name: i for i, name in enumerate(order)}
    problems = []
    for base in ("src", "include/weft", "python/bindings"):
        for dirpath, _, files in os.walk(os.path.join(root, base)):
            for name in sorted(files):
                if not name.endswith((".hpp", ".cpp", ".h", ".cu", ".cuh")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                mine = layer_of(rel, order)
                if mine is None:
                    problems.append(f"{rel}: folder not in the layer order of docs/architecture.md")
                    continue
                with open(path, encoding="utf8", errors="replace") as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        inc = m.group(1)
                        if inc.startswith("weft/"):
                            target = "include/" + inc
                        elif os.path.exists(os.path.join(root, "src", inc)):
                            target = "src/" + inc
                        elif os.path.exists(os.path.join(dirpath, inc)):
                            target = os.path.relpath(os.path.join(dirpath, inc), root).replace(os.sep, "/")
                        else:
                            continue  # a system or third-party header
                        theirs = layer_of(target, order)
                        if theirs is not None and rank[theirs] > rank[mine]:
                            problems.append(f"{rel}:{number}: {mine} includes {theirs} ({inc})")
    return problems


def main(argv):
    stamp = None
    if "--stamp" in argv:
        i = argv.index("--stamp")
        stamp = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    problems = check(os.path.abspath(root))
    if problems:
        print("weft layers: includes that run up the layer order (docs/architecture.md):", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    if stamp:
        with open(stamp, "w", encoding="utf8"):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
