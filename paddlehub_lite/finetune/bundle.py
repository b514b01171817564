"""The deployable bundle of a best model: ``best_model/inference/`` holds the exported model
(``model.json`` + ``model.pdiparams``), ``predictor.json`` and the reader's ``vocab.txt``:
everything ``paddlehub_lite.deploy`` needs to classify texts without the training script.

``predictor.json`` (format 1)::

    {"format": 1,
     "task": {"class": "TextClassifierTask", "kind": "classifier", "labels": ["0", "1"]},
     "feed_names": ["@HUB_elmo@word_ids"],          # the inputs fed the padded word ids
     "reader": {"class": "LACClassifyReader", "arguments": {...}, "segmenter_name": ...},
     "modules": [ModuleInputs.describe(), ...],       # module/inputs.py restores them
     "dataset": BaseNLPDataset.describe() or null,    # where the training data was
     "batch_size": 32}
"""
import json
import os
import shutil
from typing import Dict

SPEC_FILE = "predictor.json"
VOCAB_FILE = "vocab.txt"
FORMAT = 1


def describe(task) -> Dict:
    """A task's description (without ``format``): the reader, the modules' inputs, the data and
    the task's own part (``task._task_description()``)."""
    dataset = getattr(task.data_reader, "dataset", None)
    return {"task": dict(task._task_description(), **{"class": type(task).__name__}),
            "feed_names": list(task.feed_list),
            "reader": task.data_reader.describe(),
            "modules": [ctx.describe() for ctx in task.contexts],
            "dataset": dataset.describe() if hasattr(dataset, "describe") else None,
            "batch_size": task.config.batch_size}


def write(directory: str, description: Dict, vocab_path: str) -> None:
    """Write ``predictor.json`` and a copy of the vocab into ``directory`` (the inference
    model's directory, inside ``BestModel.save``'s temporary directory)."""
    os.makedirs(directory, exist_ok=True)
    shutil.copyfile(vocab_path, os.path.join(directory, VOCAB_FILE))
    with open(os.path.join(directory, SPEC_FILE), "w", encoding="utf-8") as handle:
        json.dump(dict(description, format=FORMAT), handle, indent=1, ensure_ascii=False)


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
    if description.get("format") != FORMAT:
        raise ValueError("%s: format %r is not supported (this version reads %d)"
                         % (path, description.get("format"), FORMAT))
    return description
