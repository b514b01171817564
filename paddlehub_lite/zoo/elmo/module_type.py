"""``ELMoModule``: what a module of type ``elmo`` adds to ``hub.Module`` (registered in this
folder's ``__init__``): its ``context`` (``context.py``), its prediction-only inputs, the
biLM's sizes (``bilm_config``) and its frozen layer outputs (``bilm_layers``)."""
import os
import tempfile
from typing import Dict, Optional, Sequence

import numpy as np

from paddlehub_lite.utils.cpu import usable_cores
from paddlehub_lite.zoo.elmo.network import BiLMConfig


class ELMoModule:
    """The ELMo side of a ``Module`` (``module.bilm_config``, ``module.bilm_layers`` reach it).

    Args:
        module: the ``Module`` (its manifest's ``network`` gives the sizes).
    """

    def __init__(self, module):
        self.module = module
        self.bilm_config = BiLMConfig.from_dict(module.manifest["network"])
        self._extractor = None
        self._export_dir = None       # a TemporaryDirectory, removed with this object
        self._exports: Dict[int, str] = {}      # num_reps -> exported inference model prefix

    def context(self, trainable: bool = True, max_seq_len: int = 128, bilm_trainable=None,
                for_test: bool = False, use_layers: Optional[Sequence[int]] = None,
                dropout: float = 0.0, mix_l2: float = 0.0):
        """The ELMo's program (``Module.context``; its options there).

        Args:
            trainable: whether the module's parameters receive gradients (default True).
            max_seq_len: the longest ``word_ids`` sequence to expect (default 128).
            bilm_trainable: override for the biLM alone (default None: same as ``trainable``).
                ``trainable=True, bilm_trainable=False`` is PaddleHub 1.x's behaviour: only
                the layer-mix weights train, and the biLM features are computed once per
                example and cached by the task (much faster training). ``"top"``: the top
                LSTM layer of each direction trains too, run in every step from the cached
                layer below it (the lower layers stay frozen and cached).
            for_test: accepted for PaddleHub compatibility; dropout is switched off in the
                task's evaluation clones either way (default False).
            use_layers: which biLM representations the ELMo embedding mixes (0 = token
                embedding, 1 and 2 = the LSTM layers; default None: all).
            dropout: dropout on the ELMo embedding while training (default 0.0).
            mix_l2: L2 penalty on the layer-mix weights (default 0.0).

        Returns:
            ``(inputs, outputs, program)``. ``inputs["word_ids"]``: int64 [batch, seq], padded
            with id 0 (``<S>``, never a real input). ``outputs["elmo_embed"]``: float32
            [batch, seq, 2E], zero at padding. ``outputs["seq_len"]``: int64 [batch], real
            lengths. ``outputs["mask"]``: float32 [batch, seq, 1]. With a frozen biLM also
            ``inputs["elmo_layers"]`` (filled by the task; see ``context.py``).
        """
        from paddlehub_lite.zoo.elmo.context import build_context
        return build_context(self.module, trainable=trainable, bilm_trainable=bilm_trainable,
                             max_seq_len=max_seq_len, use_layers=use_layers, dropout=dropout,
                             mix_l2=mix_l2)

    def restore_inputs(self, description: Dict):
        """The prediction-only ``ModuleInputs`` a context's ``describe()`` recorded."""
        from paddlehub_lite.zoo.elmo.context import ModuleContext
        return ModuleContext.from_description(self.module, description)

    def exported_bilm(self, num_reps: int) -> str:
        """The prefix of the frozen biLM's inference model computing ``num_reps``
        representations, exported once per module object into a temporary directory it
        owns. (Exporting anew at every best-model save built and ran a new program each time,
        and Paddle's executor cache kept ~100 MB of each alive: BENCHMARKS.md, "Cost
        growth".)"""
        if num_reps not in self._exports:
            from paddlehub_lite.zoo.elmo.context import export_bilm
            if self._export_dir is None:
                self._export_dir = tempfile.TemporaryDirectory(prefix="paddlehub_lite_bilm_")
            prefix = os.path.join(self._export_dir.name, "bilm_reps%d" % num_reps)
            export_bilm(self.module, num_reps, prefix)
            self._exports[num_reps] = prefix
        return self._exports[num_reps]

    def bilm_layers(self, word_ids: np.ndarray, num_threads: Optional[int] = None,
                    num_reps: Optional[int] = None) -> np.ndarray:
        """Frozen biLM layer outputs for a padded int64 [B, T] batch: float32 [B, T, L, 2E].

        Args:
            word_ids: int64 [B, T], padded with id 0.
            num_threads: CPU math threads of the biLM's predictor (default None: every core).
            num_reps: the first ``num_reps`` representations only, 2..L (default None: all L;
                a top-layer finetune is fed L - 1, and the layer above is not computed).
        """
        threads = num_threads or usable_cores()  # None and the core count: one predictor
        reps = self.bilm_config.num_layers + 1 if num_reps is None else num_reps
        if self._extractor is None or (self._extractor.num_threads,
                                       self._extractor.num_reps) != (threads, reps):
            from paddlehub_lite.zoo.elmo.context import FeatureExtractor
            self._extractor = FeatureExtractor(self.module, threads, reps)   # one at a time
        return self._extractor(word_ids)
