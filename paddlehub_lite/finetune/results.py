"""What a prediction returns per text, shared by the tasks (``predict(return_result=True)``)
and deployment (``TextClassifier.predict``, ``hub-lite predict/run/serve``): one formatting of
probabilities into labels."""
from typing import Dict, List

import numpy as np


def label_results(probs: np.ndarray, labels: List[str]) -> List[Dict]:
    """One ``{"label": str, "probabilities": {label: float}}`` per row of a
    [n, num_classes] probability array: the most probable label and every label's
    probability, in class order."""
    results = []
    for row in np.asarray(probs, dtype="float64"):
        results.append({"label": labels[int(np.argmax(row))],
                        "probabilities": {label: float(p) for label, p in zip(labels, row)}})
    return results


def label_set_results(probs: np.ndarray, labels: List[str], threshold: float = 0.5
                      ) -> List[Dict]:
    """One ``{"labels": [...], "probabilities": {label: float}}`` per row of [n, L]
    probabilities: the labels with probability >= ``threshold``, in label order."""
    results = []
    for row in np.asarray(probs, dtype="float64"):
        results.append({"labels": [name for name, p in zip(labels, row) if p >= threshold],
                        "probabilities": {name: float(p) for name, p in zip(labels, row)}})
    return results
