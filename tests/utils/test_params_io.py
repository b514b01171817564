import numpy as np
import paddle
import pytest

from paddlehub_lite.utils import params_io


def _program():
    paddle.enable_static()
    main, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(main, startup):
        x = paddle.static.data("x", [-1, 4], "float32")
        h, _ = paddle.nn.GRU(4, 3, weight_ih_attr=paddle.ParamAttr(name="g_w_ih"),
                             weight_hh_attr=paddle.ParamAttr(name="g_w_hh"),
                             bias_ih_attr=paddle.ParamAttr(name="g_b_ih"),
                             bias_hh_attr=paddle.ParamAttr(name="g_b_hh"))(x.unsqueeze(1))
        paddle.nn.Linear(3, 2, weight_attr=paddle.ParamAttr(name="fc_w"),
                         bias_attr=paddle.ParamAttr(name="fc_b"))(h[:, -1])
    return main, startup


def test_state_names_are_what_ops_read_and_round_trip(tmp_path):
    main, startup = _program()
    names = params_io.state_names(main)
    assert sorted(names) == ["fc_b", "fc_w", "g_b_hh", "g_b_ih", "g_w_hh", "g_w_ih"]
    scope = paddle.static.Scope()
    paddle.static.Executor(paddle.CPUPlace()).run(startup, scope=scope)
    state = params_io.read_state(scope, names)
    path = str(tmp_path / "state.npz")
    params_io.save_state(path, state)
    other = paddle.static.Scope()
    paddle.static.Executor(paddle.CPUPlace()).run(startup, scope=other)
    params_io.restore(other, path, names)
    for name in names:
        np.testing.assert_array_equal(np.array(other.find_var(name).get_tensor()), state[name])
    with pytest.raises(KeyError, match="lacks 1 variables"):
        params_io.restore(other, path, names + ["missing_w"])
    with pytest.raises(KeyError, match="not in the scope"):
        params_io.read_state(scope, ["missing_w"])
