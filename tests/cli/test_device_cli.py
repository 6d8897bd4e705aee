"""Whole pipelines on a GPU from the command line (issue 18): --device on run, evaluate, train and
bench_pipeline. Without a GPU each is a clear error (exit 1, naming CUDA and why); the cases that need
a CUDA device are reported skipped without one."""
import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "en_ewt_sm"
DEV = ROOT / "data" / "en_ewt" / "dev.conllu"


def cuda_devices(weft_bin):
    out = subprocess.run([weft_bin, "info", "--json"], capture_output=True, check=True).stdout
    return json.loads(out)["cuda_devices"]


@pytest.fixture(scope="module")
def gpu(weft_bin):
    if cuda_devices(weft_bin) == 0:
        pytest.skip("no CUDA device (weft info says why)")


@pytest.fixture(scope="module")
def no_gpu(weft_bin):
    if cuda_devices(weft_bin) > 0:
        pytest.skip("a CUDA device is present: the errors for a missing one cannot be seen")


def bench_bin(weft_bin):
    return str(pathlib.Path(weft_bin).parent / "bench_pipeline")


@pytest.mark.parametrize("args", [
    ["run", "-m", str(MODEL), "--device", "cuda:0"],
    ["evaluate", str(MODEL), str(DEV), "--device", "cuda:0"],
    ["train", str(ROOT / "models" / "configs" / "en_ewt_sm.json"), "--output", "unused", "--device", "cuda:0"],
], ids=["run", "evaluate", "train"])
def test_device_cuda_without_a_gpu_exits_1_naming_cuda(weft_bin, no_gpu, args, tmp_path):
    proc = subprocess.run([weft_bin, *args], input=b"Hello there.\n", capture_output=True, cwd=tmp_path)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "no CUDA device cuda:0: CUDA is not available (" in err, err
    assert proc.stdout == b""
    assert not (tmp_path / "unused").exists()  # train stopped before writing anything


def test_bench_pipeline_device_without_a_gpu_exits_1_naming_cuda(weft_bin, no_gpu):
    bench = bench_bin(weft_bin)
    if not os.path.exists(bench):
        pytest.skip("bench_pipeline is not built in this tree")
    proc = subprocess.run([bench, str(MODEL), "--device", "cuda:0", "--min-words", "100", "--reps", "1"],
                          capture_output=True, cwd=ROOT)
    assert proc.returncode == 1
    assert "CUDA is not available" in proc.stderr.decode()


def test_device_option_rejects_unknown_names(weft_bin):
    proc = subprocess.run([weft_bin, "run", "-m", str(MODEL), "--device", "tpu"], input=b"x\n", capture_output=True)
    assert proc.returncode == 1
    assert "unknown device 'tpu'" in proc.stderr.decode()


def test_device_cpu_is_the_default_and_changes_nothing(weft_bin):
    text = b"John Smith flew from London to Paris on Monday.\nThey did not move.\n"
    plain = subprocess.run([weft_bin, "run", "-m", str(MODEL), "--to", "conllu"], input=text, capture_output=True, check=True)
    cpu = subprocess.run([weft_bin, "run", "-m", str(MODEL), "--to", "conllu", "--device", "cpu"], input=text,
                         capture_output=True, check=True)
    assert plain.stdout == cpu.stdout


def test_training_device_in_the_config_is_checked_before_the_corpora(weft_bin, tmp_path):
    config = {"training": {"device": "cuda:7", "max_steps": 1}, "corpora": {"train": "missing.conllu"}}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(config))
    proc = subprocess.run([weft_bin, "train", str(path), "--output", str(tmp_path / "out")], capture_output=True)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "cuda:7" in err and "missing.conllu" not in err, err


def scores(weft_bin, *extra):
    out = subprocess.run([weft_bin, *extra, "evaluate", str(MODEL), str(DEV), "--json"], capture_output=True, check=True)
    return json.loads(out.stdout)


def test_evaluate_on_a_gpu_is_within_0_1_of_the_cpu_f32(weft_bin, gpu):
    cpu = scores(weft_bin, "--no-int8")
    gpu_scores = json.loads(subprocess.run(
        [weft_bin, "evaluate", str(MODEL), str(DEV), "--json", "--device", "cuda:0"],
        capture_output=True, check=True).stdout)

    # Every CoNLL 2018 metric's F1 and the entity scores, as fractions: 0.1 points is 0.001.
    for metric, value in cpu.items():
        if isinstance(value, dict) and "f1" in value:
            assert abs(value["f1"] - gpu_scores[metric]["f1"]) <= 0.001, (metric, value["f1"], gpu_scores[metric]["f1"])
        elif isinstance(value, float):
            assert abs(value - gpu_scores[metric]) <= 0.001, (metric, value, gpu_scores[metric])


def test_run_on_a_gpu_is_the_same_for_every_batch_size(weft_bin, gpu):
    text = "\n".join(l.split("= ", 1)[1] for l in DEV.read_text(encoding="utf8").splitlines()
                     if l.startswith("# text = ")).encode()
    outs = [subprocess.run([weft_bin, "run", "-m", str(MODEL), "--device", "cuda:0", "--to", "conllu", "--batch-size", b],
                           input=text, capture_output=True, check=True).stdout for b in ("7", "4096")]
    assert outs[0] == outs[1]


def test_train_on_a_gpu_runs_and_reports_words_per_second(weft_bin, gpu, tmp_path):
    proc = subprocess.run([weft_bin, "train", str(ROOT / "models" / "configs" / "en_ewt_sm.json"), "--device", "cuda:0",
                           "--output", str(tmp_path / "out"), "--set", "training.max_steps=40",
                           "--set", "training.eval_frequency=20", "--set", "corpora.max_dev_docs=200"],
                          capture_output=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    assert "on cuda:0" in out and "WPS" in out
    assert (tmp_path / "out" / "model-best" / "config.json").exists()
