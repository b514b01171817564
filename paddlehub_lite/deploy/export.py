"""``hub-lite export``: a checkpoint's bundle copied to a new directory for shipping, with ONNX
models of its networks when ``paddle2onnx`` is installed (``--quantize int8``: quantized).

Each Paddle network of the bundle (``model`` and every ``features_<i>``) is converted with
``paddle2onnx`` (opset 17); the ONNX models are kept only when ONNX Runtime gives the same
probabilities as Paddle Inference on probe batches of ragged lengths (padded, as batches of
texts of different lengths are) within ``tolerance``: otherwise a warning says by how much,
the ONNX files are removed and the Paddle models stay. (ONNX Runtime's LSTM writes other
values than Paddle's at padded positions; the head masks them, so only the probabilities are
compared.)
"""
import importlib.util
import json
import os
import shutil
from typing import Dict, List, Optional

import numpy as np

from paddlehub_lite.finetune import bundle
from paddlehub_lite.utils import file_manifest
from paddlehub_lite.utils.atomic import atomic_dir
from paddlehub_lite.utils.log import logger

OPSET = 17
PROBE_LENGTHS = ([1], [5, 1, 17], [60, 3, 128, 9], [2, 2])   # one batch each, padded


def export(checkpoint_dir: str, output_dir: str, onnx: Optional[bool] = None,
           tolerance: float = 1e-5, quantize: Optional[str] = None) -> Dict:
    """Copy ``checkpoint_dir``'s bundle to ``output_dir`` (which must not exist: nothing of the
    user's is replaced) with its own ``files.json``; ``onnx``: add ONNX models (default None:
    when ``paddle2onnx`` is installed); ``quantize="int8"``: then quantize their LSTM, GRU
    and MatMul weights (``quantize_int8``). Returns ``{"path", "onnx": None or the parity
    record}``."""
    source = bundle.locate(checkpoint_dir)
    if os.path.exists(output_dir):
        raise ValueError("%s exists: give a new directory to export to" % output_dir)
    if quantize not in (None, "int8"):
        raise ValueError("quantize must be int8 or None, got %r" % quantize)
    if onnx is None:
        onnx = importlib.util.find_spec("paddle2onnx") is not None or quantize is not None
    if quantize and not onnx:
        raise ValueError("int8 quantization is of the ONNX models: export with ONNX")
    record = None
    with atomic_dir(output_dir) as tmp:
        for name in sorted(os.listdir(source)):
            if name != file_manifest.FILES and not name.endswith(".onnx"):
                shutil.copyfile(os.path.join(source, name), os.path.join(tmp, name))
        file_manifest.record(tmp)           # a complete bundle: the parity check loads it
        if onnx:
            record = add_onnx(tmp, tolerance)
            if quantize and record is None:
                raise ValueError("the ONNX models failed their parity check: nothing to "
                                 "quantize (the bundle was not written)")
            file_manifest.record(tmp)
            if quantize:
                record = quantize_int8(tmp)
                file_manifest.record(tmp)
    return {"path": output_dir, "onnx": record}


def quantize_int8(directory: str) -> Dict:
    """ONNX Runtime's dynamic int8 quantization of the bundle's ONNX models (the weights of
    LSTM, GRU and MatMul nodes; activations quantized on the fly), in place. Probabilities
    then differ from the fp32 model's: the largest difference on the probe batches is recorded
    (``"int8_max_abs_diff"``) and logged. Measured on the ChnSentiCorp demo: BENCHMARKS.md."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    description = bundle.read(directory)
    before = probe_probabilities(directory, description, "onnx")
    for prefix in prefixes(description):
        path = os.path.join(directory, prefix + ".onnx")
        quantize_dynamic(path, path + ".int8", weight_type=QuantType.QInt8,
                         op_types_to_quantize=["LSTM", "GRU", "MatMul"])
        os.replace(path + ".int8", path)
    file_manifest.record(directory)          # the changed files, for the check below to load
    after = probe_probabilities(directory, description, "onnx")
    diff = max(float(np.abs(a - b).max()) for a, b in zip(after, before))
    record = dict(description["onnx"], quantized="int8", int8_max_abs_diff=diff)
    description["onnx"] = record
    with open(os.path.join(directory, bundle.SPEC_FILE), "w", encoding="utf-8") as handle:
        json.dump(description, handle, indent=1, ensure_ascii=False)
    logger.info("ONNX models quantized to int8 (probabilities within %.3g of the fp32 "
                "model's on the probe batches)", diff)
    return record


def prefixes(description: Dict) -> List[str]:
    """The bundle's Paddle networks: the model and each module's feature network."""
    return [bundle.MODEL_PREFIX] + [m["features"]["prefix"] for m in description["modules"]
                                    if "features" in m]


def add_onnx(directory: str, tolerance: float = 1e-5) -> Optional[Dict]:
    """Convert the bundle's networks in ``directory`` to ONNX and keep them if they pass the
    parity check (recorded in ``predictor.json`` as ``"onnx"``); returns the record, or None
    when they were not kept."""
    import paddle2onnx
    description = bundle.read(directory)
    names = prefixes(description)
    for prefix in names:
        path = os.path.join(directory, prefix)
        paddle2onnx.export(path + ".json", path + ".pdiparams", save_file=path + ".onnx",
                           opset_version=OPSET, enable_onnx_checker=True,
                           enable_optimize=False)   # the same values; 10x faster for the biLM
    diff = parity(directory, description)
    if diff > tolerance:
        for prefix in names:
            os.remove(os.path.join(directory, prefix + ".onnx"))
        logger.warning("ONNX models not written: their probabilities differ from Paddle "
                       "Inference's by up to %.3g (more than %.3g); the bundle keeps its "
                       "Paddle models", diff, tolerance)
        return None
    record = {"max_abs_diff": diff, "opset": OPSET, "probes": len(PROBE_LENGTHS)}
    description["onnx"] = record
    with open(os.path.join(directory, bundle.SPEC_FILE), "w", encoding="utf-8") as handle:
        json.dump(description, handle, indent=1, ensure_ascii=False)
    logger.info("ONNX models written (probabilities within %.3g of Paddle Inference's on %d "
                "probe batches)", diff, len(PROBE_LENGTHS))
    return record


def parity(directory: str, description: Dict) -> float:
    """The largest absolute difference of the probabilities of the ONNX and the Paddle models
    on the probe batches."""
    onnx = probe_probabilities(directory, description, "onnx")
    paddle = probe_probabilities(directory, description, "paddle")
    return max(float(np.abs(a - b).max()) for a, b in zip(onnx, paddle))


def probe_probabilities(directory: str, description: Dict, backend: str) -> List[np.ndarray]:
    """The bundle's probabilities on ``backend`` for the probe batches: random word ids of the
    vocabulary (the same every call), ragged lengths, padded."""
    from paddlehub_lite.deploy.classifier import TextClassifier
    vocab_size = sum(1 for _ in open(os.path.join(directory, bundle.VOCAB_FILE),
                                     encoding="utf-8"))
    max_len = description["reader"]["arguments"].get("max_seq_len", 128)
    rng = np.random.default_rng(0)
    run = TextClassifier(directory, backend=backend).load()
    probs = []
    for lengths in PROBE_LENGTHS:
        lengths = [min(n, max_len) for n in lengths]
        ids = np.full((len(lengths), max(lengths)), run.pad_id, dtype="int64")
        for row, n in enumerate(lengths):
            ids[row, :n] = rng.integers(2, vocab_size, n)
        probs.append(run.ids_probabilities(ids))
    return probs
