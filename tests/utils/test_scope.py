import numpy as np
import paddle
import pytest

from paddlehub_lite.utils.scope import clone_program, init_missing, set_values


def test_clone_keeps_learning_rate_multipliers_that_program_clone_drops():
    paddle.enable_static()
    main, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(main, startup):
        ids = paddle.static.data("ids", [-1, 3], "int64")
        paddle.nn.Embedding(10, 4, weight_attr=paddle.ParamAttr(name="emb",
                                                                learning_rate=30))(ids)
    rate = lambda program: [(op.result(0).optimize_attr or {}).get("learning_rate")  # noqa
                            for op in program.global_block().ops
                            if op.name() == "builtin.parameter"][0]
    assert rate(main) == 30
    assert rate(main.clone()) != 30                           # the Paddle behaviour we fix
    assert rate(clone_program(main)[0]) == 30


def test_set_values_checks_names_and_shapes_and_init_missing_keeps_values():
    paddle.enable_static()
    main, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(main, startup):
        x = paddle.static.data("x", [-1, 2], "float32")
        paddle.nn.Linear(2, 2, weight_attr=paddle.ParamAttr(name="w"),
                         bias_attr=paddle.ParamAttr(name="b"))(x)
    exe = paddle.static.Executor(paddle.CPUPlace())
    scope = paddle.static.Scope()
    exe.run(startup, scope=scope)
    set_values(scope, {"w": np.full((2, 2), 7, "float32")})
    with pytest.raises(ValueError, match="shape"):
        set_values(scope, {"w": np.zeros((3, 2), "float32")})
    with pytest.raises(KeyError, match="not in the scope"):
        set_values(scope, {"nope": np.zeros(1, "float32")})
    init_missing(startup, scope, exe)                          # w exists: left as it is
    assert (np.array(scope.find_var("w").get_tensor()) == 7).all()
