"""The batch annotator under weft.spark and weft.dask (weft/_batch.py over _weft._annotate_batch),
without an engine: its rows are weft run's JSON lines, bad rows get weft run --skip-bad's treatment,
the flat columns agree with the JSON, and errors name what is wrong."""
import json
import pathlib

import pytest

import weft
from weft import _batch

MODEL = str(pathlib.Path(__file__).resolve().parents[2] / "models" / "en_ewt_sm")


@pytest.fixture(scope="module")
def native():
    return _batch.pipeline(_batch.resolve_model(MODEL))


def test_rows_are_weft_runs_lines(native, ewt_texts, weft_run_jsonl):
    lines, errors = _batch.annotate_list(native, ewt_texts, batch_size=7, threads=2)
    expected, _ = weft_run_jsonl(ewt_texts)
    assert errors == [] and len(lines) == len(expected) == 300
    assert lines == expected


def test_a_text_with_line_breaks_is_one_document_as_a_jsonl_record(native, weft_run_jsonl):
    texts = ["Two lines.\nIn one text.", "Tab\tand CR\r\nhere.", "Line\u2028separator and \"quotes\" \\ too.",
             "", "   ", "Ünïcödé façade — 東京 😀."]
    lines, errors = _batch.annotate_list(native, texts)
    expected, _ = weft_run_jsonl([json.dumps({"text": t}) for t in texts], "--from", "jsonl")
    assert errors == [] and lines == expected
    # Without line breaks a text record and a JSONL record give the same line.
    plain, _ = weft_run_jsonl(texts[3:])
    assert plain == expected[3:]


def test_language_code_gets_weft_runs_sentencizer(weft_run_jsonl, weft_bin):
    """The blank pipeline has no segmenter; weft run adds the sentencizer, and so does the annotator."""
    native = _batch.pipeline(_batch.resolve_model("en"))
    texts = ["Hello there. How are you? Fine.", "One more"]
    lines, _ = _batch.annotate_list(native, texts)
    expected, _ = weft_run_jsonl(texts, "-m", "en")
    assert lines == expected and json.loads(lines[0])["sents"] == [
        {"start": 0, "end": 12}, {"start": 13, "end": 25}, {"start": 26, "end": 31}]


def test_bad_rows_as_weft_run_skip_bad(native, weft_run_jsonl):
    big = "word " * 200_001  # 1,000,005 characters: over the default max_length
    texts = ["Good one.", None, "lone \ud800 surrogate", b"bad \xff byte", big, float("nan"), b"also good", ""]
    lines, errors = _batch.annotate_list(native, texts)
    assert [i for i, _ in errors] == [2, 3, 4]
    assert "invalid UTF-8 at byte 5" in errors[0][1] and "invalid UTF-8 at byte 4" in errors[1][1]
    assert errors[2][1].startswith("Text of length 1000005 exceeds maximum of 1000000 characters")
    assert [i for i, line in enumerate(lines) if line is None] == [1, 2, 3, 4, 5]
    # weft run --skip-bad on the same records (the null ones cannot be lines of a file) skips the same
    # three, reports each, and writes the same lines for the rest.
    records = ["Good one.", "lone \ud800 surrogate".encode("utf-8", "surrogatepass"), b"bad \xff byte", big,
               b"also good", ""]
    expected, err = weft_run_jsonl(records, "--skip-bad")
    assert expected == [lines[0], lines[6], lines[7]]
    assert "skipped 3 bad record(s)" in err and "line 4: Text of length 1000005 exceeds maximum" in err
    assert err.count("invalid UTF-8") == 2


def test_invalid_utf8_replace_and_max_length_as_weft_runs_options(native, weft_run_jsonl):
    records = [b"caf\xe9 au lait", "lone \ud800 here".encode("utf-8", "surrogatepass"), b"tiny", b"too long"]
    lines, errors = _batch.annotate_list(native, records, invalid_utf8="replace", max_length=5)
    expected, _ = weft_run_jsonl(records[:3], "--invalid-utf8", "replace", "--max-length", "0")
    assert lines[:3] == [None, None, expected[2]]  # the repaired texts are longer than 5 characters too
    lines, errors = _batch.annotate_list(native, records, invalid_utf8="replace", max_length=0)
    assert errors == [] and lines[:3] == expected
    assert "\ufffd" in json.loads(lines[0])["text"]


