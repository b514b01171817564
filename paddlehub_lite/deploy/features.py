"""``BundleFeatures``: a module's feature network as a bundle exported it (``features_<i>``
beside the model), run without the module: padded word ids -> the model's extra input (e.g.
the frozen biLM's layers). What ``ModuleInputs.feed`` computes in training, from the bundle's
own files.
"""
from typing import Dict, Optional

import numpy as np


class BundleFeatures:
    """One module's exported feature network.

    Args:
        directory: the bundle's directory.
        description: the module's entry in ``predictor.json`` (``describe()`` plus
            ``features``: ``{"prefix", "input", "output"}``).
        num_threads: CPU math threads (default None: the predictor's default).
        backend: "paddle" (default) or "onnx" (``deploy/backends.py``).
    """

    def __init__(self, directory: str, description: Dict, num_threads: Optional[int] = None,
                 backend: str = "paddle"):
        spec = description["features"]
        self.directory = directory
        self.prefix = spec["prefix"]
        self.backend = backend
        self.input_name = spec["input"]
        self.output_name = spec["output"]
        self.pad_id = description["pad_id"]
        self.max_seq_len = description["max_seq_len"]
        self.num_threads = num_threads
        self._predictor = None

    def feed(self, word_ids: np.ndarray, num_threads: Optional[int] = None
             ) -> Dict[str, np.ndarray]:
        """``{output name: features}`` for a padded int64 [B, T] batch (``num_threads`` is
        taken from the constructor; accepted for ``ModuleInputs.feed``'s signature)."""
        if self._predictor is None:
            from paddlehub_lite.deploy.backends import make_predictor
            self._predictor = make_predictor(self.directory, self.prefix, self.backend,
                                             self.num_threads)
        return {self.output_name: self._predictor({self.input_name: word_ids.astype("int64")})}
