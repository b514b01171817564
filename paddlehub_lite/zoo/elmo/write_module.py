"""Writing a pretrained (or adapted) biLM as a module directory with its pretraining record."""
import dataclasses
import os
from typing import Dict, List, Optional

import numpy as np

from paddlehub_lite.reader.vocab import Vocab
from paddlehub_lite.zoo.elmo.network import BiLMConfig
from paddlehub_lite.zoo.elmo.pretrain_config import PretrainConfig


def write_module(output_dir: str, config: PretrainConfig, bilm_config: BiLMConfig, vocab: Vocab,
                 weights: Dict[str, np.ndarray], history: List[Dict], untrained: Optional[Dict],
                 name: str = "elmo", version: str = "1.0.0", weights_dtype: str = "float16",
                 extra: Optional[Dict] = None) -> str:
    """Write a module directory (see ``module/manifest.py``) with the pretraining record."""
    from paddlehub_lite.module.manifest import write_module_dir

    info = {"pretraining": dataclasses.asdict(config), "history": history,
            "untrained": untrained}
    info["pretraining"]["corpus_files"] = [os.path.basename(p) for p in config.corpus_files]
    info["pretraining"]["work_dir"] = None
    info.update(extra or {})
    return write_module_dir(output_dir, name=name, version=version, network=bilm_config.to_dict(),
                            vocab=vocab, weights=weights, module_type="elmo",
                            weights_dtype=weights_dtype, info=info)
