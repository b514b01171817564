"""Frozen-biLM features computed once per example and reused in every epoch and every run.

The biLM's layer outputs of every example ([len, L, 2E]) are stored back to back in one array
(float16 by default: half the memory, far below the features' own noise), an ``.npy`` file in
the cache directory whose name hashes the module's weights and the examples' ids; a later run
on the same data (another seed, a resumed run) reads it instead of recomputing. The file is
written under a temporary name and renamed when complete; a full disk stops the run with an
error naming the directory and leaves no file. Each batch reads its examples' rows with
``pread`` (``row_file.py``): the OS caches the file, the process holds one batch. Without a
cache directory the array is kept in memory.

The directory has a disk budget (``utils/disk_cache.py``: by default half of the free space
plus what the cache holds; stale and then least recently used files make room first). When a
split's features do not fit, the first examples' that fit are stored and the others are
computed again in every batch that holds them (rounded to the stored type, so a batch gets
the same values either way); a budget of 0 stores nothing. Each file has a record of the
data files it came from, and is removed once they are all gone (``hub-lite cache``).
"""
import errno
import hashlib
import json
import os
from typing import Optional, Sequence

import numpy as np

from paddlehub_lite.finetune.batching import eval_batches, pad_ids
from paddlehub_lite.utils.atomic import atomic_file
from paddlehub_lite.utils.disk_cache import DiskCache, human
from paddlehub_lite.utils.log import logger
from paddlehub_lite.zoo.elmo.row_file import RowFile, remove_stale_temp_files

