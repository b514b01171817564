"""``MultiLabelClassifierTask``: any number of labels per text (PaddleHub 1.x had one).

``ClassifierTask``'s layers with ``finetune/heads.py``'s ``SigmoidHead``: a sigmoid per label
(PaddleHub 1.x's one 2-way softmax per label is the same model). Loss: the binary
cross-entropies of the labels summed per example, averaged over the batch. Metrics
(``finetune/metrics.py``): auc (default; macro over labels, picks the best model), f1,
precision, recall (macro, at probability 0.5) and acc (the whole label set right). Data:
``BaseNLPDataset(..., multi_label=True)``.
"""
from typing import List, Optional

from paddlehub_lite.finetune.heads import SigmoidHead
from paddlehub_lite.finetune.task.classifier_task import ClassifierTask


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

    dropout = 0.1

    def __init__(self, feature, num_classes: int, feed_list: List[str], data_reader,
                 startup_program=None, config=None, hidden_units: Optional[List[int]] = None,
                 metrics_choices="default", module_inputs=None):
        super().__init__(feature, num_classes, feed_list, data_reader,
                         startup_program=startup_program, config=config,
                         hidden_units=hidden_units, metrics_choices=metrics_choices,
                         module_inputs=module_inputs)

    @staticmethod
    def make_head(num_classes: int, class_weights=None):
        return SigmoidHead(num_classes)
