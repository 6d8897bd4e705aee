"""Training from Python: weft.train runs the same loop as `weft train` (src/train/trainer.cpp) with the
GIL released and returns its results as a dict."""
import json
import os
import sys

from . import _weft


def _override_strings(overrides):
    """Dotted keys -> the strings the native override parser expects: it parses a value as JSON when it
    parses and takes it as a string otherwise, so non-strings go as JSON and strings as they are
    (as on the command line: "100" is the number 100, "data/x.conllu" a string)."""
    out = {}
    for key, value in (overrides or {}).items():
        if not isinstance(key, str):
            raise TypeError(f"override keys must be dotted str paths, got {key!r}")
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, os.PathLike):
            out[key] = json.dumps(os.fspath(value))
        else:
            out[key] = json.dumps(value)
    return out


def _read_config(config):
    if config is None:
        return {}
    if isinstance(config, dict):
        return config
    if isinstance(config, (str, os.PathLike)):
        path = os.fspath(config)
        with open(path, encoding="utf8") as f:
            text = f.read()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise _weft.FormatError(f"{path}: invalid JSON: {e}") from None
        if not isinstance(data, dict):
            raise _weft.ValueError(f"{path}: a training config must be a JSON object")
        return data
    raise TypeError(f"config must be a dict or the path of a JSON file, got {type(config).__name__}")


def default_config():
    """The defaults every training config is resolved against (a dict)."""
    return _weft.default_training_config()


def training_config(config=None, overrides=None):
    """The complete config train() would use: `config` (a dict or a JSON file) filled in from the
    defaults, with `overrides` ({"training.max_steps": 100, ...}) applied."""
    return _weft.resolve_training_config(_read_config(config), _override_strings(overrides))


def train(config=None, overrides=None, output=None, log=True):
    """Trains a pipeline (spacy.cli.train). `config` is a dict or the path of a JSON config (sections
    nlp, components, corpora, training; missing keys take the defaults); `overrides` maps dotted keys
    to values ({"training.max_steps": 200, "corpora.train": "train.conllu"}). With `output`, the best
    and the last model are written to output/model-best and output/model-last (weft.load reads
    them). `log`: True prints the progress table to sys.stdout, a file object receives it, False is
    silent. Returns {"best_score", "best_scores", "best_step", "steps", "seconds",
    "words_per_second", "history"} (history: one dict per evaluation with step, epoch, losses, scores
    and score; best_scores in percent, best_score 0..1). It trains on training.device ("cpu" or
    "cuda:N"); where neither the config nor the overrides name one, on the device weft.require_gpu /
    prefer_gpu chose."""
    from .device import current_device
    overrides = dict(overrides or {})
    raw = _read_config(config)
    if current_device() != "cpu" and "training.device" not in overrides and not (
            isinstance(raw.get("training"), dict) and "device" in raw["training"]):
        overrides["training.device"] = current_device()
    resolved = training_config(raw, overrides)
    if log is True:
        log = sys.stdout
    elif log is False:
        log = None
    elif log is not None and not hasattr(log, "write"):
        raise TypeError("log must be True, False, None or a file object")
    out = None if output is None else os.fspath(output)
    return _weft.train(resolved, {}, out, log)
