"""Interop with the tensor ecosystems (issue 23): ONNX export checked with onnx.checker and run in ONNX
Runtime against weft's own outputs; doc.tensor (spaCy's semantics, kept when asked for) and DLPack
hand-offs without copies; the weights files read by the safetensors package."""
import ctypes
import json
import os
import pathlib
import pickle
import re
import subprocess

import numpy as np
import onnx  # the test dependencies of python/requirements.txt (scripts/install.sh installs them): never skipped
import onnx.numpy_helper
import onnxruntime as ort
import pytest
import safetensors.numpy as safetensors_numpy

import weft
import weft.onnx

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "en_ewt_sm"
NETWORKS = ["tok2vec", "tagger", "morphologizer", "lemmatizer", "parser.precompute", "parser.score",
            "ner.precompute", "ner.score"]


def dev_texts(n):
    lines = (ROOT / "data" / "en_ewt" / "dev.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()][:n]


@pytest.fixture(scope="module")
def nlp():
    return weft.load(MODEL)


@pytest.fixture(scope="module")
def exported(weft_bin, tmp_path_factory):
    """The shipped model exported by the command line."""
    out = tmp_path_factory.mktemp("onnx") / "en_ewt_sm"
    proc = subprocess.run([weft_bin, "export", "onnx", str(MODEL), str(out)], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "wrote 8 networks" in proc.stdout.decode()
    return out


# ---- ONNX ---------------------------------------------------------------------------------------------

def test_every_exported_file_passes_the_onnx_checker(exported):
    manifest = weft.onnx.manifest(exported)
    assert [n["name"] for n in manifest["networks"]] == NETWORKS
    assert manifest["opset"] >= 17 and manifest["model"] == "en_ewt_sm"
    for net in manifest["networks"]:
        path = exported / net["file"]
        model = onnx.load(str(path))
        onnx.checker.check_model(model, full_check=True)  # structure, types and shape inference
        assert {o.domain: o.version for o in model.opset_import}[""] == manifest["opset"]
        assert [i.name for i in model.graph.input] == [i["name"] for i in net["inputs"]]
        assert [o.name for o in model.graph.output] == [o["name"] for o in net["outputs"]]
    files = sorted(p.name for p in exported.iterdir())
    assert files == sorted([n["file"] for n in manifest["networks"]] + ["manifest.json"])


def test_onnx_runtime_matches_weft_on_dev_text(nlp, exported):
    texts = dev_texts(120)  # 495 sequences, 8,602 words, 17,204 parser states
    diffs = weft.onnx.compare(nlp, exported, texts, per_network=True)
    assert sorted(diffs) == sorted(NETWORKS)
    for name, d in diffs.items():
        assert d <= 1e-4, (name, d)
    assert weft.onnx.compare(nlp, exported, texts) == max(diffs.values())
    # The comparison ran on real data: every token, and the states greedy decoding scored.
    feeds = weft.onnx.features(nlp, texts)
    n = sum(len(nlp.make_doc(t)) for t in texts)
    assert feeds["tok2vec"]["rows"].shape == (n, 19, 4) and feeds["tok2vec"]["rows"].dtype == np.int64
    assert feeds["tok2vec"]["seq_ids"][-1] > len(texts)  # sentences, not only Docs
    assert feeds["parser.score"]["token_rows"].shape[0] >= n
    assert feeds["ner.score"]["token_rows"].shape[0] == n  # one BILUO move a word


def test_compare_sees_a_changed_network(nlp, exported, tmp_path):
    import shutil

    changed = tmp_path / "changed"
    shutil.copytree(exported, changed)
    model = onnx.load(str(changed / "tagger.onnx"))
    for init in model.graph.initializer:
        if init.name == "tagger.b":
            values = onnx.numpy_helper.to_array(init).copy()
            values[3] += 0.01
            init.CopyFrom(onnx.numpy_helper.from_array(values, init.name))
    onnx.save(model, str(changed / "tagger.onnx"))
    diffs = weft.onnx.compare(nlp, changed, dev_texts(5), per_network=True)
    assert diffs["tagger"] > 0.005 and diffs["tok2vec"] <= 1e-4


def test_compare_refuses_an_export_of_another_pipeline(exported, tmp_path):
    with pytest.raises(ValueError, match="'tok2vec' is not in this pipeline"):
        weft.onnx.compare(weft.blank("en"), exported, ["Some text."])
    other = weft.load(MODEL)
    other.remove_pipe("ner")
    weft.onnx.export(other, tmp_path / "no_ner")
    with pytest.raises(ValueError, match="no network 'ner.precompute'"):
        weft.onnx.compare(weft.load(MODEL), tmp_path / "no_ner", ["Some text."])


def test_a_beam_search_parser_is_refused_with_the_reason(tmp_path):
    import shutil

    shutil.copytree(MODEL, tmp_path / "beam")
    config = json.loads((tmp_path / "beam" / "config.json").read_text())
    config["components"]["parser"]["beam_width"] = 4
    (tmp_path / "beam" / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="beam_width"):
        weft.onnx.trace(weft.load(tmp_path / "beam"), ["A beam search parses this."])


def test_exported_graphs_serve_without_weft_after_features(nlp, exported):
    # A consumer runs the chain itself: tok2vec -> tagger in ONNX Runtime, from the features weft computed,
    # and gets weft's tags.
    text = "The cats were sitting on the mats. They did not move."
    feeds = weft.onnx.features(nlp, [text])
    tok2vec = ort.InferenceSession(str(exported / "tok2vec.onnx"), providers=["CPUExecutionProvider"])
    tagger = ort.InferenceSession(str(exported / "tagger.onnx"), providers=["CPUExecutionProvider"])
    (tokvecs,) = tok2vec.run(["tokvecs"], feeds["tok2vec"])
    probs_tag = tagger.run(["probs.tag"], {"tokvecs": tokvecs})[0]
    manifest = weft.onnx.manifest(exported)
    head = next(h for n in manifest["networks"] if n["name"] == "tagger" for h in n["heads"] if h["name"] == "tag")
    weft.set_cpu_int8(False)
    try:
        doc = nlp(text)
    finally:
        weft.set_cpu_int8(True)
    assert [head["labels"][i] for i in probs_tag.argmax(axis=1)] == [t.tag_ for t in doc]


def test_a_head_with_its_own_encoder_exports_that_encoder_too(tmp_path):
    ewt = ROOT / "data" / "en_ewt"
    config = {"nlp": {"lang": "en", "pipeline": ["sentencizer", "tagger"]},
              "components": {"sentencizer": {"factory": "sentencizer"},
                             "tagger": {"factory": "tagger", "tok2vec": {
                                 "width": 32, "depth": 2, "features": [{"attr": "NORM", "rows": 500},
                                                                       {"attr": "SHAPE", "rows": 100}]}}}}
    weft.train(config, overrides={"corpora.train": str(ewt / "train.conllu"), "corpora.dev": str(ewt / "dev.conllu"),
                                  "corpora.max_train_docs": 40, "corpora.max_dev_docs": 10,
                                  "training.max_steps": 4, "training.eval_frequency": 4},
               output=tmp_path / "m", log=open(os.devnull, "w"))
    nlp = weft.load(tmp_path / "m" / "model-best")
    manifest = weft.onnx.export(nlp, tmp_path / "onnx")
    assert [n["name"] for n in manifest["networks"]] == ["tagger.tok2vec", "tagger"]
    assert manifest["networks"][1]["reads"] == "tagger.tok2vec"
    assert [t["rows"] for t in manifest["networks"][0]["tables"]] == [500, 100]
    diffs = weft.onnx.compare(nlp, tmp_path / "onnx", dev_texts(10), per_network=True)
    assert set(diffs) == {"tagger.tok2vec", "tagger"} and max(diffs.values()) <= 1e-4


def test_export_errors_are_clear(weft_bin, tmp_path):
    missing = subprocess.run([weft_bin, "export", "onnx", str(tmp_path / "no_model"), str(tmp_path / "out")],
                             capture_output=True, timeout=60)
    assert missing.returncode == 1 and "no_model" in missing.stderr.decode()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for target in (blocker, blocker / "sub"):
        proc = subprocess.run([weft_bin, "export", "onnx", str(MODEL), str(target)], capture_output=True, timeout=60)
        assert proc.returncode == 1, proc
        err = proc.stderr.decode()
        assert err.startswith("weft: error: ") and str(blocker) in err
    usage = subprocess.run([weft_bin, "export", "tflite", str(MODEL), str(tmp_path)], capture_output=True, timeout=60)
    assert usage.returncode == 2
    with pytest.raises(weft.IOError, match="manifest.json"):
        weft.onnx.manifest(tmp_path)


def test_export_from_python_returns_the_manifest(nlp, tmp_path):
    manifest = weft.onnx.export(nlp, tmp_path / "x")
    assert manifest == json.loads((tmp_path / "x" / "manifest.json").read_text())
    score = next(n for n in manifest["networks"] if n["name"] == "parser.score")
    assert score["token_slots"] == ["S0", "S1", "S2", "B0", "B1", "S0L1", "S0R1", "B0L1"]
    assert score["actions"][:2] == ["SHIFT", "REDUCE"] and len(score["actions"]) == 91
    ner = next(n for n in manifest["networks"] if n["name"] == "ner.score")
    assert ner["actions"][0] == "O" and "U-PER" in ner["actions"]


# ---- doc.tensor and DLPack ------------------------------------------------------------------------------

def test_doc_tensor_follows_spacy_and_is_kept_only_when_asked(nlp):
    blank = weft.blank("en")("Hello world.")
    assert blank.tensor.shape == (0,) and blank.tensor.dtype == np.float32  # spaCy 3.8's value
    assert nlp.keep_tensors is False
    assert nlp("One more text.").tensor.shape == (0,)
    nlp.keep_tensors = True
    try:
        doc = nlp("The cats were sitting on the mats. They did not move.")
        docs = list(nlp.pipe(["A first text.", "And a second, longer one here."]))
    finally:
        nlp.keep_tensors = False
    t = doc.tensor
    assert t.shape == (len(doc), 64) and t.dtype == np.float32 and not t.flags.writeable
    assert np.abs(t).sum() > 0
    assert doc[1:3].tensor.shape == (2, 64) and np.array_equal(doc[2].tensor, t[2])
    assert [d.tensor.shape for d in docs] == [(len(d), 64) for d in docs]
    # Views of one buffer, without copies: the second Doc's rows follow the first's.
    a, b = docs[0].tensor, docs[1].tensor
    assert b.__array_interface__["data"][0] == a.__array_interface__["data"][0] + a.nbytes
    # The tok2vec's output: what the exported network computes (f32) is within int8's rounding of it.
    with pytest.raises(ValueError):
        t[0, 0] = 1.0


def test_doc_tensor_survives_copies_and_pickling_and_follows_the_retokenizer(nlp):
    nlp.keep_tensors = True
    try:
        doc = nlp("New York is big.")
    finally:
        nlp.keep_tensors = False
    t = np.array(doc.tensor)
    assert np.array_equal(doc.copy().tensor, t)
    assert np.array_equal(pickle.loads(pickle.dumps(doc)).tensor, t)
    assert np.array_equal(doc[0:2].as_doc().tensor, t[0:2])
    with doc.retokenize() as r:
        r.merge(doc[0:2])
    assert doc.tensor.shape == (len(t) - 1, 64)
    assert np.array_equal(doc.tensor[0], t[1])  # spaCy: the merged token takes the last token's row
    doc.tensor = np.ones((len(doc), 3))
    assert doc.tensor.dtype == np.float32 and doc.tensor.shape == (len(doc), 3)
    with pytest.raises(ValueError, match="one row per token"):
        doc.tensor = np.ones((len(doc) + 1, 3))
    doc.tensor = None
    assert doc.tensor.shape == (0,) and doc.weft_tensor is None


def _capsule_name(capsule):
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype, get_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
    return get_name(capsule).decode()


def test_dlpack_hands_off_without_copies(nlp):
    nlp.keep_tensors = True
    try:
        doc = nlp("DLPack hands the rows over without a copy.")
    finally:
        nlp.keep_tensors = False
    view = doc.tensor
    # numpy.from_dlpack on doc.tensor (NumPy's exporter, DLPack 1.0 read-only) and on weft's own Tensor.
    assert doc.tensor.__dlpack_device__() == (1, 0)
    assert np.shares_memory(np.from_dlpack(view), view)
    wt = doc.weft_tensor
    assert isinstance(wt, weft.Tensor) and wt.shape == view.shape and wt.dtype == "float32" and wt.device == "cpu"
    assert wt.__dlpack_device__() == (1, 0)
    shared = np.from_dlpack(wt)
    assert np.shares_memory(shared, view) and not shared.flags.writeable
    assert _capsule_name(wt.__dlpack__(max_version=(1, 0))) == "dltensor_versioned"
    assert _capsule_name(wt.__dlpack__()) == "dltensor"

    class Legacy:  # a consumer before DLPack 1.0 (no max_version): the legacy capsule, still no copy
        def __dlpack__(self, stream=None):
            return wt.__dlpack__(stream=stream)

        def __dlpack_device__(self):
            return wt.__dlpack_device__()

    assert np.shares_memory(np.from_dlpack(Legacy()), view)
    copied = np.from_dlpack(wt, copy=True)
    assert not np.shares_memory(copied, view) and np.array_equal(copied, view)
    with pytest.raises(BufferError):
        wt.__dlpack__(dl_device=(2, 0))
    assert np.array_equal(np.asarray(wt[1:3]), view[1:3]) and np.array_equal(wt[2].numpy(), view[2])
    # A capsule nobody takes frees its tensor (no leak, no crash); the arrays keep theirs alive.
    for _ in range(100):
        wt.__dlpack__(max_version=(1, 0))
    del doc, wt
    assert float(np.abs(shared).sum()) == float(np.abs(view).sum())


def test_to_array_hands_off_through_dlpack_without_a_copy(nlp):
    doc = nlp("Arrays of attributes go to NumPy.")
    arr = doc.to_array(["ORTH", "POS", "HEAD"])
    assert isinstance(arr, np.ndarray) and arr.dtype == np.uint64
    assert arr.__dlpack_device__() == (1, 0)
    assert np.shares_memory(np.from_dlpack(arr), arr)


@pytest.fixture(scope="session")
def torch_python():
    """An interpreter with PyTorch: this one when torch imports, else $TORCH_PYTHON or $SPACY_PYTHON (the
    peers' environment, where scripts/install.sh's optional peers step puts torch) when it has torch;
    the test is skipped when none has (PyTorch from PyPI is gigabytes of CUDA libraries, so CI's test
    environment does not carry it)."""
    import sys

    try:
        import torch  # noqa: F401
        return sys.executable
    except ImportError:
        pass
    for var in ("TORCH_PYTHON", "SPACY_PYTHON"):
        path = os.environ.get(var)
        if path and os.path.exists(path) and subprocess.run([path, "-c", "import torch"],
                                                           capture_output=True, timeout=120).returncode == 0:
            return path
    pytest.skip("PyTorch is not importable here, nor from $TORCH_PYTHON or $SPACY_PYTHON")


TORCH_HAND_OFF = """
import sys, numpy as np, torch, weft
nlp = weft.load(sys.argv[1])
nlp.keep_tensors = True
doc = nlp("PyTorch takes the rows without a copy.")
view, wt = doc.tensor, doc.weft_tensor
ptr = view.__array_interface__["data"][0]
t = torch.from_dlpack(view)                       # NumPy's exporter
u = torch.from_dlpack(wt)                         # weft's own Tensor
arr = doc.to_array(["ORTH", "POS", "HEAD"])
a = torch.from_dlpack(arr)
print(tuple(t.shape), str(t.dtype), t.device.type, t.data_ptr() == ptr, bool(torch.equal(t, torch.tensor(np.array(view)))))
print(tuple(u.shape), str(u.dtype), u.data_ptr() == ptr, bool(torch.equal(u, t)))
print(tuple(a.shape), str(a.dtype), a.data_ptr() == arr.__array_interface__["data"][0])
del doc, wt, view, arr                            # the torch tensors keep the memory alive
print(float(u.abs().sum()) == float(t.abs().sum()) > 0, int(a.shape[0]))
"""


def test_torch_from_dlpack_takes_doc_tensor_and_arrays_without_a_copy(torch_python):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(pathlib.Path(weft.__file__).parent.parent),
                                                       os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([torch_python, "-c", TORCH_HAND_OFF, str(MODEL)], capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    n = len(weft.load(MODEL)("PyTorch takes the rows without a copy."))
    assert proc.stdout.splitlines() == [
        f"({n}, 64) torch.float32 cpu True True",
        f"({n}, 64) torch.float32 True True",
        f"({n}, 3) torch.uint64 True",
        f"True {n}",
    ]


@pytest.mark.skipif(weft._weft.cuda_device_count() == 0, reason="no CUDA device")
def test_doc_tensor_on_a_gpu_is_a_device_dlpack_tensor():  # pragma: no cover - needs a GPU
    gpu = weft.load(MODEL)
    gpu.to("cuda:0")
    gpu.keep_tensors = True
    doc = gpu("On the device the rows stay on the device.")
    t = doc.tensor
    assert isinstance(t, weft.Tensor) and t.device == "cuda:0"
    assert t.__dlpack_device__() == (2, 0)  # kDLCUDA
    assert t.numpy().shape == (len(doc), 64)
    with pytest.raises(BufferError):
        np.from_dlpack(t)  # NumPy takes host memory only
    for name in ("cupy", "torch"):
        try:
            mod = __import__(name)
        except ImportError:
            continue
        on_device = mod.from_dlpack(t)
        assert tuple(on_device.shape) == (len(doc), 64)
        assert np.allclose(mod.asnumpy(on_device) if name == "cupy" else on_device.cpu().numpy(), t.numpy())


# ---- safetensors ---------------------------------------------------------------------------------------

def test_weights_are_standard_safetensors_matching_weft_info(weft_bin):
    proc = subprocess.run([weft_bin, "info", "--json", str(MODEL)], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    info = json.loads(proc.stdout)["model"]
    files = 0
    for name, component in info["components"].items():
        for weights in component["weights"]:
            loaded = safetensors_numpy.load_file(str(MODEL / weights["file"]))
            assert sorted(loaded) == sorted(t["name"] for t in weights["tensors"]), name
            for t in weights["tensors"]:
                arr = loaded[t["name"]]
                assert list(arr.shape) == t["shape"], (name, t["name"])
                assert arr.dtype == np.dtype("float16" if weights["storage"] == "f16" else "float32")
                assert np.isfinite(arr).all()
            files += 1
    assert files == 6  # tok2vec, tagger, morphologizer, lemmatizer, parser, ner
    every = sorted(str(p.relative_to(MODEL)) for p in MODEL.glob("*/weights.safetensors"))
    assert every == sorted(w["file"] for c in info["components"].values() for w in c["weights"])


def test_readme_interop_example_runs(monkeypatch, tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = "Interop with the tensor ecosystems:"
    block = re.search(r"```python\n(.*?)```", readme[readme.index(head):], re.S).group(1)
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(compile(block.replace('"models/en_ewt_sm"', repr(str(MODEL))), "README.md", "exec"), scope)
    doc, vectors = scope["doc"], scope["vectors"]
    assert vectors.shape == (len(doc), 64) and np.shares_memory(vectors, doc.tensor)
    assert scope["ids"].shape == (len(doc), 2)
    assert (tmp_path / "out" / "onnx" / "manifest.json").exists()
    assert weft.onnx.compare(scope["nlp"], "out/onnx", scope["texts"]) <= 1e-4
