"""A directory that says what it holds: ``files.json`` lists every file's size and sha256,
written last (after every other file is complete) and checked by readers.

A checkpoint or best model is only as good as its files: a writer that ignores a full disk
leaves a short file that looks fine until it is loaded. ``record`` is called inside
``atomic_dir`` after the content is written (and verified by its writer where that is possible),
``verify`` before anything is loaded; a mismatch raises ``CorruptDirectoryError`` naming the file.
"""
import json
import os
from typing import Dict

from paddlehub_lite.utils.download import sha256_file

FILES = "files.json"


class CorruptDirectoryError(RuntimeError):
    """A file of a recorded directory is missing, or its size or sha256 changed."""


def _walk(directory: str):
    for root, _, names in os.walk(directory):
        for name in sorted(names):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, directory).replace(os.sep, "/")
            if rel != FILES:
                yield rel, path


def record(directory: str) -> Dict[str, Dict]:
    """Write ``directory/files.json`` for every file now in ``directory``; returns the listing."""
    files = {rel: {"bytes": os.path.getsize(path), "sha256": sha256_file(path)}
             for rel, path in _walk(directory)}
    target = os.path.join(directory, FILES)
    with open(target, "w") as handle:
        json.dump({"files": files}, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    return files


def verify(directory: str) -> None:
    """Check every file ``files.json`` lists (and that nothing listed is missing)."""
    listing = os.path.join(directory, FILES)
    try:
        with open(listing) as handle:
            files = json.load(handle)["files"]
    except FileNotFoundError:
        raise CorruptDirectoryError("%s: no %s (incomplete, or written by paddlehub_lite 0.1)"
                                    % (directory, FILES)) from None
    except (ValueError, KeyError) as err:
        raise CorruptDirectoryError("%s: unreadable (%s)" % (listing, err)) from None
    check_files(directory, files, CorruptDirectoryError)


def check_files(directory: str, files: Dict[str, Dict], error=CorruptDirectoryError) -> None:
    """Raise ``error`` naming the first file of ``files`` (``{relative path: {"bytes",
    "sha256"}}``) that is missing in ``directory`` or whose size or sha256 differs."""
    for rel, meta in files.items():
        path = os.path.join(directory, rel)
        if not os.path.isfile(path):
            raise error("%s: missing (listed as written)" % path)
        size = os.path.getsize(path)
        if size != meta["bytes"]:
            raise error("%s: %d bytes, %d were written (truncated or replaced)"
                        % (path, size, meta["bytes"]))
        if sha256_file(path) != meta["sha256"]:
            raise error("%s: sha256 differs from what was written (modified)" % path)
