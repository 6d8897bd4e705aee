"""The CUDA backend is a module (libweft_cuda.so) that weft loads only when a CUDA device is used: the
`weft` command and the Python module link neither the CUDA runtime nor cuBLAS, `weft info` reports
CUDA's status and why it is not available, the module is looked for beside the program, in ../lib and
in $WEFT_CUDA_MODULE, and a CUDA request without it is a clear error, not a crash."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

# Dynamic CUDA libraries in `ldd` output (libicudata, ICU's, must not match).
CUDA_LIBRARY = re.compile(r"\blib(cudart|cublas|cublasLt|cuda)\.so")


def without_cuda_module_env():
    return {k: v for k, v in os.environ.items() if k != "WEFT_CUDA_MODULE"}


def info(weft_bin, env=None):
    proc = subprocess.run([weft_bin, "info", "--json"], capture_output=True, check=True,
                          env={**without_cuda_module_env(), **(env or {})})
    return json.loads(proc.stdout)


def info_text(weft_bin, env=None):
    proc = subprocess.run([weft_bin, "info"], capture_output=True, check=True,
                          env={**without_cuda_module_env(), **(env or {})})
    return proc.stdout.decode()


def cuda_line(text):
    lines = [l for l in text.splitlines() if l.startswith("CUDA: ")]
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize("which", ["weft", "_weft"])
def test_binaries_do_not_link_cuda(weft_bin, which):
    path = weft_bin if which == "weft" else pytest.importorskip("weft")._weft.__file__
    out = subprocess.run(["ldd", path], capture_output=True, check=True).stdout.decode()
    assert not CUDA_LIBRARY.search(out), out
    # The static CUDA runtime (cudart_static) would not show in ldd; it names the driver it loads.
    assert b"libcuda.so.1" not in pathlib.Path(path).read_bytes()


def test_info_reports_cuda(weft_bin):
    data = info(weft_bin)
    line = cuda_line(info_text(weft_bin))
    if data["cuda_devices"] > 0:
        assert data["cuda_error"] is None and data["cuda_module"]
        assert line == f"CUDA: {data['cuda_devices']} device(s) ({data['cuda_module']})"
    else:
        assert data["cuda_error"]
        assert line == f"CUDA: not available ({data['cuda_error']})"
    if data["cuda_module"]:
        assert pathlib.Path(data["cuda_module"]).name == "libweft_cuda.so" and os.path.exists(data["cuda_module"])
    elif data["cuda_compiled"]:
        assert "libweft_cuda.so" in data["cuda_error"], data
    else:
        assert "no CUDA backend" in data["cuda_error"], data


def test_missing_module_is_reported(weft_bin):
    if not info(weft_bin)["cuda_compiled"]:
        pytest.skip("built without CUDA")
    env = {"WEFT_CUDA_MODULE": "/nonexistent/libweft_cuda.so"}
    data = info(weft_bin, env)
    assert data["cuda_devices"] == 0 and data["cuda_module"] is None
    assert data["cuda_error"].startswith(
        "libweft_cuda.so not found at /nonexistent/libweft_cuda.so (WEFT_CUDA_MODULE): "), data
    assert "cannot open shared object file" in data["cuda_error"]
    assert cuda_line(info_text(weft_bin, env)) == f"CUDA: not available ({data['cuda_error']})"


def test_unusable_module_is_reported(weft_bin, tmp_path):
    """A file that is there but not loadable, or a library that is not weft's module, is named with why."""
    if not info(weft_bin)["cuda_compiled"]:
        pytest.skip("built without CUDA")
    broken = tmp_path / "libweft_cuda.so"
    broken.write_text("not a library\n")
    data = info(weft_bin, {"WEFT_CUDA_MODULE": str(broken)})
    assert data["cuda_devices"] == 0 and data["cuda_module"] is None
    assert data["cuda_error"].startswith(f"cannot load {broken}: "), data
    libc = next(p for p in ("/lib/x86_64-linux-gnu/libc.so.6", "/lib64/libc.so.6") if os.path.exists(p))
    data = info(weft_bin, {"WEFT_CUDA_MODULE": libc})
    assert data["cuda_error"] == f"{libc} is not a weft CUDA module (no weft_cuda_module)", data


def test_module_found_beside_the_program_or_in_lib(weft_bin, tmp_path):
    """A copy of the command looks in its own folder and ../lib, and says where it looked."""
    data = info(weft_bin)
    if not data["cuda_compiled"] or not data["cuda_module"]:
        pytest.skip("no CUDA module in this build")
    (tmp_path / "bin").mkdir()
    exe = tmp_path / "bin" / "weft"
    shutil.copy2(weft_bin, exe)
    missing = info(str(exe))
    assert missing["cuda_module"] is None
    assert missing["cuda_error"].startswith(
        f"libweft_cuda.so not found at {tmp_path}/bin/libweft_cuda.so, {tmp_path}/lib/libweft_cuda.so"), missing
    (tmp_path / "lib").mkdir()
    shutil.copy2(data["cuda_module"], tmp_path / "lib" / "libweft_cuda.so")
    found = info(str(exe))
    assert found["cuda_module"] == str(tmp_path / "lib" / "libweft_cuda.so")
    assert found["cuda_devices"] == data["cuda_devices"]


def test_python_package_finds_its_module(weft_bin):
    """The Python module looks in its own folder (the build tree's python/weft, or site-packages/weft)."""
    weft = pytest.importorskip("weft")
    if not info(weft_bin)["cuda_compiled"]:
        pytest.skip("built without CUDA")
    proc = subprocess.run([sys.executable, "-m", "weft", "info", "--json"], capture_output=True, check=True,
                          env=without_cuda_module_env())
    data = json.loads(proc.stdout)
    assert data["cuda_module"] == str(pathlib.Path(weft.__file__).parent / "libweft_cuda.so"), data


def test_cuda_request_without_module_is_a_clear_error(weft_bin):
    """Asking for a CUDA device when the module is missing: weft's error naming the path, exit code 2."""
    bench = pathlib.Path(weft_bin).parent / "bench_tok2vec"
    if not bench.exists():
        pytest.skip("benchmarks not built")
    if not info(weft_bin)["cuda_compiled"]:
        pytest.skip("built without CUDA")
    proc = subprocess.run([bench, "--device", "cuda:0"], capture_output=True, timeout=60,
                          env={**os.environ, "WEFT_CUDA_MODULE": "/nonexistent/libweft_cuda.so"})
    assert proc.returncode == 2, proc
    assert proc.stderr.decode().startswith(
        "bench_tok2vec: no CUDA device cuda:0: CUDA is not available (libweft_cuda.so not found at "
        "/nonexistent/libweft_cuda.so (WEFT_CUDA_MODULE): "), proc.stderr


def test_tokenize_does_not_load_cuda(weft_bin, tmp_path):
    """One line through `weft tokenize` stays small: no CUDA library is mapped (it was 227 MB with cuBLAS)."""
    text = tmp_path / "one.txt"
    text.write_text("Hello world.\n", encoding="utf-8")
    probe = ("import resource, subprocess, sys\n"
             "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", probe, weft_bin, "tokenize", str(text)], capture_output=True,
                         check=True)
    peak_kib = int(out.stdout)
    if b"libasan" in subprocess.run(["ldd", weft_bin], capture_output=True).stdout:
        pytest.skip("AddressSanitizer build: its shadow memory counts as resident")
    assert peak_kib < 100 * 1024, f"weft tokenize of one line peaked at {peak_kib} KiB"
