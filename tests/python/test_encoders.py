"""A tok2vec with a BiLSTM encoder and character features (issue 21) from Python and the command line:
training, doc.tensor's width, add_pipe with the new config sections, save/load, weft info, ONNX refusal,
bad sections."""
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

import weft

EWT = pathlib.Path(__file__).resolve().parents[2] / "data" / "en_ewt"
ENCODER = {"@architectures": "weft.BiLSTMEncoder.v1", "width": 16, "depth": 1, "dropout": 0.1}
CHARS = {"@architectures": "weft.CharEmbed.v1", "nM": 4, "nC": 4, "rows": 200}


@pytest.fixture(scope="module")
def lstm_model(tmp_path_factory):
    if not (EWT / "train.conllu").exists():
        pytest.skip(f"UD English EWT not found under {EWT}")
    out = tmp_path_factory.mktemp("lstm_model")
    config = {
        "nlp": {"pipeline": ["tok2vec", "tagger"]},
        "components": {
            "tok2vec": {"factory": "tok2vec", "width": 32, "depth": 1, "encoder": ENCODER, "char_embed": CHARS},
            "tagger": {"factory": "tagger", "tok2vec": {"upstream": "tok2vec"}},
        },
        "corpora": {"train": str(EWT / "train.conllu"), "dev": str(EWT / "dev.conllu"), "max_train_docs": 200,
                    "max_dev_docs": 30},
        "training": {"max_steps": 20, "eval_frequency": 20},
    }
    weft.train(config, output=out, log=False)
    return out / "model-best"


def test_trained_lstm_tok2vec(lstm_model, tmp_path):
    nlp = weft.load(lstm_model)
    config = json.loads((lstm_model / "config.json").read_text())
    assert config["components"]["tok2vec"]["encoder"]["@architectures"] == "weft.BiLSTMEncoder.v1"
    assert config["components"]["tok2vec"]["char_embed"]["nC"] == 4
    nlp.keep_tensors = True
    doc = nlp("The cats were sitting on the mat. They did not move.")
    vectors = np.from_dlpack(doc.tensor)
    assert vectors.shape == (len(doc), 16)  # the BiLSTM's width, not the CNN's 32
    assert all(t.tag_ for t in doc)
    nlp.to_disk(tmp_path / "copy")
    again = weft.load(tmp_path / "copy")
    again.keep_tensors = True
    assert np.array_equal(np.from_dlpack(again(doc.text).tensor), vectors)


def test_add_pipe_with_encoder_sections():
    nlp = weft.blank("en")
    t2v = nlp.add_pipe("tok2vec", config={"width": 24, "encoder": ENCODER, "char_embed": CHARS})
    assert t2v.config["encoder"] == ENCODER and t2v.config["char_embed"] == CHARS
    assert nlp.config["components"]["tok2vec"]["encoder"] == ENCODER
    assert "encoder" not in weft.blank("en").add_pipe("tok2vec").config  # absent: the tok2vec of before
    with pytest.raises(weft.ConfigError, match="widht"):
        weft.blank("en").add_pipe("tok2vec", config={"encoder": {"@architectures": "weft.BiLSTMEncoder.v1", "widht": 4}})
    with pytest.raises(ValueError, match="even"):
        weft.blank("en").add_pipe("tok2vec", config={"encoder": {"@architectures": "weft.BiLSTMEncoder.v1", "width": 7}})
    with pytest.raises(ValueError, match="must be null or an object"):
        weft.blank("en").add_pipe("tok2vec", config={"char_embed": "yes"})


def test_onnx_export_refuses_the_bilstm(lstm_model, tmp_path):
    import weft.onnx

    with pytest.raises(weft.Error, match="BiLSTM.v1 encoder"):
        weft.onnx.export(weft.load(lstm_model), tmp_path / "onnx")


def test_cli_info_lists_the_architectures_and_weights(lstm_model):
    weft_bin = os.environ.get("WEFT_BIN")
    if not weft_bin:
        pytest.skip("WEFT_BIN not set")
    registry = subprocess.run([weft_bin, "info", "--registry"], capture_output=True, check=True).stdout.decode()
    assert "weft.BiLSTMEncoder.v1" in registry and "weft.CharEmbed.v1" in registry
    info = subprocess.run([weft_bin, "info", str(lstm_model)], capture_output=True, check=True).stdout.decode()
    assert "tok2vec.lstm.0.W_hh_reverse" in info and "tok2vec.embed.chars.E" in info
    proc = subprocess.run([weft_bin, "export", "onnx", str(lstm_model), "/tmp/weft_onnx_refused"], capture_output=True)
    assert proc.returncode != 0 and b"BiLSTM.v1" in proc.stderr
