"""``fluid.framework``: ``switch_main_program`` (new layers go into that program, their
initialisers into the default startup program, as in 1.x), ``default_main_program``,
``default_startup_program``, ``Program``."""
import paddle
from paddle.pir import core as _pir_core

Program = paddle.static.Program
default_main_program = paddle.static.default_main_program
default_startup_program = paddle.static.default_startup_program


def switch_main_program(program):
    """Make ``program`` the default main program (new ops go to the end of its global block);
    returns the previous one. (Paddle 3's PIR programs: ``paddle.pir.core``.)"""
    previous, _ = _pir_core.switch_main_program(program)
    return previous


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotImplementedError(
        "paddlehub_lite.compat.fluid.framework.%s is not covered: Paddle 3 has no fluid; use "
        "paddle.static (e.g. paddle.static.program_guard) instead" % name)
