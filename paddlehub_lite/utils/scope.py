"""Helpers for explicit Paddle scopes (no global state leaks between tasks or notebook cells)."""
import contextlib
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


def clone_program(program, for_test: bool = False):
    """``(clone, mapping)`` of a PIR program, keeping what ``Program.clone`` drops.

    A parameter's Python-side settings (``ParamAttr(learning_rate=...)`` -> ``optimize_attr``,
    its regularizer) live on the Value, not in the program, and a plain clone loses them: the
    demo's x30 embedding rate would silently become x1. With ``for_test`` dropout and other
    training-only behaviour is switched off in the clone.
    """
    mapping = paddle.pir.IrMapping()
    clone = program.clone(mapping)
    originals = {op.attrs()["parameter_name"]: op.result(0)
                 for op in program.global_block().ops if op.name() == "builtin.parameter"}
    for op in clone.global_block().ops:
        if op.name() != "builtin.parameter":
            continue
        source = originals.get(op.attrs()["parameter_name"])
        if source is None:
            continue
        value = op.result(0)
        for attr in ("optimize_attr", "regularizer"):
            if getattr(source, attr, None) is not None:
                setattr(value, attr, getattr(source, attr))
    if for_test:
        clone.set_is_test_attr()
    return clone, mapping


def ensure_static() -> None:
    """paddlehub_lite builds static-graph programs (as PaddleHub 1.x did); switch Paddle to
    static mode if a notebook or script has not done so yet."""
    if paddle.in_dynamic_mode():
        paddle.enable_static()


@contextlib.contextmanager
def restored_rng():
    """Run a block that seeds Paddle's global random generator (``paddle.seed``: initial
    values, the dropout masks of each training step) and give the caller's generator state
    back afterwards, so a task leaves no reseeded generator behind."""
    state = paddle.get_rng_state()
    try:
        yield
    finally:
        paddle.set_rng_state(state)


_SINKS = ("parameter_name", "output_name")     # set_parameter / shadow_output: what they set


def startup_for(startup_program, program):
    """A copy of ``startup_program`` that initialises only the persistable values
    ``program`` has: Paddle's default startup program collects every layer built without
    one, so in a notebook it holds the earlier tasks' initialisers too, whose random draws
    would shift this task's initial values (and fill its scope with their parameters)."""
    wanted = {v.name for v in program.list_vars() if v.persistable}
    pruned = startup_program.clone()
    block = pruned.global_block()
    seen = set()
    for op in reversed(list(block.ops)):    # a name set twice (a cell run again): the last
        target = next((op.str_attr(a) for a in _SINKS if op.has_attr(a)), None)
        if target is not None and (target not in wanted or target in seen):
            block.remove_op(op)
        seen.add(target)
    changed = True
    while changed:       # then every op whose results nothing reads any more
        changed = False
        for op in reversed(list(block.ops)):
            if op.num_results() and all(r.use_empty() for r in op.results()):
                block.remove_op(op)
                changed = True
    return pruned
