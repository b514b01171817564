"""Finetuning: RunConfig, strategies and tasks.

The names below are imported on first use (PEP 562), so that the leaf modules deployment
shares with training (``finetune.batching``, ``finetune.bundle``, ``finetune.results``,
``finetune.checkpoint``) can be imported without building the task classes.
"""
_LAZY = {
    "RunConfig": "paddlehub_lite.finetune.config",
    "AdamWeightDecayStrategy": "paddlehub_lite.finetune.strategy",
    "DefaultStrategy": "paddlehub_lite.finetune.strategy",
    "CombinedStrategy": "paddlehub_lite.finetune.combined_strategy",
    "DefaultFinetuneStrategy": "paddlehub_lite.finetune.combined_strategy",
    "L2SPFinetuneStrategy": "paddlehub_lite.finetune.combined_strategy",
    "ULMFiTStrategy": "paddlehub_lite.finetune.combined_strategy",
    "ClassifierTask": "paddlehub_lite.finetune.task",
    "ImageClassifierTask": "paddlehub_lite.finetune.task",
    "MultiLabelClassifierTask": "paddlehub_lite.finetune.task",
    "RunState": "paddlehub_lite.finetune.task",
    "TextClassifierTask": "paddlehub_lite.finetune.task",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError("module 'paddlehub_lite.finetune' has no attribute %r" % name)
    import importlib
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
