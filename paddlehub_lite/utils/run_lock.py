"""One training run per directory at a time (a task's ``checkpoint_dir``, a pretraining
checkpoint).

Observed: two runs on one ``checkpoint_dir`` both exited 0, interleaved the checkpoints of two
seeds and replaced the better best model with a worse one. While a task trains it holds an
exclusive ``flock`` on ``checkpoint_dir/.lock``, which names its pid, host and start time; a
second run stops with an error naming them. The kernel drops the lock when the holder dies, so
a crashed run's lock is taken over (with a warning naming the dead pid). ``flock`` is not
reliable on some network filesystems: there, do not share a ``checkpoint_dir`` between hosts.
"""
import fcntl
import json
import os
import socket
import time

from paddlehub_lite.utils.log import logger

LOCK_FILE = ".lock"


class CheckpointDirInUse(RuntimeError):
    """Another live process is training into the same directory."""


class RunLock:
    """The lock of one ``checkpoint_dir``: ``with RunLock(dir): ...`` (or ``acquire()`` then
    ``release()``).

    Args:
        checkpoint_dir: the directory to lock (created when missing).
        name: the lock file's name in it (default ``.lock``); it must not live in a directory
            that is replaced while the lock is held.
    """

    def __init__(self, checkpoint_dir: str, name: str = LOCK_FILE):
        self.checkpoint_dir = checkpoint_dir
        self.path = os.path.join(checkpoint_dir, name)
        self._handle = None

    def acquire(self) -> None:
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(handle)
            handle.close()
            raise CheckpointDirInUse(
                "%s is in use by another training run (pid %s on %s, since %s): wait for it to "
                "finish or use another checkpoint_dir" % (self.checkpoint_dir,
                                                          holder.get("pid", "?"),
                                                          holder.get("host", "?"),
                                                          holder.get("started", "?"))) from None
        previous = _read(handle)
        if previous.get("pid"):
            logger.warning("Taking over the lock of %s from process %s on %s, which ended "
                           "without releasing it", self.checkpoint_dir, previous.get("pid"),
                           previous.get("host"))
        handle.seek(0)
        handle.truncate()
        json.dump({"pid": os.getpid(), "host": socket.gethostname(),
                   "started": time.strftime("%Y-%m-%d %H:%M:%S")}, handle)
        handle.flush()
        self._handle = handle

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def release(self) -> None:
        if self._handle is None:
            return
        self._handle.seek(0)
        self._handle.truncate()          # an empty lock file: released cleanly
        self._handle.flush()
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None


def _read(handle) -> dict:
    handle.seek(0)
    try:
        return json.loads(handle.read() or "{}")
    except ValueError:
        return {}
