"""Classification metrics over a whole phase: acc, f1, precision, recall, matthews.

Binary tasks score the positive class 1, as PaddleHub did; with more classes f1, precision and
recall are macro averages and matthews is the multiclass MCC (Gorodkin's R_K).
"""
from typing import Dict, List

import numpy as np

METRICS = ("acc", "f1", "precision", "recall", "matthews")
# Multi-label: auc, f1, precision and recall are macro averages over the labels (f1 & co. at
# probability 0.5); acc is the share of examples whose whole label set is right.
MULTI_LABEL_METRICS = ("auc", "f1", "precision", "recall", "acc")


def check_metrics(choices, allowed=METRICS) -> List[str]:
    if choices == "default":
        return [allowed[0]]
    if isinstance(choices, str):
        choices = [choices]
    for metric in choices:
        if metric not in allowed:
            raise ValueError('Not Support Metric: "%s"' % metric)
    if not choices:
        raise ValueError("metrics_choices is empty")
    return list(choices)


def _prf(labels: np.ndarray, preds: np.ndarray, cls: int):
    return prf(float(np.sum((preds == cls) & (labels == cls))),
               float(np.sum((preds == cls) & (labels != cls))),
               float(np.sum((preds != cls) & (labels == cls))))


def prf(tp: float, fp: float, fn: float):
    """(precision, recall, f1) from counts; 0 where a denominator is 0."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def roc_auc(truth: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve of 0/1 ``truth`` ranked by ``scores`` (ties share their mean
    rank, Mann-Whitney); NaN when only one class is present."""
    truth = np.asarray(truth).reshape(-1).astype(bool)
    scores = np.asarray(scores, dtype="float64").reshape(-1)
    positives, negatives = int(truth.sum()), int((~truth).sum())
    if not positives or not negatives:
        return float("nan")
    values, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    upper = np.cumsum(counts)
    mean_rank = upper - (counts - 1) / 2.0                 # 1-based average rank of each value
    rank_sum = mean_rank[inverse][truth].sum()
    return float((rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives))


def multi_label_scores(truth: np.ndarray, probs: np.ndarray,
                       threshold: float = 0.5) -> Dict[str, np.ndarray]:
    """Per-label precision, recall, f1 (a label predicted at ``threshold``, default 0.5) and
    auc of [n, L] 0/1 ``truth``."""
    truth = np.asarray(truth) > 0.5
    preds = np.asarray(probs) >= threshold
    rows = [_prf(truth[:, j].astype(int), preds[:, j].astype(int), 1)
            for j in range(truth.shape[1])]
    return {"precision": np.array([r[0] for r in rows]), "recall": np.array([r[1] for r in rows]),
            "f1": np.array([r[2] for r in rows]),
            "auc": np.array([roc_auc(truth[:, j], probs[:, j]) for j in range(truth.shape[1])])}


def compute_multi_label(choices: List[str], truth: np.ndarray, probs: np.ndarray,
                        threshold: float = 0.5) -> Dict[str, float]:
    """``MULTI_LABEL_METRICS`` of [n, L] 0/1 ``truth`` and probabilities, a label predicted
    at ``threshold`` (a label whose AUC is undefined on this split, all 0 or all 1, is left
    out of the auc average)."""
    per_label = multi_label_scores(truth, probs, threshold)
    exact = np.all((np.asarray(truth) > 0.5) == (np.asarray(probs) >= threshold), axis=1)
    values = {k: float(np.nanmean(v)) if not np.all(np.isnan(v)) else 0.0
              for k, v in per_label.items()}
    values["acc"] = float(np.mean(exact)) if len(exact) else 0.0
    return {metric: values[metric] for metric in choices}


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
