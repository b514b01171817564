"""paddlehub_lite: the PaddleHub 1.x finetune API on Paddle 3's static graph.

    import paddlehub_lite as hub
    dataset = hub.dataset.ChnSentiCorp()
    reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=...)
"""
import os as _os

# Paddle's CPU kernels run ~5x slower with OpenMP threads competing with its own thread pool
# (see docs); only a default: a value the user set is kept.
_os.environ.setdefault("OMP_NUM_THREADS", "1")

from paddlehub_lite.utils.cpu import apply_math_library_defaults  # noqa: E402

# MKL's fast kernels on AMD CPUs (a 2-5x difference in every matrix product; see utils/cpu.py).
apply_math_library_defaults()

from paddlehub_lite import dataset, reader  # noqa: E402
from paddlehub_lite.finetune import AdamWeightDecayStrategy, ClassifierTask, DefaultStrategy, \
    ImageClassifierTask, RunConfig, RunState, TextClassifierTask  # noqa: E402
from paddlehub_lite.module import Module  # noqa: E402
from paddlehub_lite.env import cache_home, dataset_home, home_dir, module_home  # noqa: E402

__version__ = "0.1.0"

__all__ = ["AdamWeightDecayStrategy", "ClassifierTask", "DefaultStrategy", "ImageClassifierTask",
           "Module", "RunConfig", "RunState", "TextClassifierTask", "dataset", "reader",
           "home_dir", "dataset_home", "module_home", "cache_home", "__version__"]
