"""Frozen-biLM features computed once per example and reused in every epoch.

The biLM's layer outputs of every example ([len, L, 2E]) are stored back to back in one array
(float16 by default: half the memory, far below the features' own noise). Small sets stay in
memory; above ``max_memory_mb`` the array is a memory-mapped file in the cache directory, whose
name hashes the module's weights and the examples' ids, so a later run with the same data
reuses it instead of recomputing.
"""
import hashlib
import os
from typing import Sequence

import numpy as np

from paddlehub_lite.finetune.batching import eval_batches, pad_ids
from paddlehub_lite.utils.log import logger


class FeatureCache:
    """Per-example biLM features for one list of id arrays.

    Args:
        context: the ``ModuleContext`` whose module computes the features.
        id_lists: the examples' word ids.
        cache_dir: where a large cache is spilled (and found again by later runs).
        max_memory_mb: keep the cache in memory up to this size (default 1024).
        batch_size: examples per feature-extraction batch (default 64).
        dtype: storage type (default float16).
    """

    def __init__(self, context, id_lists: Sequence[np.ndarray], cache_dir: str,
                 max_memory_mb: int = 1024, batch_size: int = 64, dtype: str = "float16"):
        self.context = context
        self.lengths = np.array([len(ids) for ids in id_lists], dtype="int64")
        self.offsets = np.zeros(len(id_lists) + 1, dtype="int64")
        self.offsets[1:] = np.cumsum(self.lengths)
        config = context.module.bilm_config
        self.item_shape = (config.num_layers + 1, config.output_dim)
        total = int(self.offsets[-1])
        nbytes = total * int(np.prod(self.item_shape)) * np.dtype(dtype).itemsize
        key = _key(context.module.fingerprint, id_lists, dtype)
        path = os.path.join(cache_dir, "features-%s.npy" % key)
        if os.path.isfile(path):
            self.data = np.load(path, mmap_mode="r")
            logger.info("ELMo features loaded from cache %s", path)
            return
        spill = nbytes > max_memory_mb * (1 << 20)
        if spill:
            os.makedirs(cache_dir, exist_ok=True)
            tmp = path + ".tmp-%d" % os.getpid()
            data = np.lib.format.open_memmap(tmp, mode="w+", dtype=dtype,
                                             shape=(total,) + self.item_shape)
        else:
            data = np.empty((total,) + self.item_shape, dtype=dtype)
        self._compute(id_lists, data, batch_size)
        if spill:
            data.flush()
            del data
            os.replace(tmp, path)
            self.data = np.load(path, mmap_mode="r")
        else:
            self.data = data

    def _compute(self, id_lists, data, batch_size: int) -> None:
        from tqdm import tqdm
        batches = eval_batches(self.lengths, batch_size)
        for batch in tqdm(batches, desc="ELMo features", unit="batch", leave=False,
                          disable=None):
            ids = pad_ids([id_lists[i] for i in batch], self.context.pad_id, 1 << 30)
            layers = self.context.module.bilm_layers(ids)
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
