"""Frozen-biLM features computed once per example and reused in every epoch and every run.

The biLM's layer outputs of every example ([len, L, 2E]) are stored back to back in one array
(float16 by default: half the memory, far below the features' own noise), an ``.npy`` file in
the cache directory whose name hashes the module's weights and the examples' ids; a later run
on the same data (another seed, a resumed run) reads it instead of recomputing. The file is
written under a temporary name and renamed when complete. Each batch reads its examples' rows
with ``pread``: the OS caches the file, and the process holds one batch (a memory map would
count every page read into the process's resident memory: ~1 GB for ChnSentiCorp). Without a
cache directory the array is kept in memory.
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
        shard: a ``module.inputs.Shard`` (default None: this process computes everything).
            With one, process r of n computes the examples r, r+n, r+2n, ... into
            ``features-<key>-shard<r>of<n>.npy``; after a barrier every process builds the
            whole file from the shards (a shard it cannot see, on a disk not shared between
            machines, it computes itself), and the shard files are removed.
    """

    def __init__(self, context, id_lists: Sequence[np.ndarray], cache_dir: Optional[str] = None,
                 batch_size: int = 64, dtype: str = "float16",
                 num_threads: Optional[int] = None, shard=None):
        self.context = context
        self.num_threads = num_threads
        self.batch_size = batch_size
        self.dtype = dtype
        self.lengths, self.offsets = _layout(id_lists)
        config = context.module.bilm_config
        self.item_shape = (context.feature_layers, config.output_dim)
        self.computed = 0          # examples whose features this process computed
        if cache_dir is None:
            self.data = np.empty((int(self.offsets[-1]),) + self.item_shape, dtype=dtype)
            self._compute(id_lists, self.lengths, self.offsets, self.data)
            return
        reps = "" if context.feature_layers == config.num_layers + 1 else \
            "/reps%d" % context.feature_layers      # (all L: the key files had before)
        key = _key(context.module.fingerprint + reps, id_lists, dtype)
        path = os.path.join(cache_dir, "features-%s.npy" % key)
        if os.path.isfile(path):
            logger.info("ELMo features loaded from cache %s", path)
        else:
            os.makedirs(cache_dir, exist_ok=True)
            remove_stale_temp_files(cache_dir)
            if shard is None or shard.world_size == 1:
                self._write(path, lambda rows: self._compute(id_lists, self.lengths,
                                                             self.offsets, rows))
            else:
                self._write_sharded(path, key, cache_dir, id_lists, shard)
        self.data = _RowFile.open(path)
        if self.data.shape[1:] != self.item_shape:
            raise ValueError("%s holds features of shape %s, not %s: delete it (a cache file; "
                             "it is computed again)" % (path, self.data.shape[1:],
                                                        self.item_shape))

    def _write(self, path: str, fill, lengths=None) -> None:
        """Write ``path`` (an .npy of every example's rows) under a temporary name; ``fill``
        writes the rows."""
        lengths = self.lengths if lengths is None else lengths
        shape = (int(np.sum(lengths)),) + self.item_shape
        tmp = path + ".tmp-%d" % os.getpid()
        try:
            with open(tmp, "wb") as handle:
                np.lib.format.write_array_header_1_0(handle, {
                    "descr": np.lib.format.dtype_to_descr(np.dtype(self.dtype)),
                    "fortran_order": False, "shape": shape})
                writer = _RowFile(handle, handle.tell(), shape, self.dtype)
                fill(writer)
                handle.truncate(writer.end)
            os.replace(tmp, path)
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
                part = _RowFile.open(shard_path(r))
                _, offsets = _layout([id_lists[i] for i in members[r]])
                for j, index in enumerate(members[r]):
                    start = self.offsets[index]
                    rows[start:start + self.lengths[index]] = part[offsets[j]:offsets[j + 1]]
                part.handle.close()

        self._write(path, assemble)       # every process writes the same bytes: a safe race
        shard.barrier()
        if shard.rank == 0:
            for r in range(n):
                if os.path.exists(shard_path(r)):
                    os.remove(shard_path(r))

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
        """Padded float32 [B, T, L, 2E] features of the given examples."""
        longest = min(max_len, int(max(self.lengths[i] for i in indices)))
        out = np.zeros((len(indices), longest) + self.item_shape, dtype="float32")
        for row, index in enumerate(indices):
            n = min(longest, int(self.lengths[index]))
            start = self.offsets[index]
            out[row, :n] = self.data[start:start + n]
        return out


def _layout(id_lists):
    """(lengths, offsets): each example's row count and where its rows start."""
    lengths = np.array([len(ids) for ids in id_lists], dtype="int64")
    offsets = np.zeros(len(id_lists) + 1, dtype="int64")
    offsets[1:] = np.cumsum(lengths)
    return lengths, offsets


class _RowFile:
    """Rows of an ``.npy`` array on disk, read and written with ``pread``/``pwrite`` through
    slicing (``rows[a:b]``, ``rows[a:b] = value``), never mapped into memory."""

    def __init__(self, handle, header_size: int, shape, dtype):
        self.handle = handle
        self.header_size = header_size
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.row_bytes = int(np.prod(self.shape[1:], dtype=np.int64)) * self.dtype.itemsize
        self.end = header_size + self.shape[0] * self.row_bytes

    @classmethod
    def open(cls, path: str) -> "_RowFile":
        handle = open(path, "rb")
        version = np.lib.format.read_magic(handle)
        shape, fortran, dtype = (np.lib.format.read_array_header_1_0(handle) if version == (1, 0)
                                 else np.lib.format.read_array_header_2_0(handle))
        rows = cls(handle, handle.tell(), shape, dtype)
        if fortran or os.fstat(handle.fileno()).st_size != rows.end:
            handle.close()
            raise ValueError("%s: not a complete feature file (size or layout); delete it to "
                             "recompute" % path)
        return rows

    def __getitem__(self, rows: slice) -> np.ndarray:
        start, stop = rows.start, rows.stop
        data = os.pread(self.handle.fileno(), (stop - start) * self.row_bytes,
                        self.header_size + start * self.row_bytes)
        return np.frombuffer(data, dtype=self.dtype).reshape((stop - start,) + self.shape[1:])

    def __setitem__(self, rows: slice, value: np.ndarray) -> None:
        data = np.ascontiguousarray(value, dtype=self.dtype).tobytes()
        os.pwrite(self.handle.fileno(), data, self.header_size + rows.start * self.row_bytes)


def remove_stale_temp_files(cache_dir: str) -> int:
    """Delete ``features-*.npy.tmp-<pid>`` files whose writer is no longer running (a killed
    run leaves one: ~50 MB for a ChnSentiCorp split); returns how many."""
    removed = 0
    for name in os.listdir(cache_dir):
        prefix, _, pid = name.rpartition(".npy.tmp-")
        if not prefix.startswith("features-") or not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            os.remove(os.path.join(cache_dir, name))
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ids_key(id_lists) -> str:
    """A short hash of a list of id arrays."""
    return _key("", id_lists, "")


def _key(fingerprint: str, id_lists, dtype: str) -> str:
    digest = hashlib.sha256(("%s/%s/%d" % (fingerprint, dtype, len(id_lists))).encode())
    for ids in id_lists:
        digest.update(np.asarray(ids, dtype="int64").tobytes())
        digest.update(b"|")
    return digest.hexdigest()[:24]
