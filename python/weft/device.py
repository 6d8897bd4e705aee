"""Where weft's networks run, as spaCy (thinc) chooses it: require_gpu, prefer_gpu, require_cpu.

    import weft
    weft.prefer_gpu()              # True when a CUDA GPU is used from now on
    nlp = weft.load("models/en_ewt_sm")   # loaded onto that GPU
    nlp.to("cpu")                  # or move one pipeline explicitly

The choice is process-wide: weft.load, weft.blank and weft.train (unless its config names
training.device) use it from then on; pipelines made before keep their device. Without a GPU,
require_gpu raises ValueError naming CUDA and why it is unavailable, prefer_gpu returns False.
"""
from . import _weft

_current = "cpu"


def current_device():
    """The device new pipelines go to: "cpu" or "cuda:N"."""
    return _current


def _gpu_name(id, gpu_id):
    n = gpu_id if gpu_id is not None else id
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"a GPU id is a non-negative integer, not {n!r}")
    return f"cuda:{n}"


def require_gpu(id=0, *, gpu_id=None):
    """Uses GPU `id` (spaCy's gpu_id) for every pipeline made from now on; returns True. Raises
    weft.ValueError naming CUDA, and why it is unavailable, when there is no such GPU."""
    global _current
    _current = _weft.check_device(_gpu_name(id, gpu_id))
    return True


def prefer_gpu(id=0, *, gpu_id=None):
    """Uses GPU `id` when there is one and returns True; otherwise stays on the CPU and returns
    False (cuda_unavailable_reason() says why)."""
    name = _gpu_name(id, gpu_id)
    try:
        require_gpu(gpu_id=int(name.split(":")[1]))
    except ValueError:
        return False
    return True


def require_cpu():
    """Uses the CPU for every pipeline made from now on; returns True."""
    global _current
    _current = "cpu"
    return True


def cuda_unavailable_reason():
    """Why no CUDA device can be used ("" when one can): the module, driver or GPU that is missing."""
    return _weft.cuda_unavailable_reason()


def device_memory(device="cuda:0"):
    """A CUDA device's memory as weft's caching allocator counts it, in bytes: {"in_use", "peak"
    (since reset_peak_device_memory), "reserved"}."""
    return dict(_weft.device_memory(device))


def reset_peak_device_memory(device="cuda:0"):
    _weft.reset_peak_device_memory(device)
