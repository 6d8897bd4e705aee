"""The layer check (scripts/check_layers.py), which the build runs: the source tree keeps includes
one way, and an include that runs up the order in docs/architecture.md is reported by file and line."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
CHECK = ROOT / "scripts" / "check_layers.py"


def run(root):
    return subprocess.run([sys.executable, str(CHECK), str(root)], capture_output=True, text=True)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def tree(tmp_path):
    write(tmp_path / "docs" / "architecture.md",
          "# x\n\nLayer order (lowest first): base, strings, doc, pipeline, components, apps\n")
    write(tmp_path / "include" / "weft" / "error.hpp", "#pragma once\n")
    write(tmp_path / "include" / "weft" / "strings" / "hash.hpp", '#include "weft/error.hpp"\n')
    write(tmp_path / "include" / "weft" / "pipeline" / "component.hpp", '#include "weft/strings/hash.hpp"\n')
    write(tmp_path / "src" / "components" / "x" / "x.cpp", '#include "weft/pipeline/component.hpp"\n#include <vector>\n')
    return tmp_path


def test_the_source_tree_keeps_includes_one_way():
    r = run(ROOT)
    assert r.returncode == 0, r.stderr


def test_downward_includes_pass(tmp_path):
    assert run(tree(tmp_path)).returncode == 0


def test_an_upward_include_fails_naming_file_and_line(tmp_path):
    root = tree(tmp_path)
    write(root / "src" / "strings" / "store.cpp", '#include <string>\n#include "weft/pipeline/component.hpp"\n')
    r = run(root)
    assert r.returncode == 1
    assert "src/strings/store.cpp:2: strings includes pipeline (weft/pipeline/component.hpp)" in r.stderr


def test_an_upward_include_relative_to_src_fails(tmp_path):
    root = tree(tmp_path)
    write(root / "src" / "pipeline" / "builtins.hpp", "#pragma once\n")
    write(root / "src" / "doc" / "doc.cpp", '#include "pipeline/builtins.hpp"\n')
    r = run(root)
    assert r.returncode == 1
    assert "src/doc/doc.cpp:1: doc includes pipeline (pipeline/builtins.hpp)" in r.stderr


def test_a_folder_outside_the_order_is_reported(tmp_path):
    root = tree(tmp_path)
    write(root / "src" / "extra" / "e.cpp", "int x;\n")
    r = run(root)
    assert r.returncode == 1
    assert "src/extra/e.cpp: folder not in the layer order" in r.stderr
