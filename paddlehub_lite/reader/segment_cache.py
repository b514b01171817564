"""Segmented-and-mapped texts, cached on disk so later runs skip segmentation.

A cache entry holds the word ids of a list of texts (before truncation) as two int32 arrays in
an ``.npz`` (concatenated ids and offsets; no pickle). Its key hashes the texts, the
segmenter's name and the vocab's fingerprint, so any change to one of them misses the cache.
"""
import hashlib
import io
import os
from typing import List, Optional, Sequence

import numpy as np

from paddlehub_lite.utils.atomic import atomic_file

FORMAT_VERSION = "1"


def cache_key(texts: Sequence[str], segmenter_name: str, vocab_fingerprint: str) -> str:
    digest = hashlib.sha256()
    digest.update(("v%s\0%s\0%s\0%d\0" % (FORMAT_VERSION, segmenter_name, vocab_fingerprint,
                                          len(texts))).encode("utf-8"))
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def pack(id_lists: Sequence[Sequence[int]]):
    offsets = np.zeros(len(id_lists) + 1, dtype="int64")
    offsets[1:] = np.cumsum([len(x) for x in id_lists])
    flat = np.fromiter((i for ids in id_lists for i in ids), dtype="int32", count=int(offsets[-1]))
    return flat, offsets


def unpack(flat: np.ndarray, offsets: np.ndarray) -> List[np.ndarray]:
    """Views into ``flat``, one per text."""
    return [flat[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]


def load(cache_dir: str, key: str) -> Optional[List[np.ndarray]]:
    path = os.path.join(cache_dir, key + ".npz")
    if not os.path.isfile(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return unpack(data["ids"].astype("int64"), data["offsets"])
    except (ValueError, OSError, KeyError):
        return None  # a damaged entry is a miss; it is rewritten


def save(cache_dir: str, key: str, id_lists: Sequence[Sequence[int]]) -> None:
    flat, offsets = pack(id_lists)
    buffer = io.BytesIO()
    np.savez(buffer, ids=flat, offsets=offsets)
    with atomic_file(os.path.join(cache_dir, key + ".npz"), "wb") as handle:
        handle.write(buffer.getvalue())
