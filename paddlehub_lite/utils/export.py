"""Exporting a static program as a ``paddle.inference`` model that the predictor can load.

Paddle 3.3's ``nn.LSTM`` / ``nn.GRU`` each add a parameter op named
``dropout_state__non_persistable`` to the program. ``save_inference_model`` writes that tensor
once, but ``paddle.inference`` expects one tensor per parameter op, so a model with two or more
RNN layers fails to load ("Cannot read tensor desc size"). Ops of the same name denote the same
scope variable, so merging them into one changes nothing the program computes.
"""
import paddle


def merge_duplicate_parameters(program) -> int:
    """Make every parameter name appear in ``program`` once (in place): later parameter ops of
    a name already seen are replaced by the first one. Returns how many were merged."""
    first = {}
    merged = 0
    block = program.global_block()
    for op in list(block.ops):
        if op.name() != "builtin.parameter":
            continue
        name = op.attrs()["parameter_name"]
        if name in first:
            op.result(0).replace_all_uses_with(first[name])
            block.remove_op(op)
            merged += 1
        else:
            first[name] = op.result(0)
    return merged


def save_inference_model(prefix: str, feeds, fetches, exe, program, scope) -> None:
    """``paddle.static.save_inference_model`` of ``program`` with the values of ``scope``,
    after ``merge_duplicate_parameters(program)``; writes ``<prefix>.json`` and
    ``<prefix>.pdiparams``."""
    merge_duplicate_parameters(program)
    with paddle.static.scope_guard(scope):
        paddle.static.save_inference_model(prefix, feeds, fetches, exe, program=program)
