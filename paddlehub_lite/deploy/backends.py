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

    Thread policy (BENCHMARKS.md, "ONNX Runtime's threads"): the worker threads never
    spin while waiting (ONNX Runtime's default spin-wait halved batch throughput on 2 cores
    and slows it further beside busy processes), batches run on ``num_threads`` threads, and a
    call with one row (one text) on a second session of one thread, created on the first such
    call: a single text's recurrent steps are too small to split between threads.

    Args:
        prefix: the path without ``.onnx``.
        num_threads: intra-op threads of batch calls (default None: ONNX Runtime's default,
            every core).
    """

    def __init__(self, prefix: str, num_threads: Optional[int] = None):
        self.prefix = prefix
        self.num_threads = num_threads
        self.session = self._session(num_threads)
        self.input_names = [i.name for i in self.session.get_inputs()]
        self._single = self.session if num_threads == 1 else None

    def _session(self, num_threads: Optional[int]):
        import onnxruntime
        options = onnxruntime.SessionOptions()
        if num_threads:
            options.intra_op_num_threads = num_threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return onnxruntime.InferenceSession(self.prefix + ".onnx", options,
                                            providers=["CPUExecutionProvider"])

    def __call__(self, feed: Dict[str, np.ndarray]) -> np.ndarray:
        arrays = {n: np.ascontiguousarray(feed[n]) for n in self.input_names}
        session = self.session
        if len(arrays[self.input_names[0]]) == 1:
            if self._single is None:
                self._single = self._session(1)
            session = self._single
        return session.run(None, arrays)[0]


def make_predictor(directory: str, prefix: str, backend: str, num_threads: Optional[int]):
    """A predictor of ``directory/prefix`` on ``backend`` ("onnx" or "paddle")."""
    path = os.path.join(directory, prefix)
    if backend == "onnx":
        return OnnxPredictor(path, num_threads)
    from paddlehub_lite.utils.inference import InferencePredictor
    return InferencePredictor(path, num_threads)
