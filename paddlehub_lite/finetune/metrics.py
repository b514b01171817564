"""Classification metrics over a whole phase: acc, f1, precision, recall, matthews.

Binary tasks score the positive class 1, as PaddleHub did; with more classes f1, precision and
recall are macro averages and matthews is the multiclass MCC (Gorodkin's R_K).
"""
from typing import Dict, List

import numpy as np

METRICS = ("acc", "f1", "precision", "recall", "matthews")


def check_metrics(choices) -> List[str]:
    if choices == "default":
        return ["acc"]
    if isinstance(choices, str):
        choices = [choices]
    for metric in choices:
        if metric not in METRICS:
            raise ValueError('Not Support Metric: "%s"' % metric)
    if not choices:
        raise ValueError("metrics_choices is empty")
    return list(choices)


def _prf(labels: np.ndarray, preds: np.ndarray, cls: int):
    tp = float(np.sum((preds == cls) & (labels == cls)))
    fp = float(np.sum((preds == cls) & (labels != cls)))
    fn = float(np.sum((preds != cls) & (labels == cls)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def matthews(labels: np.ndarray, preds: np.ndarray, num_classes: int) -> float:
    confusion = np.zeros((num_classes, num_classes), dtype="float64")
    np.add.at(confusion, (labels, preds), 1)
    t, p = confusion.sum(axis=1), confusion.sum(axis=0)
    c, s = np.trace(confusion), confusion.sum()
    denom = np.sqrt((s * s - np.dot(p, p)) * (s * s - np.dot(t, t)))
    return float((c * s - np.dot(t, p)) / denom) if denom else 0.0


def compute(choices: List[str], labels: np.ndarray, preds: np.ndarray,
            num_classes: int) -> Dict[str, float]:
    labels, preds = np.asarray(labels).reshape(-1), np.asarray(preds).reshape(-1)
    result = {}
    if num_classes == 2:
        precision, recall, f1 = _prf(labels, preds, 1)
    else:
        per_class = [_prf(labels, preds, c) for c in range(num_classes)]
        precision, recall, f1 = (float(np.mean([x[i] for x in per_class])) for i in range(3))
    values = {"acc": float(np.mean(labels == preds)) if len(labels) else 0.0,
              "precision": precision, "recall": recall, "f1": f1}
    for metric in choices:
        result[metric] = (matthews(labels, preds, num_classes) if metric == "matthews"
                          else values[metric])
    return result