def test_columns_agree_with_the_json_lines(native, ewt_texts):
    pa = pytest.importorskip("pyarrow")
    texts = ewt_texts[:120] + [None, "Ada Lovelace met Charles Babbage in London."]
    arr = pa.array(texts, type=pa.string()).slice(1)  # an offset into the buffers
    (json_lines,), _ = _batch.annotate_arrow(native, arr, "jsonl", batch_size=16)
    cols, errors = _batch.annotate_arrow(native, arr, "columns", batch_size=16)
    assert errors == [] and len(json_lines) == len(arr)
    table = dict(zip(_batch.TOKEN_COLUMNS, [c.to_pylist() for c in cols]))
    assert all(len(c) == len(arr) for c in cols)
    for i, line in enumerate(json_lines.to_pylist()):
        if line is None:
            assert texts[i + 1] is None and all(table[c][i] is None for c in table)
            continue
        rec = json.loads(line)
        text, toks = rec["text"], rec["tokens"]
        assert table["tokens"][i] == [text[t["start"]:t["end"]] for t in toks]
        assert table["lemmas"][i] == [t["lemma"] for t in toks]
        assert table["pos"][i] == [t["pos"] for t in toks]
        assert table["tags"][i] == [t["tag"] for t in toks]
        assert table["deps"][i] == [t["dep"] for t in toks]
        assert table["heads"][i] == [t["head"] for t in toks]
        assert [(e["label"], e["start_char"], e["end_char"], e["text"]) for e in table["ents"][i]] == [
            (e["label"], e["start"], e["end"], text[e["start"]:e["end"]]) for e in rec["ents"]]
        for e in table["ents"][i]:
            assert toks[e["start"]]["start"] == e["start_char"] and toks[e["end"] - 1]["end"] == e["end_char"]
    assert table["ents"][-1] == [
        {"text": "Ada Lovelace", "label": "PER", "start": 0, "end": 2, "start_char": 0, "end_char": 12},
        {"text": "Charles Babbage", "label": "PER", "start": 3, "end": 5, "start_char": 17, "end_char": 32},
        {"text": "London", "label": "LOC", "start": 6, "end": 7, "start_char": 36, "end_char": 42}]


def test_model_loaded_once_per_process():
    before = _batch.load_counts()
    key = _batch.resolve_model(MODEL)
    a = _batch.pipeline(key)
    b = _batch.pipeline(key)
    assert a is b and _batch.load_counts()[key] == 1 and before.get(key, 1) == 1


def test_errors_name_what_is_wrong(native, tmp_path):
    missing = tmp_path / "no_such_model"
    with pytest.raises(weft.ModelError, match=str(missing)):
        _batch.resolve_model(missing)
    with pytest.raises(weft.ModelError, match="not a language code"):
        _batch.resolve_model("no_such_model_or_language")
    (tmp_path / "empty").mkdir()
    with pytest.raises(weft.ModelError, match="no config.json"):
        _batch.resolve_model(tmp_path / "empty")
    with pytest.raises(TypeError, match="element 1 is a int"):
        _batch.annotate_list(native, ["ok", 3])
    with pytest.raises(ValueError, match="invalid_utf8"):
        _batch.annotate_list(native, ["ok"], invalid_utf8="ignore")
    with pytest.raises(ValueError, match="batch_size"):
        _batch.annotate_list(native, ["ok"], batch_size=0)
    with pytest.raises(ValueError, match="max_length"):
        _batch.check_options(max_length=-1)
    np = pytest.importorskip("numpy")
    with pytest.raises(weft.ValueError, match="inside the data buffer"):
        weft._weft._annotate_batch(native, b"abc", np.array([0, 9], dtype=np.int32), None)
    with pytest.raises(weft.ValueError, match="one byte per row"):
        weft._weft._annotate_batch(native, b"abc", np.array([0, 3], dtype=np.int64), b"\x01\x01")
