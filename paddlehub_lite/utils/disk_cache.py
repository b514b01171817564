"""A cache directory within a disk budget, each file with a record of what it holds.

A cache file ``NAME`` has a record ``NAME.json`` beside it: its size, the data files it was
computed from (path, size and modification time), when it was created and last used. An
entry is *stale* when every file it was computed from is gone or changed: the run's data is
gone, so the entry is removed (``prune``: before every write, and by ``hub-lite cache``).
Before a file is written, ``make_room`` removes stale entries, then the least recently used
ones, until the file fits the budget (or nothing but what the caller holds is left), and
returns the bytes the file may take. The generic part knows no particular module: the ELMo's
frozen features (``zoo/elmo/feature_cache.py``) are one kind of file kept this way.
"""
import dataclasses
import json
import os
import re
import shutil
import time
from typing import Dict, Iterable, List, Optional, Sequence, Union

from paddlehub_lite.utils.atomic import atomic_file
from paddlehub_lite.utils.log import logger

DEFAULT_FREE_FRACTION = 0.5
_UNITS = {"": 1, "B": 1, "K": 2 ** 10, "KB": 2 ** 10, "M": 2 ** 20, "MB": 2 ** 20,
          "G": 2 ** 30, "GB": 2 ** 30, "T": 2 ** 40, "TB": 2 ** 40}


def parse_size(value: Union[int, str, None]) -> Optional[int]:
    """Bytes from an int or a string like ``"20GB"``, ``"512 MB"``, ``"0"`` (binary units);
    None stays None."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        if value is not None and value < 0:
            raise ValueError("a cache budget cannot be negative, got %r" % value)
        return value
    found = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?B?)\s*", str(value).upper())
    if not found:
        raise ValueError("a cache budget is bytes or a size like 20GB or 500MB, got %r" % value)
    return int(float(found.group(1)) * _UNITS[found.group(2)])


def human(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return ("%d %s" if unit == "B" else "%.1f %s") % (size, unit)
        size /= 1024.0
    return "%.1f GB" % size


@dataclasses.dataclass
class Entry:
    """One cache file: ``path``, its ``bytes`` on disk, its ``record`` (None: a file without
    one, e.g. written by an older version) and why it is stale (None: it is not)."""

    path: str
    bytes: int
    record: Optional[Dict]
    stale: Optional[str]

    @property
    def last_used(self) -> float:
        return float((self.record or {}).get("last_used", os.path.getmtime(self.path)
                                             if os.path.exists(self.path) else 0.0))


def _size(path: str) -> int:
    """Bytes of a file, or of every file under a directory."""
    if not os.path.isdir(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(root, name))
               for root, _, names in os.walk(path) for name in names
               if not os.path.islink(os.path.join(root, name)))


def source_state(path: str) -> Dict:
    """What identifies a data file's version: its absolute path, size and mtime."""
    stat = os.stat(path)
    return {"path": os.path.abspath(path), "size": stat.st_size, "mtime": stat.st_mtime}


def _why_stale(record: Optional[Dict]) -> Optional[str]:
    sources = (record or {}).get("sources") or []
    if not sources:
        return None
    gone = []
    for source in sources:
        try:
            now = source_state(source["path"])
        except OSError:
            gone.append("%s is gone" % source["path"])
            continue
        if (now["size"], now["mtime"]) != (source["size"], source["mtime"]):
            gone.append("%s changed" % source["path"])
    return "; ".join(gone) if len(gone) == len(sources) else None


