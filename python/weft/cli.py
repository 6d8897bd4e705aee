"""The weft command in Python: `python -m weft <command> ...` runs the same commands as the `weft`
executable (src/cli, compiled into this module), in this process, so pipelines with Python components
work: their factories are registered by --code files (imported first), by the "weft_factories" entry
points, or by code that calls main() after importing them. The `weft` executable re-runs itself this
way when it is given --code or a model whose config names a factory it does not have.

    python -m weft run --code my_components.py -m my_model --to jsonl in.txt
    weft run --code my_components.py -m my_model --to jsonl in.txt      # the same, through the executable

Output is written by the native writers to the process's stdout; Python's sys.stdout is flushed before
and after, so what a component print()s comes before the output of the command."""
import sys

from . import _weft
from .util import import_file

_import_code_hook = None  # set by _weft._cli_main for the command it runs


def _import_code(path):
    try:
        import_file("python_code", path)
    except Exception as e:
        raise RuntimeError(f"couldn't load the Python code {path}: {type(e).__name__}: {e}") from e


def main(argv=None):
    """Runs `weft <argv>` in this process; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not getattr(_weft, "_has_cli", False):
        sys.stderr.write("weft: error: this weft module was built without the command line (CLI11 and fmt were not "
                         "found when it was built)\n")
        return 2
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    try:
        return _weft._cli_main(["weft", *argv], _import_code)
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
