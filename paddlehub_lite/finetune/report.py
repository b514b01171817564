"""The evaluation report of a classifier: per-class precision, recall and F1 with their support,
macro and micro averages, accuracy and the confusion matrix (rows: true label, columns:
predicted), as JSON (``checkpoint_dir/report_<phase>.json``) and as a readable table.

Micro averages pool every decision: for single-label classification micro P = R = F1 =
accuracy. A class that is never predicted has precision 0 (scikit-learn's zero_division=0).
"""
from typing import Dict, List

import numpy as np

from paddlehub_lite.finetune.metrics import multi_label_scores, prf


def classification_report(labels: np.ndarray, probs: np.ndarray,
                          label_names: List[str]) -> Dict:
    """The report of true class indices ``labels`` [n] against [n, num_classes] ``probs``."""
    labels = np.asarray(labels).reshape(-1)
    preds = np.asarray(probs).argmax(axis=1)
    n = len(label_names)
    confusion = np.zeros((n, n), dtype="int64")
    np.add.at(confusion, (labels, preds), 1)
    per_class = []
    for c, name in enumerate(label_names):
        tp = float(confusion[c, c])
        precision, recall, f1 = prf(tp, float(confusion[:, c].sum()) - tp,
                                     float(confusion[c, :].sum()) - tp)
        per_class.append({"label": name, "precision": precision, "recall": recall, "f1": f1,
                          "support": int(confusion[c, :].sum())})
    tp = float(np.trace(confusion))
    micro = prf(tp, float(confusion.sum()) - tp, float(confusion.sum()) - tp)
    return {
        "labels": list(label_names),
        "per_class": per_class,
        "macro": {k: float(np.mean([row[k] for row in per_class]))
                  for k in ("precision", "recall", "f1")},
        "micro": dict(zip(("precision", "recall", "f1"), micro)),
        "accuracy": tp / len(labels) if len(labels) else 0.0,
        "support": int(len(labels)),
        "confusion_matrix": confusion.tolist(),
    }


def format_report(report: Dict) -> str:
    """The report as a fixed-width table, then the confusion matrix."""
    names = report["labels"]
    width = max([len(x) for x in names] + [12])
    lines = ["%*s %9s %9s %9s %9s" % (width, "", "precision", "recall", "f1", "support")]
    for row in report["per_class"]:
        lines.append("%*s %9.4f %9.4f %9.4f %9d" % (width, row["label"], row["precision"],
                                                    row["recall"], row["f1"], row["support"]))
    for kind in ("macro", "micro"):
        avg = report[kind]
        lines.append("%*s %9.4f %9.4f %9.4f %9d" % (width, kind + " avg", avg["precision"],
                                                    avg["recall"], avg["f1"],
                                                    report["support"]))
    lines.append("%*s %29.4f %9d" % (width, "accuracy", report["accuracy"], report["support"]))
    lines.append("confusion matrix (rows: true, columns: predicted):")
    cell = max([len(x) for x in names] + [len(str(report["support"]))]) + 1
    lines.append("%*s " % (width, "") + "".join("%*s" % (cell, x) for x in names))
    for name, row in zip(names, report["confusion_matrix"]):
        lines.append("%*s " % (width, name) + "".join("%*d" % (cell, v) for v in row))
    return "\n".join(lines)


def multi_label_report(truth: np.ndarray, probs: np.ndarray, label_names: List[str],
                       threshold: float = 0.5) -> Dict:
    """Per label: precision, recall, f1 (a label predicted at ``threshold``), ROC AUC (None
    when the split has one class only) and support (examples with the label); macro averages;
    micro P/R/F1 over every (example, label) decision; the exact-match accuracy."""
    truth = np.asarray(truth) > 0.5
    preds = np.asarray(probs) >= threshold
    scores = multi_label_scores(truth, probs, threshold)
    per_label = []
    for j, name in enumerate(label_names):
        auc = scores["auc"][j]
        per_label.append({"label": name, "precision": float(scores["precision"][j]),
                          "recall": float(scores["recall"][j]), "f1": float(scores["f1"][j]),
                          "auc": None if np.isnan(auc) else float(auc),
                          "support": int(truth[:, j].sum())})
    tp = float(np.sum(preds & truth))
    micro = prf(tp, float(np.sum(preds & ~truth)), float(np.sum(~preds & truth)))
    aucs = [row["auc"] for row in per_label if row["auc"] is not None]
    return {
        "labels": list(label_names),
        "per_label": per_label,
        "macro": dict({k: float(np.mean([row[k] for row in per_label]))
                       for k in ("precision", "recall", "f1")},
                      auc=float(np.mean(aucs)) if aucs else None),
        "micro": dict(zip(("precision", "recall", "f1"), micro)),
        "exact_match": float(np.mean(np.all(preds == truth, axis=1))) if len(truth) else 0.0,
        "examples": int(len(truth)),
    }


def format_multi_label_report(report: Dict) -> str:
    """A multi-label report as a fixed-width table."""
    width = max([len(x) for x in report["labels"]] + [12])
    auc = lambda v: "%9s" % "-" if v is None else "%9.4f" % v  # noqa: E731
    lines = ["%*s %9s %9s %9s %9s %9s" % (width, "", "precision", "recall", "f1", "auc",
                                          "support")]
    for row in report["per_label"]:
        lines.append("%*s %9.4f %9.4f %9.4f %s %9d" % (width, row["label"], row["precision"],
                                                       row["recall"], row["f1"], auc(row["auc"]),
                                                       row["support"]))
    macro, micro = report["macro"], report["micro"]
    lines.append("%*s %9.4f %9.4f %9.4f %s" % (width, "macro avg", macro["precision"],
                                               macro["recall"], macro["f1"], auc(macro["auc"])))
    lines.append("%*s %9.4f %9.4f %9.4f" % (width, "micro avg", micro["precision"],
                                            micro["recall"], micro["f1"]))
    lines.append("%*s %29.4f %19d" % (width, "exact match", report["exact_match"],
                                      report["examples"]))
    return "\n".join(lines)
