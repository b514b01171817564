"""Helpers for explicit Paddle scopes (no global state leaks between tasks or notebook cells)."""
from typing import Dict

import numpy as np
import paddle


def init_missing(startup_program, scope, exe) -> None:
    """Run ``startup_program`` in a scratch scope and copy into ``scope`` only the variables it
    does not have yet.

    A second program that shares parameters by name with one already initialised (an eval
    program, say) still needs Paddle's own hidden buffers (``nn.LSTM`` creates an auto-named
    flat-weight buffer per program); this creates those without touching trained values.
    """
    scratch = paddle.static.Scope()
    exe.run(startup_program, scope=scratch)
    for name in scratch.local_var_names():
        if scope.find_var(name) is None:
            value = np.array(scratch.find_var(name).get_tensor())
            scope.var(name).get_tensor().set(value, paddle.CPUPlace())


def set_values(scope, values: Dict[str, np.ndarray], place=None) -> None:
    """Write numpy arrays into existing scope variables by name (shapes must match)."""
    place = place or paddle.CPUPlace()
    for name, value in values.items():
        var = scope.find_var(name)
        if var is None:
            raise KeyError("variable %r is not in the scope" % name)
        tensor = var.get_tensor()
        current = tuple(tensor.shape())
        if current != tuple(value.shape):
            raise ValueError("variable %r has shape %s, the value has %s"
                             % (name, current, tuple(value.shape)))
        tensor.set(np.ascontiguousarray(value), place)


def get_value(scope, name: str) -> np.ndarray:
    var = scope.find_var(name)
    if var is None:
        raise KeyError("variable %r is not in the scope" % name)
    return np.array(var.get_tensor())
