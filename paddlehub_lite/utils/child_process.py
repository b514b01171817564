"""``init_worker``: the initializer of the worker processes a command starts (the two
language-model processes of a split pretraining).

It lives apart from the code the workers run, in a module that does not import Paddle: a
spawned worker unpickles and runs its initializer before it imports the work (which imports
Paddle), so the entry points' warning filters are in place before Paddle prints its import-time
warnings (seen: every worker of ``hub-lite pretrain-elmo --directions split`` printed
Paddle's "No ccache found").
"""


def init_worker() -> None:
    """End this worker when the process that started it dies (Linux), so a killed command
    leaves no orphan still writing its checkpoint (observed); and the entry points' quiet
    output (``utils/quiet.py``)."""
    from paddlehub_lite.utils.quiet import quiet_known_warnings
    quiet_known_warnings()
    die_with_parent()


def die_with_parent() -> None:
    """Ask Linux to SIGTERM this process when its parent dies (``PR_SET_PDEATHSIG``; nothing
    elsewhere: the run lock still stops a second writer). Also usable as a ``Popen``
    ``preexec_fn`` step."""
    import ctypes
    import signal
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
