"""Turning samples into fed batches: length bucketing, padding, and data-parallel sharding.

Training order is a pure function of (seed, epoch): a resumed run rebuilds the same batches and
continues at the saved batch index. Batches group examples of similar length (sorted within
windows of 50 batches, then the batches shuffled) so little padding is computed.
"""
from typing import List, Sequence

import numpy as np

BUCKET_WINDOW = 50


def epoch_batches(lengths: Sequence[int], batch_size: int, seed: int, epoch: int,
                  shuffle: bool = True) -> List[np.ndarray]:
    """Index arrays, one per global batch, for one epoch."""
    n = len(lengths)
    if not shuffle:
        return [np.arange(i, min(n, i + batch_size)) for i in range(0, n, batch_size)]
    rng = np.random.default_rng([seed, epoch])
    order = rng.permutation(n)
    lengths = np.asarray(lengths)
    window = batch_size * BUCKET_WINDOW
    batches = []
    for start in range(0, n, window):
        chunk = order[start:start + window]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def shard(batch: np.ndarray, rank: int, world_size: int) -> np.ndarray:
    """This rank's contiguous part of a global batch (sizes differ by at most one)."""
    return np.array_split(batch, world_size)[rank]


def pad_ids(id_lists: Sequence[np.ndarray], pad_id: int, max_len: int) -> np.ndarray:
    """[B, T] int64, T = the longest sequence (at most ``max_len``), padded with ``pad_id``."""
    longest = min(max_len, max(len(ids) for ids in id_lists))
    out = np.full((len(id_lists), longest), pad_id, dtype="int64")
    for row, ids in enumerate(id_lists):
        ids = ids[:longest]
        out[row, :len(ids)] = ids
    return out


def eval_batches(lengths: Sequence[int], batch_size: int) -> List[np.ndarray]:
    """Evaluation/prediction batches: grouped by length for speed; results are put back in
    input order by the caller."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def unsort(values: List[np.ndarray], batches: List[np.ndarray]) -> np.ndarray:
    """Concatenate per-batch results and restore the input order."""
    order = np.concatenate(batches)
    stacked = np.concatenate(values, axis=0)
    out = np.empty_like(stacked)
    out[order] = stacked
    return out


def in_length_order(lengths: Sequence[int], batch_size: int, run) -> np.ndarray:
    """``run(indices)`` on ``eval_batches`` (similar lengths, little padding); its rows put
    back in input order (``unsort``)."""
    batches = eval_batches(lengths, batch_size)
    return unsort([run(indices) for indices in batches], batches)