FILE_PATTERN = r"features-[0-9a-f]+\.npy"
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class FeatureCache:
    """Per-example biLM features for one list of id arrays.

    Args:
        context: the ``ModuleContext`` whose module computes the features.
        id_lists: the examples' word ids.
        cache_dir: where the feature file lives (default None: in memory only).
        batch_size: examples per feature-extraction batch (default 64).
        dtype: storage type (default float16).
        num_threads: CPU math threads of the biLM (default None: every core).
        shard: a ``module.inputs.Shard`` (default None: this process computes everything).
            With one, process r of n computes the examples r, r+n, r+2n, ... into
            ``features-<key>-shard<r>of<n>.npy``; after a barrier every process builds the
            whole file from the shards (a shard it cannot see, on a disk not shared between
            machines, it computes itself), and the shard files are removed. Process 0
            decides how many examples the budget lets the file hold, for every process.
        budget: the cache directory's disk budget, bytes or a size like ``"20GB"`` (default
            None: half of the disk's free space plus what the directory holds).
        sources: the data files the examples were read from, recorded with the file; once
            they are all gone or changed, the file is removed (default: none recorded).
        keep: cache files the caller still reads, never removed to make room (default none).
    """

    def __init__(self, context, id_lists: Sequence[np.ndarray], cache_dir: Optional[str] = None,
                 batch_size: int = 64, dtype: str = "float16",
                 num_threads: Optional[int] = None, shard=None, budget=None,
                 sources: Sequence[str] = (), keep: Sequence[str] = ()):
        self.context = context
        self.num_threads = num_threads
        self.batch_size = batch_size
        self.dtype = dtype
        self.lengths, self.offsets = _layout(id_lists)
        config = context.module.bilm_config
        self.item_shape = (context.feature_layers, config.output_dim)
        self.row_bytes = int(np.prod(self.item_shape)) * np.dtype(dtype).itemsize
        self.computed = 0          # examples whose features this process computed
        self.stored = len(id_lists)   # the first examples, whose features are stored
        self.id_lists = None       # kept when some examples' features are computed per batch
        self.path = None
        if cache_dir is None:
            self.data = np.empty((int(self.offsets[-1]),) + self.item_shape, dtype=dtype)
            self._compute(id_lists, self.lengths, self.offsets, self.data)
            return
        reps = "" if context.feature_layers == config.num_layers + 1 else \
            "/reps%d" % context.feature_layers      # (all L: the key files had before)
        key = _key(context.module.fingerprint + reps, id_lists, dtype)
        self.path = os.path.join(cache_dir, "features-%s.npy" % key)
        store = DiskCache(cache_dir, budget, FILE_PATTERN)
        if os.path.isfile(self.path):
            logger.info("ELMo features loaded from cache %s", self.path)
        else:
            os.makedirs(cache_dir, exist_ok=True)
            remove_stale_temp_files(cache_dir)
            self.stored = self._plan(store, len(id_lists), shard, keep)
            if self.stored == 0:
                self._forget_plan(shard)
                self._compute_per_batch(id_lists)
                return
            stored = id_lists[:self.stored]
            if shard is None or shard.world_size == 1:
                lengths = self.lengths[:self.stored]
                self._write(self.path, lambda rows: self._compute(
                    stored, lengths, self.offsets, rows), lengths)
            else:
                self._write_sharded(self.path, key, cache_dir, stored, shard)
        self.data = RowFile.open(self.path)
        if self.data.shape[1:] != self.item_shape:
            raise ValueError("%s holds features of shape %s, not %s: delete it (a cache file; "
                             "it is computed again)" % (self.path, self.data.shape[1:],
                                                        self.item_shape))
        self.stored = int(np.searchsorted(self.offsets, self.data.shape[0]))
        if self.offsets[self.stored] != self.data.shape[0]:
            raise ValueError("%s: not the features of these examples; delete it" % self.path)
        if self.stored < len(id_lists):
            self._compute_per_batch(id_lists)
        store.write_record(self.path, sources, kind="ELMo features", examples=len(id_lists),
                           stored_examples=self.stored, module=context.module.fingerprint)

    def _plan(self, store: DiskCache, count: int, shard, keep) -> int:
        """How many of the first examples the file holds: what the budget leaves room for
        (process 0 decides and tells the others through a plan file, when they share it)."""
        plan = self.path + ".plan"
        if shard is not None and shard.world_size > 1 and shard.rank != 0:
            shard.barrier()
            if os.path.isfile(plan):
                with open(plan) as handle:
                    return int(json.load(handle)["stored"])
        room = store.make_room(int(self.offsets[-1]) * self.row_bytes + 128, keep)
        stored = int(np.searchsorted(self.offsets, max(0, room - 128) // self.row_bytes,
                                     side="right")) - 1
        if stored < count:
            logger.warning(
                "ELMo feature cache: the features of %d examples take %s; the cache's budget "
                "(%s) and the free space (%s) at %s leave room for %d of them. The other %d "
                "are computed again in every epoch (slower). Free disk space, or set the "
                "budget: RunConfig(cache_budget=...), the demo's --cache_budget.", count,
                human(int(self.offsets[-1]) * self.row_bytes), human(store.budget_bytes()),
                human(store.free_bytes()), store.directory, stored, count - stored)
        if shard is not None and shard.world_size > 1 and shard.rank == 0:
            with atomic_file(plan, "w") as handle:
                json.dump({"stored": stored}, handle)
            shard.barrier()
        return stored

    def _forget_plan(self, shard) -> None:
        """Once every process has read the plan file, process 0 removes it."""
        if shard is not None and shard.world_size > 1:
            shard.barrier()
            if shard.rank == 0 and os.path.exists(self.path + ".plan"):
                os.remove(self.path + ".plan")

    def _compute_per_batch(self, id_lists) -> None:
        """The examples past ``stored`` are computed in each batch: keep their ids."""
        self.id_lists = id_lists

    def _write(self, path: str, fill, lengths) -> None:
        """Write ``path`` (an .npy of every example's rows) under a temporary name; ``fill``
        writes the rows. A full disk raises an ``OSError`` naming the directory."""
        shape = (int(np.sum(lengths)),) + self.item_shape
        tmp = path + ".tmp-%d" % os.getpid()
        try:
            with open(tmp, "wb") as handle:
                np.lib.format.write_array_header_1_0(handle, {
                    "descr": np.lib.format.dtype_to_descr(np.dtype(self.dtype)),
                    "fortran_order": False, "shape": shape})
                writer = RowFile(handle, handle.tell(), shape, self.dtype)
                fill(writer)
                handle.truncate(writer.end)
            os.replace(tmp, path)
        except OSError as error:
            if error.errno not in _NO_SPACE:
                raise
            raise OSError(error.errno, "ELMo feature cache: no space left in %s for %s (%s): "
                          "nothing was kept. Free disk space, or give the cache a smaller "
                          "budget (RunConfig(cache_budget=...), the demo's --cache_budget; 0 "
                          "computes the features in every epoch instead)"
                          % (os.path.dirname(path), os.path.basename(path),
                             human(shape[0] * self.row_bytes))) from error
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    def _write_sharded(self, path: str, key: str, cache_dir: str, id_lists, shard) -> None:
        n = shard.world_size
        shard_path = lambda r: os.path.join(  # noqa: E731
            cache_dir, "features-%s-shard%dof%d.npy" % (key, r, n))
        members = [list(range(r, len(id_lists), n)) for r in range(n)]

        def write_shard(r: int) -> None:
            sub = [id_lists[i] for i in members[r]]
            lengths, offsets = _layout(sub)
            self._write(shard_path(r), lambda rows: self._compute(sub, lengths, offsets, rows),
                        lengths)

        if not os.path.isfile(shard_path(shard.rank)):       # a resumed run keeps its shard
            write_shard(shard.rank)
        shard.barrier()
        for r in range(n):
            if not os.path.isfile(shard_path(r)):             # not shared with this machine
                write_shard(r)

        def assemble(rows) -> None:
            for r in range(n):
                part = RowFile.open(shard_path(r))
                _, offsets = _layout([id_lists[i] for i in members[r]])
                for j, index in enumerate(members[r]):
                    start = self.offsets[index]
                    rows[start:start + self.lengths[index]] = part[offsets[j]:offsets[j + 1]]
                part.handle.close()

        # every process writes the same bytes: a safe race
        self._write(path, assemble, self.lengths[:len(id_lists)])
        self._forget_plan(shard)        # every process is done with the plan and the shards
        if shard.rank == 0:
            for leftover in [shard_path(r) for r in range(n)]:
                if os.path.exists(leftover):
                    os.remove(leftover)

    def _compute(self, id_lists, lengths, offsets, data) -> None:
        from tqdm import tqdm
        batches = eval_batches(lengths, self.batch_size)
        for batch in tqdm(batches, desc="ELMo features", unit="batch", leave=False,
                          disable=None):
            ids = pad_ids([id_lists[i] for i in batch], self.context.pad_id, 1 << 30)
            layers = self.context.module.bilm_layers(ids, self.num_threads,
                                                     self.context.feature_layers)
            for row, index in enumerate(batch):
                n = lengths[index]
                data[offsets[index]:offsets[index] + n] = layers[row, :n]
        self.computed += len(id_lists)

    def batch(self, indices: Sequence[int], max_len: int) -> np.ndarray:
        """Padded float32 [B, T, L, 2E] features of the given examples (those not stored are
        computed now, from their whole sequence, and rounded to the stored type)."""
        longest = min(max_len, int(max(self.lengths[i] for i in indices)))
        out = np.zeros((len(indices), longest) + self.item_shape, dtype="float32")
        missing = []
        for row, index in enumerate(indices):
            if index >= self.stored:
                missing.append(row)
                continue
            n = min(longest, int(self.lengths[index]))
            start = self.offsets[index]
            out[row, :n] = self.data[start:start + n]
        if missing:
            ids = pad_ids([self.id_lists[indices[r]] for r in missing], self.context.pad_id,
                          1 << 30)
            layers = self.context.module.bilm_layers(ids, self.num_threads,
                                                     self.context.feature_layers)
            for j, row in enumerate(missing):
                n = min(longest, int(self.lengths[indices[row]]))
                out[row, :n] = layers[j, :n].astype(self.dtype)
        return out


def _layout(id_lists):
    """(lengths, offsets): each example's row count and where its rows start."""
    lengths = np.array([len(ids) for ids in id_lists], dtype="int64")
    offsets = np.zeros(len(id_lists) + 1, dtype="int64")
    offsets[1:] = np.cumsum(lengths)
    return lengths, offsets


def ids_key(id_lists) -> str:
    """A short hash of a list of id arrays."""
    return _key("", id_lists, "")


def _key(fingerprint: str, id_lists, dtype: str) -> str:
    digest = hashlib.sha256(("%s/%s/%d" % (fingerprint, dtype, len(id_lists))).encode())
    for ids in id_lists:
        digest.update(np.asarray(ids, dtype="int64").tobytes())
        digest.update(b"|")
    return digest.hexdigest()[:24]
