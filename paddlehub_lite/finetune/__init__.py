"""Finetuning: RunConfig, strategies and tasks."""
from paddlehub_lite.finetune.config import RunConfig
from paddlehub_lite.finetune.strategy import AdamWeightDecayStrategy, DefaultStrategy
from paddlehub_lite.finetune.task import ClassifierTask, ImageClassifierTask, \
    MultiLabelClassifierTask, RunState, TextClassifierTask

__all__ = ["AdamWeightDecayStrategy", "ClassifierTask", "DefaultStrategy", "ImageClassifierTask",
           "MultiLabelClassifierTask", "RunConfig", "RunState", "TextClassifierTask"]
