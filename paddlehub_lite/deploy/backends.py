"""The two runtimes a bundle's networks run on, behind one call: ``predictor(feed) -> the
first output``. ``paddle``: Paddle Inference (``<prefix>.json`` + ``.pdiparams``). ``onnx``:
ONNX Runtime (``<prefix>.onnx``, written by ``hub-lite export`` after a parity check), which
needs no Paddle at all. ``auto``: ONNX Runtime when it is installed and the bundle has ONNX
models, else Paddle Inference.
"""
import importlib.util
import os
from typing import Dict, Optional

import numpy as np

BACKENDS = ("auto", "onnx", "paddle")


def onnxruntime_available() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


def check_name(backend: str) -> str:
    """``backend`` if it is one of ``BACKENDS``, else a ``ValueError`` listing them."""
    if backend not in BACKENDS:
        raise ValueError("backend must be one of %s, got %r" % (", ".join(BACKENDS), backend))
    return backend


def resolve(backend: str, has_onnx: bool) -> str:
    """The backend ``backend`` (checked by ``check_name``) means for a bundle (``has_onnx``: it
    holds ONNX models); ``onnx`` where it cannot run is a ``ValueError`` saying why."""
    if backend == "auto":
        return "onnx" if has_onnx and onnxruntime_available() else "paddle"
    if backend == "onnx" and not has_onnx:
        raise ValueError("this bundle has no ONNX models: write them with hub-lite export "
                         "(paddle2onnx installed), or use backend paddle")
    if backend == "onnx" and not onnxruntime_available():
        raise ValueError("backend onnx needs onnxruntime: pip install onnxruntime")
    return backend


class OnnxPredictor:
    """``<prefix>.onnx`` on ONNX Runtime's CPU provider; runs feeds given by input name.

    Args:
        prefix: the path without ``.onnx``.
        num_threads: intra-op threads (default None: ONNX Runtime's default).
    """

    def __init__(self, prefix: str, num_threads: Optional[int] = None):
        import onnxruntime
        options = onnxruntime.SessionOptions()
        if num_threads:
            options.intra_op_num_threads = num_threads
            options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(prefix + ".onnx", options,
                                                    providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]

    def __call__(self, feed: Dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run(None, {n: np.ascontiguousarray(feed[n])
                                       for n in self.input_names})[0]


def make_predictor(directory: str, prefix: str, backend: str, num_threads: Optional[int]):
    """A predictor of ``directory/prefix`` on ``backend`` ("onnx" or "paddle")."""
    path = os.path.join(directory, prefix)
    if backend == "onnx":
        return OnnxPredictor(path, num_threads)
    from paddlehub_lite.utils.inference import InferencePredictor
    return InferencePredictor(path, num_threads)
