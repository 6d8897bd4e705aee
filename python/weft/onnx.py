"""weft.onnx: a pipeline's networks as ONNX files, and a check of them in ONNX Runtime.

    import weft, weft.onnx
    nlp = weft.load("models/en_ewt_sm")
    weft.onnx.export(nlp, "out/onnx")             # the same as: weft export onnx models/en_ewt_sm out/onnx
    weft.onnx.compare(nlp, "out/onnx", texts)     # largest |ONNX Runtime - weft| over every network's outputs
    feeds = weft.onnx.features(nlp, texts)        # what weft feeds each network, by network and input name

Each network is one file (opset 17) named in out/onnx/manifest.json with its inputs, outputs and how weft
feeds them: the tok2vec takes the hash rows of each token's feature keys and the sequence of each token,
the classifiers take the tok2vec's output, a parser or recognizer has a precompute network (token vectors
to rows) and a scoring network (rows and the states' slots to move scores). The files are written by
weft itself (C++, no Python package needed); ONNX Runtime (PyPI onnxruntime) is needed only by compare.
"""
import json
import os

from . import _weft

__all__ = ["export", "manifest", "features", "trace", "compare"]


def _native(nlp):
    return getattr(nlp, "_pipeline", nlp)


def export(nlp, path):
    """Writes every network of nlp's enabled components into the folder `path` (created when missing) as
    ONNX files with manifest.json, and returns the manifest (a dict)."""
    return _weft._export_onnx(_native(nlp), os.fspath(path))


def manifest(path):
    """The manifest.json of an exported folder, as a dict."""
    file = os.path.join(os.fspath(path), "manifest.json")
    try:
        with open(file, encoding="utf8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise _weft.IOError(f"{file}: no such file (write the folder with weft.onnx.export or weft export onnx)") from None
    except json.JSONDecodeError as e:
        raise _weft.FormatError(f"{file}: not JSON ({e})") from None
    if not isinstance(data, dict) or data.get("format") != "weft-onnx" or not isinstance(data.get("networks"), list):
        raise _weft.FormatError(f"{file}: not a weft ONNX manifest")
    return data


def trace(nlp, texts):
    """Annotates `texts` with nlp (f32 products, along the networks' layers) and returns, per network,
    {"inputs": {name: array}, "outputs": {name: array}}: what weft fed it and what it computed. Not for use
    while other threads run pipelines (it switches int8 products off for its duration)."""
    return _weft._trace_networks(_native(nlp), [str(t) for t in texts])


def features(nlp, texts):
    """The inputs weft feeds each exported network for `texts`: {network: {input name: array}}."""
    return {name: t["inputs"] for name, t in trace(nlp, texts).items()}


def _softmax(x):
    import numpy as np

    z = x.astype(np.float64)
    z -= z.max(axis=-1, keepdims=True) if z.size else 0.0
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


def compare(nlp, path, texts, per_network=False):
    """Runs each network exported in `path` in ONNX Runtime (CPU) on the inputs weft computes for `texts`
    and returns the largest absolute difference between its outputs and weft's own (f32, as trained); with
    per_network=True a dict {network: largest difference} instead. Every network of the manifest is run,
    and every network of nlp must be in the manifest."""
    import numpy as np

    try:
        import onnxruntime as ort
    except ImportError:
        raise ImportError("weft.onnx.compare needs ONNX Runtime: pip install onnxruntime") from None
    folder = os.fspath(path)
    man = manifest(folder)
    traces = trace(nlp, texts)
    listed = {n["name"] for n in man["networks"]}
    missing = sorted(set(traces) - listed)
    if missing:
        raise ValueError(f"{folder}: the export has no network {missing[0]!r} of this pipeline (export it again)")
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    diffs = {}
    for net in man["networks"]:
        name = net["name"]
        if name not in traces:
            raise ValueError(f"{folder}: network {name!r} is not in this pipeline (pipeline: {', '.join(traces)})")
        t = traces[name]
        session = ort.InferenceSession(os.path.join(folder, net["file"]), options, providers=["CPUExecutionProvider"])
        feeds = {i["name"]: t["inputs"][i["name"]] for i in net["inputs"]}
        names = [o["name"] for o in net["outputs"]]
        expected = dict(t["outputs"])
        for h in net.get("heads", []):
            begin, end = h["columns"]
            expected["probs." + h["name"]] = _softmax(expected["scores"][:, begin:end])
        worst = 0.0
        for out_name, got in zip(names, session.run(names, feeds)):
            want = expected[out_name]
            if got.shape != want.shape:
                raise ValueError(f"{name}: output {out_name!r} has shape {got.shape} in ONNX Runtime, {want.shape} in weft")
            if got.size:
                d = np.abs(got.astype(np.float64) - want.astype(np.float64))
                worst = max(worst, float("inf") if np.isnan(d).any() else float(d.max()))
        diffs[name] = worst
    return diffs if per_network else max(diffs.values(), default=0.0)
