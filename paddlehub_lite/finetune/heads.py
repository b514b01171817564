"""Heads: what differs between classification tasks, after the task's output layer's logits.
A head owns the probabilities, the label input and its feed, the loss, the metrics, the
evaluation report, the result of a prediction and the bundle's ``kind``; the task (layers,
programs, training) is the same for every head.

- ``SoftmaxHead``: one label per text (``ClassifierTask``, ``TextClassifierTask``).
- ``SigmoidHead``: any number of labels per text (``MultiLabelClassifierTask``).
"""
import json
import os
from typing import Callable, Dict, List, Optional

import numpy as np
import paddle
import paddle.nn.functional as F

from paddlehub_lite.finetune import metrics as metric_lib, report
from paddlehub_lite.finetune.results import label_results, label_set_results
from paddlehub_lite.utils.atomic import atomic_file

LABEL_NAME = "label"


def _scores(states, compute) -> Dict[str, float]:
    """The batch-size-weighted mean loss of ``states`` and ``compute(truth, probs)``."""
    n = np.array([s.run_examples for s in states], dtype="float64")
    losses = np.array([float(s.run_results["loss"]) for s in states])
    probs = np.concatenate([s.run_results["probs"] for s in states])
    truth = np.concatenate([s.run_results["labels"] for s in states])
    scores = {"loss": float(np.sum(losses * n) / np.sum(n))}
    scores.update(compute(truth, probs))
    return scores


def _write_report(path: str, result: Dict, log, phase: str, text: str) -> None:
    with atomic_file(path, "w") as handle:
        json.dump(result, handle, indent=1, ensure_ascii=False)
    log.info("[%s dataset report] (%s)\n%s", phase, path, text)


class SoftmaxHead:
    """A softmax over the classes; cross-entropy loss.

    Args:
        num_classes: the number of classes (>= 2).
        class_weights: weights of the classes in the loss: ``num_classes`` positive numbers,
            or "balanced" (``n / (num_classes * n_c)`` from the training labels, as
            scikit-learn computes it); default None: every class 1. The loss is the weighted
            sum over the batch divided by the batch size.
    """

    kind = "classifier"
    allowed_metrics = metric_lib.METRICS

    def __init__(self, num_classes: int, class_weights=None):
        if num_classes < 2:
            raise ValueError("num_classes must be >= 2, got %r" % num_classes)
        if class_weights is not None and class_weights != "balanced":
            class_weights = [float(w) for w in class_weights]
            if len(class_weights) != num_classes or min(class_weights) <= 0:
                raise ValueError("class_weights must be 'balanced' or %d positive numbers, got "
                                 "%r" % (num_classes, class_weights))
        self.num_classes = num_classes
        self.class_weights = class_weights

    def probabilities(self, logits):
        return F.softmax(logits)

    def per_example_loss(self, logits, train_labels: Callable[[], np.ndarray]):
        """The label input and each example's loss (``train_labels()``: the training set's
        labels, read only for "balanced" weights)."""
        label = paddle.static.data(LABEL_NAME, [-1, 1], "int64")
        weights = self.class_weight_values(train_labels)
        return F.cross_entropy(logits, label, reduction="none",
                               weight=None if weights is None else paddle.assign(weights))

    def class_weight_values(self, train_labels) -> Optional[np.ndarray]:
        if self.class_weights is None:
            return None
        if self.class_weights == "balanced":
            labels = np.asarray(train_labels())
            counts = np.bincount(labels, minlength=self.num_classes).astype("float64")
            if (counts == 0).any():
                raise ValueError("class_weights='balanced': class(es) %s have no training "
                                 "example" % np.flatnonzero(counts == 0).tolist())
            return (len(labels) / (self.num_classes * counts)).astype("float32")
        return np.array(self.class_weights, dtype="float32")

    def label_feed(self, samples, indices) -> Dict[str, np.ndarray]:
        return {LABEL_NAME: np.array([[samples[i][1]] for i in indices], dtype="int64")}

    def metrics(self, choices: List[str], states) -> Dict[str, float]:
        return _scores(states, lambda truth, probs: metric_lib.compute(
            choices, truth.reshape(-1), probs.argmax(axis=1), self.num_classes))

    def report(self, phase: str, states, names: List[str], checkpoint_dir: str, log,
               vdl, step: int) -> None:
        probs = np.concatenate([s.run_results["probs"] for s in states])
        labels = np.concatenate([s.run_results["labels"] for s in states]).reshape(-1)
        result = report.classification_report(labels, probs, names)
        _write_report(os.path.join(checkpoint_dir, "report_%s.json" % phase), result, log,
                      phase, report.format_report(result))
        for c, name in enumerate(names):
            vdl.add_pr_curve("pr_curve_%s_%s" % (phase, name), labels == c, probs[:, c], step)

    def description(self, names: List[str]) -> Dict:
        return {"kind": self.kind, "labels": names}

    def results(self, probs: np.ndarray, names: List[str]) -> List[Dict]:
        return label_results(probs, names)


class SigmoidHead(SoftmaxHead):
    """A sigmoid per label; the binary cross-entropies of the labels summed per example.

    Args:
        num_classes: the number of labels.
        threshold: a label is predicted at this probability or above (default 0.5).
    """

    kind = "multi_label"
    allowed_metrics = metric_lib.MULTI_LABEL_METRICS

    def __init__(self, num_classes: int, threshold: float = 0.5):
        super().__init__(num_classes)
        if not 0.0 < threshold < 1.0:
            raise ValueError("threshold must be in (0, 1), got %r" % threshold)
        self.threshold = threshold

    def probabilities(self, logits):
        return F.sigmoid(logits)

    def per_example_loss(self, logits, train_labels):
        label = paddle.static.data(LABEL_NAME, [-1, self.num_classes], "float32")
        return paddle.sum(F.binary_cross_entropy_with_logits(logits, label, reduction="none"),
                          axis=1)

    def label_feed(self, samples, indices) -> Dict[str, np.ndarray]:
        return {LABEL_NAME: np.stack([samples[i][1] for i in indices]).astype("float32")}

    def metrics(self, choices: List[str], states) -> Dict[str, float]:
        return _scores(states, lambda truth, probs: metric_lib.compute_multi_label(
            choices, truth, probs, self.threshold))

    def report(self, phase, states, names, checkpoint_dir, log, vdl, step) -> None:
        probs = np.concatenate([s.run_results["probs"] for s in states])
        truth = np.concatenate([s.run_results["labels"] for s in states])
        result = report.multi_label_report(truth, probs, names, self.threshold)
        _write_report(os.path.join(checkpoint_dir, "report_%s.json" % phase), result, log,
                      phase, report.format_multi_label_report(result))
        for j, name in enumerate(names):
            vdl.add_pr_curve("pr_curve_%s_%s" % (phase, name), truth[:, j] > 0.5, probs[:, j],
                             step)

    def description(self, names: List[str]) -> Dict:
        return {"kind": self.kind, "labels": names, "threshold": self.threshold}

    def results(self, probs: np.ndarray, names: List[str]) -> List[Dict]:
        return label_set_results(probs, names, self.threshold)
