"""``ClassifierTask`` and ``TextClassifierTask`` (PaddleHub 1.x signatures).

Head: optional fc(n, relu) layers (``hidden_units``), then fc(num_classes) named
``cls_out_w`` (truncated normal, std 0.02) / ``cls_out_b`` (zeros) and a softmax.
``TextClassifierTask`` first applies dropout 0.1 to the feature. Loss: mean cross-entropy.
"""
import json
import os
from typing import Dict, List, Optional

import numpy as np
import paddle
import paddle.nn.functional as F

from paddlehub_lite.finetune import metrics as metric_lib, report
from paddlehub_lite.finetune.results import label_results
from paddlehub_lite.finetune.task.base_task import BaseTask
from paddlehub_lite.finetune.task.run_state import RunState
from paddlehub_lite.utils.atomic import atomic_file


class ClassifierTask(BaseTask):
    """Classification on a [batch, dim] feature.

    Args:
        feature: the user's feature Value, e.g. the output of the GRU head.
        num_classes: number of classes (``dataset.num_labels``).
        feed_list: names of the inputs the user feeds.
        data_reader: a reader with ``get_samples`` (``LACClassifyReader``).
        startup_program: where the user's layers' initialisers are (default: the default
            startup program).
        config: a ``RunConfig`` (default ``RunConfig()``).
        hidden_units: sizes of extra fc+relu layers before the output (default None).
        metrics_choices: "default" (``["acc"]``) or a list from acc, f1, precision, recall,
            matthews; the first picks the best model.
        module_inputs: the ``ModuleInputs`` of the program's modules (default None: those
            ``Module.context`` returned with the program; see ``module/inputs.py``).
        class_weights: weights of the classes in the loss: a list of ``num_classes`` positive
            numbers, or "balanced" (``n / (num_classes * n_c)`` from the training labels, as
            scikit-learn computes it); default None: every class 1. The loss is the
            weighted sum over the batch divided by the batch size.
    """

    dropout = 0.0

    def __init__(self, feature, num_classes: int, feed_list: List[str], data_reader,
                 startup_program=None, config=None, hidden_units: Optional[List[int]] = None,
                 metrics_choices="default", module_inputs=None, class_weights=None):
        if num_classes < 2:
            raise ValueError("num_classes must be >= 2, got %r" % num_classes)
        if class_weights is not None and class_weights != "balanced":
            class_weights = [float(w) for w in class_weights]
            if len(class_weights) != num_classes or min(class_weights) <= 0:
                raise ValueError("class_weights must be 'balanced' or %d positive numbers, got %r"
                                 % (num_classes, class_weights))
        super().__init__(feed_list=feed_list, data_reader=data_reader,
                         main_program=feature.block.program, startup_program=startup_program,
                         config=config, metrics_choices=metrics_choices,
                         module_inputs=module_inputs)
        self.feature = feature
        self.num_classes = num_classes
        self.hidden_units = list(hidden_units or [])
        self.class_weights = class_weights

    def _build_net(self, feature):
        x = feature
        if self.dropout:
            x = F.dropout(x, p=self.dropout, mode="upscale_in_train")
        for i, units in enumerate(self.hidden_units):
            layer = paddle.nn.Linear(x.shape[-1], units,
                                     weight_attr=paddle.ParamAttr(name="cls_hidden_%d_w" % i),
                                     bias_attr=paddle.ParamAttr(name="cls_hidden_%d_b" % i))
            x = F.relu(layer(x))
        out = paddle.nn.Linear(
            x.shape[-1], self.num_classes,
            weight_attr=paddle.ParamAttr(
                name="cls_out_w", initializer=paddle.nn.initializer.TruncatedNormal(std=0.02)),
            bias_attr=paddle.ParamAttr(name="cls_out_b",
                                       initializer=paddle.nn.initializer.Constant(0.0)))
        self.logits = out(x)
        return [F.softmax(self.logits)]

    def _add_label_and_loss(self, outputs) -> None:
        self.label_name = "label"
        self.loss_scale_name = "@loss_scale"
        label = paddle.static.data(self.label_name, [-1, 1], "int64")
        scale = paddle.static.data(self.loss_scale_name, [1], "float32")
        weights = self._class_weight_values()
        per_example = F.cross_entropy(
            self.logits, label, reduction="none",
            weight=None if weights is None else paddle.assign(weights))
        self.mean_loss = paddle.mean(per_example)
        # Sum over this process's examples / the global batch size: summing the gradients of
        # all processes gives exactly the mean-loss gradient of the global batch.
        self.loss = paddle.sum(per_example) * scale

    def _class_weight_values(self) -> Optional[np.ndarray]:
        if self.class_weights is None:
            return None
        if self.class_weights == "balanced":
            labels = np.array([s[1] for s in self.data_reader.get_samples("train")])
            counts = np.bincount(labels, minlength=self.num_classes).astype("float64")
            if (counts == 0).any():
                raise ValueError("class_weights='balanced': class(es) %s have no training "
                                 "example" % np.flatnonzero(counts == 0).tolist())
            return (len(labels) / (self.num_classes * counts)).astype("float32")
        return np.array(self.class_weights, dtype="float32")

    def _label_feed(self, samples, indices) -> Dict[str, np.ndarray]:
        return {self.label_name: np.array([[samples[i][1]] for i in indices], dtype="int64")}

    def compute_metrics(self, states: List[RunState]) -> Dict[str, float]:
        n = np.array([s.run_examples for s in states], dtype="float64")
        losses = np.array([float(s.run_results["loss"]) for s in states])
        probs = np.concatenate([s.run_results["probs"] for s in states])
        labels = np.concatenate([s.run_results["labels"] for s in states]).reshape(-1)
        scores = {"loss": float(np.sum(losses * n) / np.sum(n))}
        scores.update(metric_lib.compute(self.metrics_choices, labels, probs.argmax(axis=1),
                                         self.num_classes))
        return scores

    def _report(self, phase: str, states: List[RunState]) -> None:
        probs = np.concatenate([s.run_results["probs"] for s in states])
        labels = np.concatenate([s.run_results["labels"] for s in states]).reshape(-1)
        names = self.label_names()
        result = report.classification_report(labels, probs, names)
        path = os.path.join(self.checkpoint_dir, "report_%s.json" % phase)
        with atomic_file(path, "w") as handle:
            json.dump(result, handle, indent=1, ensure_ascii=False)
        self.log.info("[%s dataset report] (%s)\n%s", phase, path, report.format_report(result))
        for c, name in enumerate(names):
            self.vdl.add_pr_curve("pr_curve_%s_%s" % (phase, name), labels == c, probs[:, c],
                                  self.global_step)

    def label_names(self) -> List[str]:
        """The class names: the dataset's labels, or "0".."n-1" without a dataset."""
        dataset = self.data_reader.dataset
        return (list(dataset.get_labels()) if dataset is not None
                else [str(i) for i in range(self.num_classes)])

    def _task_description(self) -> Dict:
        return {"kind": "classifier", "labels": self.label_names()}

    def _postprocess(self, states: List[RunState]) -> List[Dict]:
        return label_results(np.concatenate([s.run_results[0] for s in states]),
                             self.label_names())


class TextClassifierTask(ClassifierTask):
    __doc__ = ("Text classification: ``ClassifierTask`` with dropout 0.1 on the feature, as in "
               "PaddleHub 1.x.\n" + ClassifierTask.__doc__.split("\n", 1)[1])

    dropout = 0.1


ImageClassifierTask = ClassifierTask
