"""The deployable bundle of a best model: ``best_model/inference/`` holds the exported model
(``model.json`` + ``model.pdiparams``), ``predictor.json`` and the reader's ``vocab.txt``:
everything ``paddlehub_lite.deploy`` needs to classify texts without the training script.

``predictor.json`` (format 2)::

    {"format": 2,
     "task": {"class": "TextClassifierTask", "kind": "classifier", "labels": ["0", "1"]},
     "feed_names": ["@HUB_elmo@word_ids"],          # the inputs fed the padded word ids
     "reader": {"class": "LACClassifyReader", "arguments": {...}, "segmenter_name": ...},
     "modules": [dict(ModuleInputs.describe(),       # the module by name, version, sha256
                      features={"prefix": "features_0", "input": "word_ids",
                                "output": "@HUB_elmo@elmo_layers"}), ...],
     "dataset": BaseNLPDataset.describe() or null,    # the training data, without its
                                                      # directory (checkpoint_dir/dataset.json)
     "batch_size": 32}

A module's ``features`` is its feature network exported beside the model
(``features_0.json`` + ``.pdiparams``): the bundle then predicts without the module installed.
``hub-lite export`` may add ``model.onnx`` and ``features_<i>.onnx`` (``deploy/export.py``),
recorded as ``"onnx": {"max_abs_diff", "opset", "probes"}``.
Format 1 (paddlehub_lite 0.3 and older) had no ``features`` and recorded the module's
directory; it is still read (the module is then opened by ``module/inputs.restore``).
"""
import json
import os
import shutil
from typing import Dict, List, Optional

SPEC_FILE = "predictor.json"
DATASET_FILE = "dataset.json"    # in checkpoint_dir: the dataset with its directory
MODEL_PREFIX = "model"           # model.json + model.pdiparams (+ model.onnx)
VOCAB_FILE = "vocab.txt"
FORMAT = 2
READABLE = (1, 2)


def describe(task) -> Dict:
    """A task's description (without ``format``): the reader, the modules' inputs, the data and
    the task's own part (``task.task_description()``)."""
    dataset = getattr(task.data_reader, "dataset", None)
    return {"task": dict(task.task_description(), **{"class": type(task).__name__}),
            "feed_names": list(task.feed_list),
            "reader": task.data_reader.describe(),
            "modules": [ctx.describe() for ctx in task.contexts],
            "dataset": portable(dataset.describe()) if hasattr(dataset, "describe") else None,
            "batch_size": task.config.batch_size}


def portable(dataset: Dict) -> Dict:
    """A dataset's description without the directory it was read from: a bundle holds no
    absolute path (the training machine's directory is in ``checkpoint_dir/dataset.json``)."""
    return {k: v for k, v in dataset.items() if k != "base_path"}


def write(directory: str, description: Dict, vocab_path: str,
          features: Optional[List[Optional[Dict]]] = None) -> None:
    """Write ``predictor.json`` and a copy of the vocab into ``directory`` (the inference
    model's directory, inside ``BestModel.save``'s temporary directory); ``features``: per
    module, what its ``export_features`` returned (or None)."""
    os.makedirs(directory, exist_ok=True)
    shutil.copyfile(vocab_path, os.path.join(directory, VOCAB_FILE))
    modules = [dict(m) for m in description["modules"]]
    for module, spec in zip(modules, features or []):
        if spec is not None:
            module["features"] = spec
    with open(os.path.join(directory, SPEC_FILE), "w", encoding="utf-8") as handle:
        json.dump(dict(description, modules=modules, format=FORMAT), handle, indent=1,
                  ensure_ascii=False)


def locate(path: str) -> str:
    """The bundle directory of ``path``: ``path`` itself when it holds ``predictor.json`` (an
    exported bundle), else its ``best_model/inference/`` (a checkpoint directory). Its files
    are checked against their ``files.json`` first (``CheckpointError`` naming a changed one);
    ``FileNotFoundError`` when there is neither."""
    from paddlehub_lite.finetune.checkpoint import BestModel, verify_directory
    if os.path.isfile(os.path.join(path, SPEC_FILE)):
        verify_directory(path)
        return path
    best = BestModel(path)
    if not best.exists():
        raise FileNotFoundError("%s has no best model: train first (finetune with dev "
                                "evaluation writes best_model/), or give a directory "
                                "hub-lite export wrote" % path)
    return os.path.dirname(best.inference_prefix)


def read(directory: str) -> Dict:
    """The description in ``directory/predictor.json``; ``FileNotFoundError`` saying what to do
    when the best model predates bundles."""
    path = os.path.join(directory, SPEC_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            "%s is missing: this best model was written by paddlehub_lite 0.2 or older; train "
            "again (or predict with task.predict from the training script)" % path)
    with open(path, encoding="utf-8") as handle:
        description = json.load(handle)
    if description.get("format") not in READABLE:
        raise ValueError("%s: format %r is not supported (this version reads %s)"
                         % (path, description.get("format"), READABLE))
    return description
