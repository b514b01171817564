import numpy as np
import pytest

from paddlehub_lite.finetune import metrics


def test_binary_metrics_against_hand_counts():
    labels = np.array([1, 1, 1, 0, 0, 0, 1, 0])
    preds = np.array([1, 1, 0, 0, 1, 0, 1, 0])
    # tp=3 fp=1 fn=1 tn=3
    got = metrics.compute(["acc", "f1", "precision", "recall", "matthews"], labels, preds, 2)
    assert got["acc"] == pytest.approx(6 / 8)
    assert got["precision"] == pytest.approx(3 / 4) and got["recall"] == pytest.approx(3 / 4)
    assert got["f1"] == pytest.approx(3 / 4)
    assert got["matthews"] == pytest.approx((3 * 3 - 1 * 1) / np.sqrt(4 * 4 * 4 * 4))
    assert list(got) == ["acc", "f1", "precision", "recall", "matthews"]


def test_degenerate_cases_and_choices():
    assert metrics.compute(["f1", "matthews"], np.zeros(4, int), np.zeros(4, int), 2) == {
        "f1": 0.0, "matthews": 0.0}
    assert metrics.check_metrics("default") == ["acc"]
    with pytest.raises(ValueError, match='Not Support Metric: "auc"'):
        metrics.check_metrics(["acc", "auc"])


def test_multiclass_is_macro_and_mcc_matches_binary_formula_for_two_classes():
    labels = np.array([0, 1, 2, 2, 1, 0])
    preds = np.array([0, 2, 2, 2, 1, 0])
    got = metrics.compute(["f1", "matthews"], labels, preds, 3)
    f1s = [1.0, 2 * 1 * 0.5 / 1.5, 2 * (2 / 3) * 1 / (5 / 3)]
    assert got["f1"] == pytest.approx(np.mean(f1s))
    lab2, pred2 = np.array([1, 1, 1, 0, 0, 0, 1, 0]), np.array([1, 1, 0, 0, 1, 0, 1, 0])
    assert metrics.matthews(lab2, pred2, 2) == pytest.approx(0.5)


def test_three_class_mcc_against_the_confusion_matrix_formula():
    labels = np.array([0, 1, 2, 2, 1, 0])
    preds = np.array([0, 2, 2, 2, 1, 0])
    # confusion (true x pred) = [[2,0,0],[0,1,1],[0,0,2]]: c=5, s=6, t=[2,2,2], p=[2,1,3]
    expected = (5 * 6 - (2 * 2 + 2 * 1 + 2 * 3)) / np.sqrt((36 - (4 + 1 + 9)) * (36 - 12))
    assert metrics.matthews(labels, preds, 3) == pytest.approx(expected)
    assert expected == pytest.approx(0.783349, abs=1e-6)


def test_precision_and_recall_are_not_swapped():
    labels = np.array([1, 1, 1, 0, 0, 0, 1, 0])
    preds = np.array([1, 1, 1, 1, 1, 0, 0, 0])      # tp=3 fp=2 fn=1 tn=2
    got = metrics.compute(["precision", "recall", "f1"], labels, preds, 2)
    assert got["precision"] == pytest.approx(3 / 5)
    assert got["recall"] == pytest.approx(3 / 4)
    assert got["f1"] == pytest.approx(2 * 0.6 * 0.75 / 1.35)
