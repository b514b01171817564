"""Silence the warnings Paddle prints that no user can act on, narrowly (by message and by
the module that emits them), for our entry points: the ``hub-lite`` commands and the demo
scripts call ``quiet_known_warnings()`` before importing Paddle. The library itself changes no
warning or logging filter of the process it is imported into.

Silenced, each seen on every run:
- ``UserWarning: No ccache found`` (paddle.utils.cpp_extension, at import: about compiling
  C++ extensions, which we never do);
- ``UserWarning: Tensor do not have 'place' interface for pir graph mode`` (paddle.pir's math
  op patch, when a static program is built);
- ``input provided by inputs has no use`` (paddle.autograd.backward_utils, logged through the
  root logger when backward is built for a program with inputs the loss does not use).
"""
import logging
import warnings

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
