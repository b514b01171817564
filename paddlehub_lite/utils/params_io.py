"""Save and restore a static program's state (parameters and optimizer moments) as ``.npz``.

Not ``paddle.static.save``: that writes pickles (loading one can run code) and, under PIR,
insists on every persistable variable, including the auto-named flat-weight buffer that each
``nn.LSTM``/``nn.GRU`` adds and that no op of the program reads, whose name changes whenever
the program is rebuilt.
"""
import io
from typing import Dict, Iterable, List

import numpy as np

from paddlehub_lite.utils.atomic import atomic_file

_STATE_OPS = ("builtin.parameter", "pd_op.data")


def state_names(program) -> List[str]:
    """Persistable variables of ``program`` that some op reads: parameters, optimizer moments,
    beta-power accumulators, the learning-rate variable."""
    names = []
    for value in program.list_vars():
        if not value.persistable or value.get_defining_op().name() not in _STATE_OPS:
            continue
        if value.use_empty() or value.name.endswith("__non_persistable"):
            continue
        names.append(value.name)
    return names


def read_state(scope, names: Iterable[str]) -> Dict[str, np.ndarray]:
    state = {}
    for name in names:
        var = scope.find_var(name)
        if var is None:
            raise KeyError("variable %r is not in the scope" % name)
        state[name] = np.array(var.get_tensor())
    return state


def save_state(path: str, state: Dict[str, np.ndarray]) -> None:
    """Write ``state`` to ``path`` (.npz) atomically."""
    buffer = io.BytesIO()
    np.savez(buffer, **state)
    with atomic_file(path, "wb") as handle:
        handle.write(buffer.getvalue())


def load_state(path: str) -> Dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def restore(scope, path: str, names: Iterable[str]) -> None:
    """Set every variable in ``names`` from the file at ``path``; a missing one is an error."""
    state = load_state(path)
    missing = [n for n in names if n not in state]
    if missing:
        raise KeyError("%s lacks %d variables the program needs, e.g. %s"
                       % (path, len(missing), missing[:5]))
    from paddlehub_lite.utils.scope import set_values   # Paddle: only where a scope is set
    set_values(scope, {n: state[n] for n in names})
