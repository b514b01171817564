"""``MultiLabelClassifierTask``: any number of labels per text (PaddleHub 1.x had one).

Head: optional fc+relu layers, then fc(num_classes) (``cls_out_w`` / ``cls_out_b``) and a
sigmoid per label (PaddleHub 1.x's one 2-way softmax per label is the same model). Loss: the
binary cross-entropies of the labels summed per example, averaged over the batch. Metrics
(``finetune/metrics.py``): auc (default; macro over labels, picks the best model), f1,
precision, recall (macro, at probability 0.5) and acc (the whole label set right). Data:
``BaseNLPDataset(..., multi_label=True)``.
"""
import json
import os
from typing import Dict, List, Optional

import numpy as np
import paddle
import paddle.nn.functional as F

from paddlehub_lite.finetune import metrics as metric_lib, report
from paddlehub_lite.finetune.results import label_set_results
from paddlehub_lite.finetune.task.classifier_task import ClassifierTask
from paddlehub_lite.finetune.task.run_state import RunState
from paddlehub_lite.utils.atomic import atomic_file


class MultiLabelClassifierTask(ClassifierTask):
    """A sigmoid per label, for texts with any number of labels.

    Args:
        feature: the user's feature Value, e.g. the output of the GRU head.
        num_classes: the number of labels (``dataset.num_labels``).
        feed_list: names of the inputs the user feeds.
        data_reader: a reader over a ``BaseNLPDataset(..., multi_label=True)``.
        startup_program: where the user's layers' initialisers are (default: the default
            startup program).
        config: a ``RunConfig`` (default ``RunConfig()``).
        hidden_units: sizes of extra fc+relu layers before the output (default None).
        metrics_choices: "default" (``["auc"]``) or a list from auc, f1, precision, recall,
            acc (see the module docstring); the first picks the best model.
        module_inputs: the ``ModuleInputs`` of the program's modules (default None: those
            ``Module.context`` returned with the program; see ``module/inputs.py``).

    ``predict(return_result=True)`` gives ``{"labels": [...], "probabilities": {label: p}}``
    per text: the labels with probability >= 0.5, and every label's probability.
    """

    allowed_metrics = metric_lib.MULTI_LABEL_METRICS
    dropout = 0.1

    def __init__(self, feature, num_classes: int, feed_list: List[str], data_reader,
                 startup_program=None, config=None, hidden_units: Optional[List[int]] = None,
                 metrics_choices="default", module_inputs=None):
        super().__init__(feature, num_classes, feed_list, data_reader,
                         startup_program=startup_program, config=config,
                         hidden_units=hidden_units, metrics_choices=metrics_choices,
                         module_inputs=module_inputs)

    def _build_net(self, feature):
        super()._build_net(feature)       # hidden layers and the output fc: self.logits
        return [F.sigmoid(self.logits)]

    def _add_label_and_loss(self, outputs) -> None:
        self.label_name = "label"
        self.loss_scale_name = "@loss_scale"
        label = paddle.static.data(self.label_name, [-1, self.num_classes], "float32")
        scale = paddle.static.data(self.loss_scale_name, [1], "float32")
        per_example = paddle.sum(F.binary_cross_entropy_with_logits(
            self.logits, label, reduction="none"), axis=1)
        self.mean_loss = paddle.mean(per_example)
        self.loss = paddle.sum(per_example) * scale

    def _label_feed(self, samples, indices) -> Dict[str, np.ndarray]:
        return {self.label_name: np.stack([samples[i][1] for i in indices]).astype("float32")}

    def _truth_and_probs(self, states: List[RunState]):
        probs = np.concatenate([s.run_results["probs"] for s in states])
        truth = np.concatenate([s.run_results["labels"] for s in states])
        return truth, probs

    def compute_metrics(self, states: List[RunState]) -> Dict[str, float]:
        n = np.array([s.run_examples for s in states], dtype="float64")
        losses = np.array([float(s.run_results["loss"]) for s in states])
        truth, probs = self._truth_and_probs(states)
        scores = {"loss": float(np.sum(losses * n) / np.sum(n))}
        scores.update(metric_lib.compute_multi_label(self.metrics_choices, truth, probs))
        return scores

    def _report(self, phase: str, states: List[RunState]) -> None:
        truth, probs = self._truth_and_probs(states)
        result = report.multi_label_report(truth, probs, self.label_names())
        path = os.path.join(self.checkpoint_dir, "report_%s.json" % phase)
        with atomic_file(path, "w") as handle:
            json.dump(result, handle, indent=1, ensure_ascii=False)
        self.log.info("[%s dataset report] (%s)\n%s", phase, path,
                      report.format_multi_label_report(result))
        for j, name in enumerate(self.label_names()):
            self.vdl.add_pr_curve("pr_curve_%s_%s" % (phase, name), truth[:, j] > 0.5,
                                  probs[:, j], self.global_step)

    def _task_description(self) -> Dict:
        return {"kind": "multi_label", "labels": self.label_names(), "threshold": 0.5}

    def _postprocess(self, states: List[RunState]) -> List[Dict]:
        return label_set_results(np.concatenate([s.run_results[0] for s in states]),
                                 self.label_names())