class DiskCache:
    """The cache files of one directory.

    Args:
        directory: where the files and their ``.json`` records live (created when needed).
        budget: bytes every file of the directory may take together, or a size string like
            ``"20GB"`` (default None: half of the disk's free space plus what the directory
            already holds, measured at each ``make_room``); 0 caches nothing.
        pattern: a regular expression the cache files' names match (default: every file
            but records and temporary files).
    """

    def __init__(self, directory: str, budget: Union[int, str, None] = None,
                 pattern: str = r"[^.].*"):
        self.directory = directory
        self.budget = parse_size(budget)
        self.pattern = re.compile(pattern)

    def _is_entry(self, name: str) -> bool:
        return (not name.endswith(".json") and ".tmp" not in name
                and self.pattern.fullmatch(name) is not None)

    def entries(self) -> List[Entry]:
        """Every cache file (or directory) of the directory, oldest use first."""
        if not os.path.isdir(self.directory):
            return []
        out = []
        for name in sorted(os.listdir(self.directory)):
            path = os.path.join(self.directory, name)
            if not self._is_entry(name) or not os.path.exists(path):
                continue
            record = self.record(path)
            out.append(Entry(path, _size(path), record, _why_stale(record)))
        return sorted(out, key=lambda e: e.last_used)

    @staticmethod
    def record(path: str) -> Optional[Dict]:
        try:
            with open(path + ".json", encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return None

    def write_record(self, path: str, sources: Sequence[str] = (), **info) -> None:
        """Record what ``path`` holds (``info``) and the data files it came from; sources of
        an earlier record of the same file are kept (two datasets with the same texts share a
        file, which is stale only when both are gone)."""
        old = self.record(path) or {}
        known = {s["path"]: s for s in old.get("sources", [])}
        for source in sources:
            if source and os.path.exists(source):
                state = source_state(source)
                known[state["path"]] = state
        now = time.time()
        record = dict(old, **info)
        record.update(bytes=os.path.getsize(path), sources=list(known.values()),
                      created=old.get("created", now), last_used=now)
        with atomic_file(path + ".json", "w") as handle:
            json.dump(record, handle, indent=1)

    def remove(self, entry: Entry) -> None:
        if os.path.isdir(entry.path):
            shutil.rmtree(entry.path, ignore_errors=True)
        for path in (entry.path, entry.path + ".json"):
            try:
                os.remove(path)
            except FileNotFoundError:
                pass

    def prune(self, keep: Iterable[str] = ()) -> List[Entry]:
        """Remove the entries whose data files are all gone or changed; returns them."""
        keep = set(keep)
        removed = [e for e in self.entries() if e.stale and e.path not in keep]
        for entry in removed:
            logger.info("Cache: removed %s (%s): %s", entry.path, human(entry.bytes), entry.stale)
            self.remove(entry)
        return removed

    def budget_bytes(self, held: Optional[int] = None) -> int:
        """The budget in bytes (the default measured now; ``held``: the bytes the directory's
        entries take, when the caller has just counted them)."""
        if self.budget is not None:
            return self.budget
        if held is None:
            held = sum(e.bytes for e in self.entries())
        return int(DEFAULT_FREE_FRACTION * (self.free_bytes() + held))

    def free_bytes(self) -> int:
        probe = self.directory
        while not os.path.exists(probe):
            probe = os.path.dirname(probe) or "."
        return shutil.disk_usage(probe).free

    def make_room(self, size: int, keep: Iterable[str] = ()) -> int:
        """Make room for a file of ``size`` bytes: remove stale entries, then the least
        recently used ones (never those in ``keep``) while it does not fit. Returns the bytes
        it may take: ``size`` when it fits, less when only part of it does (never more than
        the disk's free space)."""
        keep = set(keep)
        self.prune(keep)
        entries = self.entries()
        used = sum(e.bytes for e in entries)
        budget = self.budget_bytes(held=used)
        for entry in entries:
            if used + size <= budget:
                break
            if entry.path in keep:
                continue
            logger.info("Cache: removed %s (%s, least recently used) to stay within the "
                        "budget of %s", entry.path, human(entry.bytes), human(budget))
            self.remove(entry)
            used -= entry.bytes
        return max(0, min(size, budget - used, self.free_bytes()))

    def clear(self, stale_only: bool = False) -> List[Entry]:
        """Remove every entry (or only the stale ones); returns what was removed."""
        removed = [e for e in self.entries() if e.stale or not stale_only]
        for entry in removed:
            self.remove(entry)
        return removed
