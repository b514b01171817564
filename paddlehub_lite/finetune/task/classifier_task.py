"""``ClassifierTask`` and ``TextClassifierTask`` (PaddleHub 1.x signatures).

Layers: optional fc(n, relu) layers (``hidden_units``), then fc(num_classes) named
``cls_out_w`` (truncated normal, std 0.02) / ``cls_out_b`` (zeros); what follows the logits
(probabilities, loss, labels, metrics, report, results) is the task's head
(``finetune/heads.py``: a softmax here). ``TextClassifierTask`` first applies dropout 0.1 to
the feature.
"""
from typing import Dict, List, Optional

import numpy as np
import paddle
import paddle.nn.functional as F

from paddlehub_lite.finetune.heads import LABEL_NAME, SoftmaxHead
from paddlehub_lite.finetune.task.base_task import BaseTask
from paddlehub_lite.finetune.task.run_state import RunState


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
        self.head = self.make_head(num_classes, class_weights)
        super().__init__(feed_list=feed_list, data_reader=data_reader,
                         main_program=feature.block.program, startup_program=startup_program,
                         config=config, metrics_choices=metrics_choices,
                         module_inputs=module_inputs)
        self.feature = feature
        self.num_classes = num_classes
        self.hidden_units = list(hidden_units or [])
        self.class_weights = class_weights
        self.label_name = LABEL_NAME
        self.loss_scale_name = "@loss_scale"
        self.logits = self.loss = self.mean_loss = None     # built by _build

    @property
    def allowed_metrics(self):
        return self.head.allowed_metrics

    @staticmethod
    def make_head(num_classes: int, class_weights=None):
        """The task's head (checks its arguments)."""
        return SoftmaxHead(num_classes, class_weights)

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
        return [self.head.probabilities(self.logits)]

    def _add_label_and_loss(self, outputs) -> None:
        per_example = self.head.per_example_loss(
            self.logits, lambda: [s[1] for s in self.data_reader.get_samples("train")])
        scale = paddle.static.data(self.loss_scale_name, [1], "float32")
        self.mean_loss = paddle.mean(per_example)
        # Sum over this process's examples / the global batch size: summing the gradients of
        # all processes gives exactly the mean-loss gradient of the global batch.
        self.loss = paddle.sum(per_example) * scale

    def _label_feed(self, samples, indices) -> Dict[str, np.ndarray]:
        return self.head.label_feed(samples, indices)

    def compute_metrics(self, states: List[RunState]) -> Dict[str, float]:
        return self.head.metrics(self.metrics_choices, states)

    def _report(self, phase: str, states: List[RunState]) -> None:
        self.head.report(phase, states, self.label_names(), self.checkpoint_dir, self.log,
                         self.vdl, self.global_step)

    def label_names(self) -> List[str]:
        """The class names: the dataset's labels, or "0".."n-1" without a dataset."""
        dataset = self.data_reader.dataset
        return (list(dataset.get_labels()) if dataset is not None
                else [str(i) for i in range(self.num_classes)])

    def task_description(self) -> Dict:
        return self.head.description(self.label_names())

    def _postprocess(self, states: List[RunState]) -> List[Dict]:
        return self.head.results(np.concatenate([s.run_results[0] for s in states]),
                                 self.label_names())


class TextClassifierTask(ClassifierTask):
    __doc__ = ("Text classification: ``ClassifierTask`` with dropout 0.1 on the feature, as in "
               "PaddleHub 1.x.\n" + ClassifierTask.__doc__.split("\n", 1)[1])

    dropout = 0.1


ImageClassifierTask = ClassifierTask
