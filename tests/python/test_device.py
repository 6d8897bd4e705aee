"""Where the networks run, from Python (issue 18): nlp.to, weft.require_gpu / prefer_gpu /
require_cpu, and weft.train's device, as spaCy names them. Without a GPU: require_gpu raises
weft.ValueError naming CUDA, prefer_gpu returns False, and nothing moves; the GPU cases are reported
skipped without one."""
import pathlib

import pytest

import weft
from weft import _weft, device

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "en_ewt_sm"
HAS_GPU = _weft.cuda_device_count() > 0
needs_gpu = pytest.mark.skipif(not HAS_GPU, reason="no CUDA device: " + (_weft.cuda_unavailable_reason() or "?"))
needs_no_gpu = pytest.mark.skipif(HAS_GPU, reason="a CUDA device is present")

TEXTS = ["John Smith flew from London to Paris on Monday.", "They did not move.", "Apple is buying a U.K. startup."]


def annotations(docs):
    return [[(t.text, t.tag_, t.pos_, t.lemma_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_) for t in d] for d in docs]


@pytest.fixture(autouse=True)
def back_to_cpu():
    yield
    weft.require_cpu()


@needs_no_gpu
def test_require_gpu_without_a_gpu_raises_naming_cuda():
    with pytest.raises(weft.ValueError, match=r"no CUDA device cuda:0: CUDA is not available \("):
        weft.require_gpu()
    with pytest.raises(ValueError):  # a weft.ValueError is a ValueError, as spaCy's
        weft.require_gpu(gpu_id=1)
    assert device.current_device() == "cpu"


@needs_no_gpu
def test_prefer_gpu_without_a_gpu_returns_false_and_stays_on_the_cpu():
    assert weft.prefer_gpu() is False
    assert weft.prefer_gpu(id=0) is False
    assert device.current_device() == "cpu"
    assert weft.load(MODEL).device == "cpu"
    assert device.cuda_unavailable_reason() != ""


@needs_no_gpu
def test_nlp_to_a_missing_gpu_raises_and_leaves_the_pipeline_working():
    nlp = weft.load(MODEL)
    before = annotations(nlp.pipe(TEXTS))
    with pytest.raises(weft.ValueError, match="CUDA"):
        nlp.to("cuda:0")
    assert nlp.device == "cpu"
    assert annotations(nlp.pipe(TEXTS)) == before


@needs_no_gpu
def test_train_with_a_gpu_device_without_one_raises_naming_cuda(tmp_path):
    with pytest.raises(weft.ValueError, match="CUDA is not available"):
        weft.train({}, overrides={"training.device": "cuda:0", "training.max_steps": 1}, output=tmp_path, log=False)
    assert not any(tmp_path.iterdir())


def test_nlp_to_cpu_returns_the_language_and_keeps_the_results():
    nlp = weft.load(MODEL)
    before = annotations(nlp.pipe(TEXTS))
    assert nlp.to("cpu") is nlp
    assert nlp.device == "cpu"
    assert annotations(nlp.pipe(TEXTS)) == before
    assert annotations([nlp(t) for t in TEXTS]) == before


def test_nlp_to_rejects_what_is_not_a_device():
    nlp = weft.blank("en")
    with pytest.raises(weft.ValueError, match="unknown device 'tpu'"):
        nlp.to("tpu")
    with pytest.raises(TypeError):
        nlp.to(0)
    with pytest.raises(ValueError):
        weft.require_gpu(-1)


def test_require_cpu_and_the_blank_pipeline():
    assert weft.require_cpu() is True
    assert weft.blank("en").device == "cpu"


def test_train_config_names_the_device(tmp_path):
    config = weft.training_config({}, {"training.device": "cpu"})
    assert config["training"]["device"] == "cpu"
    assert weft.training_config({})["training"]["device"] == "cpu"
    with pytest.raises(weft.ValueError, match="unknown device"):
        weft.train({}, overrides={"training.device": "tpu", "training.max_steps": 1}, output=tmp_path, log=False)


@needs_gpu
def test_require_gpu_loads_onto_the_gpu_and_agrees_with_the_cpu():
    was = weft.cpu_int8()
    weft.set_cpu_int8(False)
    try:
        cpu = annotations(weft.load(MODEL).pipe(TEXTS))
        assert weft.require_gpu(0) is True
        nlp = weft.load(MODEL)
        assert nlp.device == "cuda:0"
        assert annotations(nlp.pipe(TEXTS)) == cpu
        assert annotations(nlp.pipe(TEXTS, batch_size=1)) == cpu
        memory = device.device_memory("cuda:0")
        assert memory["peak"] >= memory["in_use"] > 0
        assert nlp.to("cpu").device == "cpu"
        assert annotations(nlp.pipe(TEXTS)) == cpu
    finally:
        weft.set_cpu_int8(was)


@needs_gpu
def test_prefer_gpu_with_a_gpu_returns_true():
    assert weft.prefer_gpu() is True
    assert weft.blank("en").device == "cuda:0"
