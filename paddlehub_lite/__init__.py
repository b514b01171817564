"""paddlehub_lite: the PaddleHub 1.x finetune API on Paddle 3's static graph.

    import paddlehub_lite as hub
    dataset = hub.dataset.ChnSentiCorp()
    reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=...)

Importing the package calls ``hub.apply_cpu_defaults()``: it sets ``OMP_NUM_THREADS=1`` and,
on AMD CPUs with AVX2, ``MKL_DEBUG_CPU_TYPE=5`` and ``MKL_CBWR=AUTO,STRICT`` (2-3x faster
matrix products, bit-repeatable results), each only when you have not set it yourself. Set
them before the import to choose otherwise (see ``paddlehub_lite.utils.cpu``).
"""
from paddlehub_lite.utils.cpu import apply_cpu_defaults

apply_cpu_defaults()  # before Paddle runs any kernel: MKL reads these once

from paddlehub_lite import dataset, reader  # noqa: E402
from paddlehub_lite.finetune import AdamWeightDecayStrategy, ClassifierTask, DefaultStrategy, \
    ImageClassifierTask, RunConfig, RunState, TextClassifierTask  # noqa: E402
from paddlehub_lite.module import Module  # noqa: E402
from paddlehub_lite.env import cache_home, dataset_home, home_dir, module_home  # noqa: E402

__version__ = "0.1.0"

__all__ = ["apply_cpu_defaults", "AdamWeightDecayStrategy", "ClassifierTask", "DefaultStrategy",
           "ImageClassifierTask", "Module", "RunConfig", "RunState", "TextClassifierTask", "dataset", "reader",
           "home_dir", "dataset_home", "module_home", "cache_home", "__version__"]
