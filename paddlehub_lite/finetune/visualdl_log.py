"""VisualDL scalars of a task, under ``checkpoint_dir/vdllog``.

Tags (x = the global training step): ``Loss_train``, ``<metric>_train`` (averages over the last
``log_interval`` steps), ``learning_rate``, ``Loss_dev`` / ``<metric>_dev`` at every evaluation,
and ``Loss_test`` / ``<metric>_test`` for the final test of the best model; classifiers add
a precision-recall curve per class for every evaluation of the best model,
``pr_curve_<phase>_<label>``. View them with
``visualdl --logdir <checkpoint_dir>/vdllog --language en``.
"""
import os
from typing import Dict

import numpy as np


class ScalarLog:
    """A lazily created VisualDL ``LogWriter`` (created only by the process that logs)."""

    def __init__(self, logdir: str, enabled: bool = True):
        self.logdir = logdir
        self.enabled = enabled
        self._writer = None

    def _open(self):
        if self._writer is None:
            from visualdl import LogWriter
            os.makedirs(self.logdir, exist_ok=True)
            self._writer = LogWriter(logdir=self.logdir)
        return self._writer

    def add_pr_curve(self, tag: str, labels: np.ndarray, scores: np.ndarray, step: int,
                     num_thresholds: int = 101) -> None:
        """A precision-recall curve: ``labels`` 0/1 (is this the class), ``scores`` its
        probability. VisualDL 2.5.3's own ``add_pr_curve`` calls ``np.float``, which NumPy 2
        removed; the same buckets are computed here (``pr_curve_data``) and written with
        VisualDL's ``pr_curve_raw`` record."""
        if not self.enabled:
            return
        import time
        from visualdl.component.base_component import pr_curve_raw
        data = pr_curve_data(labels, scores, num_thresholds)
        self._open()._get_file_writer().add_record(
            pr_curve_raw(tag=tag, step=step, walltime=int(time.time() * 1000), **data))
        self._writer.flush()

    def add(self, phase: str, values: Dict[str, float], step: int) -> None:
        if not self.enabled:
            return
        self._open()
        for name, value in values.items():
            tag = name if name == "learning_rate" else "%s_%s" % (
                "Loss" if name == "loss" else name, phase)
            self._writer.add_scalar(tag=tag, step=step, value=float(value))
        self._writer.flush()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def pr_curve_data(labels: np.ndarray, scores: np.ndarray, num_thresholds: int = 101) -> Dict:
    """tp/fp/tn/fn/precision/recall at ``num_thresholds`` evenly spaced thresholds in [0, 1]
    (threshold i counts a score >= i / (num_thresholds - 1) as positive), as VisualDL does."""
    labels = np.asarray(labels, dtype="float64").reshape(-1)
    buckets = np.floor(np.asarray(scores, dtype="float64").reshape(-1)
                       * (num_thresholds - 1)).astype("int64")
    tp_buckets = np.bincount(buckets, weights=labels, minlength=num_thresholds)
    fp_buckets = np.bincount(buckets, weights=1.0 - labels, minlength=num_thresholds)
    tp = np.cumsum(tp_buckets[::-1])[::-1]
    fp = np.cumsum(fp_buckets[::-1])[::-1]
    tn, fn = fp[0] - fp, tp[0] - tp
    return {"tp": tp.astype(int).tolist(), "fp": fp.astype(int).tolist(),
            "tn": tn.astype(int).tolist(), "fn": fn.astype(int).tolist(),
            "precision": (tp / np.maximum(1e-7, tp + fp)).tolist(),
            "recall": (tp / np.maximum(1e-7, tp + fn)).tolist()}
