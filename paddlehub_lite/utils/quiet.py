"""Silence the messages Paddle prints that no user can act on, narrowly (Python warnings by
message and by the module that emits them), from ``import paddlehub_lite`` on
(``quiet_on_import``), so that a user's own PaddleHub 1.x-style script is as quiet as our
entry points. Set ``PADDLEHUB_LITE_PADDLE_NOISE=1`` before the import to keep every message.

Paddle's C++ log (glog) cannot be filtered by message: when Paddle is not imported yet and you
have not set ``GLOG_minloglevel`` yourself, the import sets it to 2 (errors only), which hides
the C++ lines seen on every run (``eager_utils.cc ... PIR not support input out tensor``,
``New Executor is Running``, ``pir interpreter is running by multi-thread mode``) and any
other C++ warning or info line. Set ``GLOG_minloglevel=0`` before the import to see them.

Python warnings silenced, each seen on every run:
- ``UserWarning: No ccache found`` (paddle.utils.cpp_extension, at import: about compiling
  C++ extensions, which we never do);
- ``UserWarning: Tensor do not have 'place' interface for pir graph mode`` (paddle.pir's math
  op patch, when a static program is built);
- ``input provided by inputs has no use`` (paddle.autograd.backward_utils, logged through the
  root logger when backward is built for a program with inputs the loss does not use).
"""
import logging
import os
import sys
import warnings

OFF_SWITCH = "PADDLEHUB_LITE_PADDLE_NOISE"

_LOGGED = (("backward_utils.py", "input provided by inputs has no use"),)


class _KnownPaddleLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not any(record.pathname.endswith(path) and record.getMessage() == message
                       for path, message in _LOGGED)


def quiet_known_warnings() -> None:
    """Install the filters described in the module docstring (idempotent)."""
    warnings.filterwarnings("ignore", message="No ccache found", category=UserWarning,
                            module="paddle.utils.cpp_extension")
    warnings.filterwarnings("ignore", message="Tensor do not have 'place' interface",
                            category=UserWarning, module="paddle.pir")
    root = logging.getLogger()
    if not any(isinstance(f, _KnownPaddleLogFilter) for f in root.filters):
        root.addFilter(_KnownPaddleLogFilter())


def quiet_on_import() -> None:
    """What ``import paddlehub_lite`` does (see the module docstring): the Python filters, and
    glog's level when Paddle is not imported yet and the user has not set it; nothing when
    ``PADDLEHUB_LITE_PADDLE_NOISE`` is set to anything but "" or "0"."""
    if os.environ.get(OFF_SWITCH, "") not in ("", "0"):
        return
    quiet_known_warnings()
    if "paddle" not in sys.modules:
        os.environ.setdefault("GLOG_minloglevel", "2")
