from paddlehub_lite.finetune.task.base_task import BaseTask
from paddlehub_lite.finetune.task.classifier_task import ClassifierTask, ImageClassifierTask, \
    TextClassifierTask
from paddlehub_lite.finetune.task.multi_label_task import MultiLabelClassifierTask
from paddlehub_lite.finetune.task.run_state import RunState

__all__ = ["BaseTask", "ClassifierTask", "ImageClassifierTask", "MultiLabelClassifierTask",
           "RunState", "TextClassifierTask"]
