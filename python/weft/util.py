"""Helpers shared by weft.load and the command line."""
import importlib.util
import os
import sys


def import_file(name, path):
    """Imports the Python file at `path` as module `name` (spaCy's util.import_file)."""
    spec = importlib.util.spec_from_file_location(name, str(path))
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def import_code(code):
    """Imports Python code that registers components, tokenizers or extension attributes before a
    pipeline is loaded (spaCy's --code): a path, or a list of paths, or None. Each file is imported as
    module "python_code" (spaCy's name), the next one replacing the name, not the module."""
    if code is None:
        return
    paths = [code] if isinstance(code, (str, os.PathLike)) else list(code)
    for path in paths:
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"weft: the Python code file {path!r} (code=) does not exist")
        import_file("python_code", path)
