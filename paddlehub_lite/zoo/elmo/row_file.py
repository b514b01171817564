"""Rows of an ``.npy`` array on disk, read and written with ``pread``/``pwrite``: the frozen
biLM's feature file (``feature_cache.py``), never mapped into memory (a memory map would count
every page read into the process's resident memory)."""
import os

import numpy as np


class RowFile:
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
    def open(cls, path: str) -> "RowFile":
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
