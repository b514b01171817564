"""Write files and directories so that readers never see a half-written one.

Everything is written under a temporary name in the same directory and renamed into place only
when complete; a crash leaves the previous version (or nothing) behind, plus at most a stray
``.tmp-*`` entry that the next writer removes.

Replacing a directory takes two renames (the old one aside as ``.old-<name>-*``, the new one into
place). A crash between them leaves no ``<name>`` but a complete ``.old-`` copy:
``recover_dir`` puts it back; readers call it before reading, writers before writing.

Temporary names carry the writer's pid (``.tmp-<name>-<pid>-<random>``): clean-up touches only
entries of writers that are no longer running, so two processes may write the same path at once
(data-parallel ranks filling one cache); the last complete rename wins.
"""
import contextlib
import os
import shutil
import tempfile


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_file(path: str, mode: str = "wb", **open_kwargs):
    """Open a temp file beside ``path``; on success fsync and rename it to ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    recover_dir(path)  # removes a crashed writer's .tmp-<name>-* file
    fd, tmp = tempfile.mkstemp(prefix=_prefix(".tmp", path), dir=directory)
    os.chmod(tmp, _new_file_mode())   # mkstemp makes 0600; a plain open() obeys the umask
    try:
        with os.fdopen(fd, mode, **open_kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


@contextlib.contextmanager
def atomic_dir(path: str):
    """Yield a temp directory beside ``path``; on success it replaces ``path`` whole.

    The old ``path`` (if any) is moved aside first and deleted only after the new one is in
    place, so at every instant either the old or the new complete directory exists.
    """
    path = os.path.abspath(path)
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    recover_dir(path)
    tmp = tempfile.mkdtemp(prefix=_prefix(".tmp", path), dir=parent)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if os.path.exists(path):
        old = tempfile.mkdtemp(prefix=_prefix(".old", path), dir=parent)
        os.rmdir(old)
        os.replace(path, old)
    os.replace(tmp, path)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def _prefix(kind: str, path: str) -> str:
    return "%s-%s-%d-" % (kind, os.path.basename(path), os.getpid())


def _writer_alive(entry: str, prefix: str) -> bool:
    """Whether the process that made ``entry`` (pid after ``prefix``) still runs here."""
    pid = os.path.basename(entry)[len(prefix):].split("-", 1)[0]
    if not pid.isdigit():
        return False                # a name from before pids were recorded
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftovers(path: str, kind: str):
    """``.tmp-<name>-*`` or ``.old-<name>-*`` entries beside ``path`` whose writer is no longer
    running, oldest first."""
    parent, name = os.path.split(os.path.abspath(path))
    prefix = "%s-%s-" % (kind, name)
    try:
        found = [os.path.join(parent, e) for e in os.listdir(parent) if e.startswith(prefix)]
    except FileNotFoundError:
        return []
    found = [e for e in found if not _writer_alive(e, prefix)]
    return sorted(found, key=os.path.getmtime)


def recover_dir(path: str) -> None:
    """Undo what a crash inside ``atomic_dir`` left: with ``path`` missing, the complete copy
    moved aside as ``.old-*`` is put back; then leftover ``.old-*`` and ``.tmp-*`` entries of
    ``path`` (never anything else, never a running writer's) are removed."""
    olds = _leftovers(path, ".old")
    if olds and not os.path.exists(path):
        with contextlib.suppress(FileNotFoundError):
            os.replace(olds.pop(), path)
    for entry in olds + _leftovers(path, ".tmp"):
        if os.path.isdir(entry) and not os.path.islink(entry):
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.remove(entry)
