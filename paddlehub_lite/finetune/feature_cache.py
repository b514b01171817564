"""Frozen-biLM features computed once per example and reused in every epoch and every run.

The biLM's layer outputs of every example ([len, L, 2E]) are stored back to back in one array
(float16 by default: half the memory, far below the features' own noise), a memory-mapped
``.npy`` file in the cache directory whose name hashes the module's weights and the examples'
ids: memory stays bounded (the OS pages the file), and a later run on the same data (another
seed, a resumed run) reads it instead of recomputing. The file is written under a temporary
name and renamed when complete. Without a cache directory the array is kept in memory.
"""
import hashlib
import os
from typing import Optional, Sequence

import numpy as np

from paddlehub_lite.finetune.batching import eval_batches, pad_ids
from paddlehub_lite.utils.log import logger


class FeatureCache:
    """Per-example biLM features for one list of id arrays.

    Args:
        context: the ``ModuleContext`` whose module computes the features.
        id_lists: the examples' word ids.
        cache_dir: where the feature file lives (default None: in memory only).
        batch_size: examples per feature-extraction batch (default 64).
        dtype: storage type (default float16).
        num_threads: CPU math threads of the biLM (default None: every core).
    """

    def __init__(self, context, id_lists: Sequence[np.ndarray], cache_dir: Optional[str] = None,
                 batch_size: int = 64, dtype: str = "float16",
                 num_threads: Optional[int] = None):
        self.context = context
        self.num_threads = num_threads
        self.lengths = np.array([len(ids) for ids in id_lists], dtype="int64")
        self.offsets = np.zeros(len(id_lists) + 1, dtype="int64")
        self.offsets[1:] = np.cumsum(self.lengths)
        config = context.module.bilm_config
        self.item_shape = (config.num_layers + 1, config.output_dim)
        shape = (int(self.offsets[-1]),) + self.item_shape
        if cache_dir is None:
            self.data = np.empty(shape, dtype=dtype)
            self._compute(id_lists, self.data, batch_size)
            return
        key = _key(context.module.fingerprint, id_lists, dtype)
        path = os.path.join(cache_dir, "features-%s.npy" % key)
        if os.path.isfile(path):
            self.data = np.load(path, mmap_mode="r")
            logger.info("ELMo features loaded from cache %s", path)
            return
        os.makedirs(cache_dir, exist_ok=True)
        tmp = path + ".tmp-%d" % os.getpid()
        data = np.lib.format.open_memmap(tmp, mode="w+", dtype=dtype, shape=shape)
        try:
            self._compute(id_lists, data, batch_size)
            data.flush()
            del data
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        self.data = np.load(path, mmap_mode="r")

    def _compute(self, id_lists, data, batch_size: int) -> None:
        from tqdm import tqdm
        batches = eval_batches(self.lengths, batch_size)
        for batch in tqdm(batches, desc="ELMo features", unit="batch", leave=False,
                          disable=None):
            ids = pad_ids([id_lists[i] for i in batch], self.context.pad_id, 1 << 30)
            layers = self.context.module.bilm_layers(ids, self.num_threads)
            for row, index in enumerate(batch):
                n = self.lengths[index]
                data[self.offsets[index]:self.offsets[index] + n] = layers[row, :n]

    def batch(self, indices: Sequence[int], max_len: int) -> np.ndarray:
        """Padded float32 [B, T, L, 2E] features of the given examples."""
        longest = min(max_len, int(max(self.lengths[i] for i in indices)))
        out = np.zeros((len(indices), longest) + self.item_shape, dtype="float32")
        for row, index in enumerate(indices):
            n = min(longest, int(self.lengths[index]))
            start = self.offsets[index]
            out[row, :n] = self.data[start:start + n]
        return out


def _key(fingerprint: str, id_lists, dtype: str) -> str:
    digest = hashlib.sha256(("%s/%s/%d" % (fingerprint, dtype, len(id_lists))).encode())
    for ids in id_lists:
        digest.update(np.asarray(ids, dtype="int64").tobytes())
        digest.update(b"|")
    return digest.hexdigest()[:24]
