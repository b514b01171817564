"""paddlehub_lite: the PaddleHub 1.x finetune API on Paddle 3's static graph.

    import paddlehub_lite as hub
    dataset = hub.dataset.ChnSentiCorp()
    reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=...)
"""
from paddlehub_lite import dataset, reader
from paddlehub_lite.module import Module
from paddlehub_lite.env import cache_home, dataset_home, home_dir, module_home

__version__ = "0.1.0"

__all__ = ["Module", "dataset", "reader", "home_dir", "dataset_home", "module_home", "cache_home",
           "__version__"]
