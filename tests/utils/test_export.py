import numpy as np
import paddle
import paddle.nn as nn

from paddlehub_lite.utils.export import merge_duplicate_parameters, save_inference_model
from paddlehub_lite.utils.inference import InferencePredictor
from paddlehub_lite.utils.scope import ensure_static


def _two_rnn_program():
    ensure_static()
    program, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(program, startup):
        x = paddle.static.data("x", [-1, -1, 8], "float32")
        lens = paddle.static.data("lens", [-1], "int64")
        h, _ = nn.LSTM(8, 16)(x, sequence_length=lens)
        h, _ = nn.GRU(16, 16)(nn.Linear(16, 16)(h), sequence_length=lens)
    return program, startup, x, lens, h


def _parameter_names(program):
    return [op.attrs()["parameter_name"] for op in program.global_block().ops
            if op.name() == "builtin.parameter"]


def test_merges_the_rnn_dropout_states():
    program = _two_rnn_program()[0]
    assert _parameter_names(program).count("dropout_state__non_persistable") == 2
    assert merge_duplicate_parameters(program) == 1
    names = _parameter_names(program)
    assert len(names) == len(set(names))


def test_a_model_with_two_rnns_serves_the_executors_values(tmp_path):
    program, startup, x, lens, out = _two_rnn_program()
    scope, exe = paddle.static.Scope(), paddle.static.Executor(paddle.CPUPlace())
    feed = {"x": np.random.default_rng(0).random((3, 5, 8), dtype="float32"),
            "lens": np.array([5, 3, 1], dtype="int64")}
    with paddle.static.scope_guard(scope):
        exe.run(startup)
        (expected,) = exe.run(program, feed=feed, fetch_list=[out])
    prefix = str(tmp_path / "model")
    save_inference_model(prefix, [x, lens], [out], exe, program, scope)
    served = InferencePredictor(prefix, num_threads=1)(feed)
    np.testing.assert_allclose(served, expected, atol=1e-5)
