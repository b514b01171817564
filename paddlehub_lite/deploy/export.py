"""``hub-lite export``: a checkpoint's bundle copied to a new directory for shipping, with ONNX
models of its networks when ``paddle2onnx`` is installed.

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
           tolerance: float = 1e-5) -> Dict:
    """Copy ``checkpoint_dir``'s bundle to ``output_dir`` (which must not exist: nothing of the
    user's is replaced) with its own ``files.json``; ``onnx``: add ONNX models (default None:
    when ``paddle2onnx`` is installed). Returns ``{"path", "onnx": None or the parity
    record}``."""
    source = bundle.locate(checkpoint_dir)
    if os.path.exists(output_dir):
        raise ValueError("%s exists: give a new directory to export to" % output_dir)
    if onnx is None:
        onnx = importlib.util.find_spec("paddle2onnx") is not None
    record = None
    with atomic_dir(output_dir) as tmp:
        for name in sorted(os.listdir(source)):
            if name != file_manifest.FILES and not name.endswith(".onnx"):
                shutil.copyfile(os.path.join(source, name), os.path.join(tmp, name))
        file_manifest.record(tmp)           # a complete bundle: the parity check loads it
        if onnx:
            record = add_onnx(tmp, tolerance)
            file_manifest.record(tmp)
    return {"path": output_dir, "onnx": record}


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
    on the probe batches (random word ids of the vocabulary, ragged lengths, padded)."""
    from paddlehub_lite.deploy.classifier import TextClassifier
    vocab_size = sum(1 for _ in open(os.path.join(directory, bundle.VOCAB_FILE),
                                     encoding="utf-8"))
    max_len = description["reader"]["arguments"].get("max_seq_len", 128)
    rng = np.random.default_rng(0)
    runs = {backend: TextClassifier(directory, backend=backend).load()
            for backend in ("paddle", "onnx")}
    pad_id = runs["paddle"].pad_id
    diff = 0.0
    for lengths in PROBE_LENGTHS:
        lengths = [min(n, max_len) for n in lengths]
        ids = np.full((len(lengths), max(lengths)), pad_id, dtype="int64")
        for row, n in enumerate(lengths):
            ids[row, :n] = rng.integers(2, vocab_size, n)
        probs = {b: run.ids_probabilities(ids) for b, run in runs.items()}
        diff = max(diff, float(np.abs(probs["onnx"] - probs["paddle"]).max()))
    return diff
