"""``TextClassifier``: a trained classifier loaded from its bundle alone: a checkpoint
directory's ``best_model/inference/``, or a directory ``hub-lite export`` wrote.

Data flows as in training: text -> reader (the vocab and settings the model was trained with)
-> padded word ids -> the modules' extra inputs (e.g. frozen ELMo features, from the feature
network exported into the bundle) -> the exported inference model -> probabilities -> labels.
"""
import json
import os
import threading
from typing import Dict, List, Optional, Sequence

import numpy as np

from paddlehub_lite.finetune import batching, bundle
from paddlehub_lite.finetune.results import label_results, label_set_results
from paddlehub_lite.utils.cpu import usable_cores
from paddlehub_lite.utils.log import logger


class TextClassifier:
    """Classify texts with the best model a finetune run wrote.

    Args:
        checkpoint_dir: the run's ``checkpoint_dir`` (its ``best_model/`` is used, verified),
            or a bundle directory written by ``hub-lite export`` (verified the same way).
        num_threads: CPU math threads of the model and the modules (default None: every
            core).
        batch_size: texts per model call (default None: the training batch size).
        segment_workers: processes that segment large inputs (default 1; more helps only
            for thousands of texts at once, and never use more inside a threaded server).
        backend: "auto" (default: ONNX Runtime when it is installed and the bundle has ONNX
            models, else Paddle Inference), "onnx" or "paddle" (``deploy/backends.py``).
    """

    def __init__(self, checkpoint_dir: str, num_threads: Optional[int] = None,
                 batch_size: Optional[int] = None, segment_workers: int = 1,
                 backend: str = "auto"):
        from paddlehub_lite.deploy.backends import check_name
        check_name(backend)
        if num_threads is not None and num_threads < 1:
            raise ValueError("num_threads must be >= 1, got %r" % num_threads)
        if batch_size is not None and batch_size < 1:
            raise ValueError("batch_size must be >= 1, got %r" % batch_size)
        self.checkpoint_dir = checkpoint_dir
        self.num_threads = num_threads or usable_cores()
        self.batch_size = batch_size
        self.segment_workers = segment_workers
        self.backend = backend                  # resolved by load (see ``backends.resolve``)
        self.description: Optional[Dict] = None
        self._lock = threading.Lock()

    def load(self) -> "TextClassifier":
        """Read and verify the bundle, open the reader, the modules and the predictor (once;
        ``predict`` calls it)."""
        with self._lock:
            if self.description is None:
                self._load()
        return self

    def _load(self) -> None:
        from paddlehub_lite.deploy.backends import make_predictor, resolve
        from paddlehub_lite.deploy.features import BundleFeatures
        from paddlehub_lite.reader import LACClassifyReader
        directory = bundle.locate(self.checkpoint_dir)
        description = bundle.read(directory)
        self.backend = resolve(self.backend, os.path.isfile(
            os.path.join(directory, bundle.MODEL_PREFIX + ".onnx")))
        reader = description["reader"]
        self.reader = LACClassifyReader(vocab_path=os.path.join(directory, bundle.VOCAB_FILE),
                                        num_workers=self.segment_workers, **reader["arguments"])
        if self.reader.segmenter.name != reader["segmenter_name"]:
            logger.warning("the model was trained with segmenter %s, this one is %s: "
                           "predictions may differ", reader["segmenter_name"],
                           self.reader.segmenter.name)
        self.modules = [BundleFeatures(directory, d, self.num_threads, self.backend)
                        if "features" in d else _restore_module(d)
                        for d in description["modules"]]
        self.predictor = make_predictor(directory, bundle.MODEL_PREFIX, self.backend,
                                        self.num_threads)
        self.batch_size = self.batch_size or description["batch_size"]
        self.description = description

    @property
    def labels(self) -> List[str]:
        """The class names, in class-index order."""
        return list(self.load().description["task"]["labels"])

    @property
    def kind(self) -> str:
        """"classifier" (one label per text) or "multi_label" (a set of labels)."""
        return self.load().description["task"]["kind"]

    def dataset(self):
        """The dataset the model was trained on (for its test split): its directory is in the
        checkpoint's ``dataset.json`` (a bundle records none); None when it was a class of the
        user's own, or its files are gone or unknown (an exported bundle; ChnSentiCorp is then
        the home copy)."""
        from paddlehub_lite.dataset import dataset_from_description
        description = self.load().description["dataset"]
        if description is None:
            return None
        recorded = os.path.join(self.checkpoint_dir, bundle.DATASET_FILE)   # a checkpoint's
        if "base_path" not in description and os.path.isfile(recorded):
            with open(recorded, encoding="utf-8") as handle:
                description = dict(description, base_path=json.load(handle).get("base_path"))
        base = description.get("base_path")
        if description["class"] != "ChnSentiCorp" and not (base and os.path.isdir(base)):
            return None
        return dataset_from_description(description)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """[len(texts), num_labels] probabilities, in input order."""
        if isinstance(texts, (str, bytes)):
            raise TypeError("texts must be a list of texts, got a single %s: wrap it as [text]"
                            % type(texts).__name__)
        self.load()
        samples = self.reader.get_samples("predict", list(texts))
        if not samples:
            return np.zeros((0, len(self.labels)), "float32")
        max_len = self.max_len

        def run(indices):
            return self.ids_probabilities(batching.pad_ids([samples[i][0] for i in indices],
                                                           self.pad_id, max_len))

        return batching.in_length_order([len(s[0]) for s in samples], self.batch_size, run)

    @property
    def max_len(self) -> int:
        """The most words of a text the model reads (the rest is cut)."""
        self.load()
        return min([m.max_seq_len for m in self.modules] or [self.reader.max_seq_len])

    def explain(self, texts: Sequence[str]) -> List[Dict]:
        """``predict``'s results with each word's contribution to the label
        (``deploy/explain.py``: occlusion with ``<UNK>``)."""
        from paddlehub_lite.deploy.explain import explain
        return explain(self, texts)

    @property
    def pad_id(self) -> int:
        """The padding id of the word ids."""
        self.load()
        return self.modules[0].pad_id if self.modules else 0

    def ids_probabilities(self, ids: np.ndarray) -> np.ndarray:
        """[B, num_labels] probabilities of a padded int64 [B, T] batch of word ids."""
        self.load()
        feed = {name: ids for name in self.description["feed_names"]}
        for module in self.modules:
            feed.update(module.feed(ids, self.num_threads))
        return self.predictor(feed)

    def predict(self, texts: Sequence[str]) -> List[Dict]:
        """One result per text, in input order: ``{"label", "probabilities": {label: p}}``
        (multi-label models: ``{"labels": [...], "probabilities": ...}``)."""
        probs = self.probabilities(texts)
        if self.kind == "multi_label":
            return label_set_results(probs, self.labels,
                                     self.description["task"].get("threshold", 0.5))
        return label_results(probs, self.labels)


def _restore_module(description: Dict):
    """A format-1 bundle's module (no exported feature network): opened by the module system."""
    from paddlehub_lite.module.inputs import restore
    return restore(description)
