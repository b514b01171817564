"""paddlehub_lite: the PaddleHub 1.x finetune API on Paddle 3's static graph.

    import paddlehub_lite as hub
    dataset = hub.dataset.ChnSentiCorp()
    reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=...)

Importing the package calls ``hub.apply_cpu_defaults()``: it sets ``OMP_NUM_THREADS=1``,
``MKL_CBWR=AUTO,STRICT`` (bit-repeatable results on every CPU) and, on AMD CPUs with AVX2,
``MKL_DEBUG_CPU_TYPE=5`` (2-3x faster matrix products), each only when you have not set it
yourself. Set
them before the import to choose otherwise (see ``paddlehub_lite.utils.cpu``).

It also silences the messages Paddle prints on every run that no user can act on (named in
``paddlehub_lite.utils.quiet``; C++ log lines through ``GLOG_minloglevel=2`` when you have not
set it). Set ``PADDLEHUB_LITE_PADDLE_NOISE=1`` before the import to keep them.
"""
from paddlehub_lite.utils.cpu import apply_cpu_defaults
from paddlehub_lite.utils.quiet import quiet_on_import

apply_cpu_defaults()  # before Paddle runs any kernel: MKL reads these once
quiet_on_import()     # before Paddle is imported: glog reads its level once

# Everything else is imported on first use (PEP 562), so that ``import paddlehub_lite.utils.x``
# (e.g. the entry points' warning filters) does not import Paddle.
_LAZY = {
    "dataset": ("paddlehub_lite.dataset", None),
    "reader": ("paddlehub_lite.reader", None),
    "nets": ("paddlehub_lite.nets", None),
    "finetune": ("paddlehub_lite.finetune", None),
    "AdamWeightDecayStrategy": ("paddlehub_lite.finetune", "AdamWeightDecayStrategy"),
    "ClassifierTask": ("paddlehub_lite.finetune", "ClassifierTask"),
    "DefaultStrategy": ("paddlehub_lite.finetune", "DefaultStrategy"),
    "CombinedStrategy": ("paddlehub_lite.finetune", "CombinedStrategy"),
    "DefaultFinetuneStrategy": ("paddlehub_lite.finetune", "DefaultFinetuneStrategy"),
    "L2SPFinetuneStrategy": ("paddlehub_lite.finetune", "L2SPFinetuneStrategy"),
    "ULMFiTStrategy": ("paddlehub_lite.finetune", "ULMFiTStrategy"),
    "ImageClassifierTask": ("paddlehub_lite.finetune", "ImageClassifierTask"),
    "MultiLabelClassifierTask": ("paddlehub_lite.finetune", "MultiLabelClassifierTask"),
    "RunConfig": ("paddlehub_lite.finetune", "RunConfig"),
    "RunState": ("paddlehub_lite.finetune", "RunState"),
    "TextClassifierTask": ("paddlehub_lite.finetune", "TextClassifierTask"),
    "Module": ("paddlehub_lite.module", "Module"),
    "report_final_result": ("paddlehub_lite.autofinetune", "report_final_result"),
    "report_intermediate_result": ("paddlehub_lite.autofinetune",
                                   "report_intermediate_result"),
    "cache_home": ("paddlehub_lite.env", "cache_home"),
    "dataset_home": ("paddlehub_lite.env", "dataset_home"),
    "home_dir": ("paddlehub_lite.env", "home_dir"),
    "module_home": ("paddlehub_lite.env", "module_home"),
}

__version__ = "0.1.0"

__all__ = ["apply_cpu_defaults", "__version__"] + sorted(_LAZY)


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError("module 'paddlehub_lite' has no attribute %r" % name)
    import importlib
    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
