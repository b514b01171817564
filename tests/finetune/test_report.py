import numpy as np
import pytest

from paddlehub_lite.finetune.report import classification_report, format_report
from paddlehub_lite.finetune.visualdl_log import pr_curve_data


def test_three_class_report_by_hand():
    labels = np.array([0, 0, 0, 1, 1, 2])
    preds = np.array([0, 0, 1, 1, 2, 2])             # never mistakes of class 0 for 2
    probs = np.eye(3)[preds] * 0.8 + 0.2 / 3
    report = classification_report(labels, probs, ["neg", "neu", "pos"])
    assert report["confusion_matrix"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    neg, neu, pos = report["per_class"]
    assert (neg["precision"], neg["recall"], neg["support"]) == (1.0, pytest.approx(2 / 3), 3)
    assert (neu["precision"], neu["recall"]) == (0.5, 0.5)
    assert (pos["precision"], pos["recall"], pos["f1"]) == (0.5, 1.0, pytest.approx(2 / 3))
    assert report["accuracy"] == pytest.approx(4 / 6) == report["micro"]["f1"]
    assert report["macro"]["recall"] == pytest.approx((2 / 3 + 0.5 + 1.0) / 3)
    table = format_report(report)
    assert "macro avg" in table and "neu" in table.splitlines()[-2]


def test_never_predicted_class_has_zero_precision():
    report = classification_report(np.array([0, 1]), np.array([[0.9, 0.1], [0.8, 0.2]]),
                                   ["a", "b"])
    assert report["per_class"][1] == {"label": "b", "precision": 0.0, "recall": 0.0, "f1": 0.0,
                                      "support": 1}


def test_pr_curve_data_matches_brute_force():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    scores = np.clip(labels * 0.3 + rng.random(200) * 0.7, 0, 1)
    data = pr_curve_data(labels, scores, num_thresholds=11)
    for i in range(11):
        predicted = np.floor(scores * 10) >= i
        assert data["tp"][i] == np.sum(predicted & (labels == 1))
        assert data["fp"][i] == np.sum(predicted & (labels == 0))
        assert data["fn"][i] == np.sum(~predicted & (labels == 1))
        assert data["tn"][i] == np.sum(~predicted & (labels == 0))
