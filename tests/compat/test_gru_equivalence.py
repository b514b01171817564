"""The compat (fluid-style) gru_net and the native demo gru_net, given the same weights, train
to the same losses over 20 steps."""
import os
import re
import sys

import numpy as np
import paddle
import paddle.nn.functional as F

from paddlehub_lite.module.inputs import mark_sequence
from paddlehub_lite.nets import gru_net
from paddlehub_lite.utils.scope import set_values

from ..conftest import REPO

sys.path.insert(0, os.path.join(REPO, "examples", "elmo"))
import fluid_nets  # noqa: E402


def _program(compat: bool):
    paddle.enable_static()
    main, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(main, startup):
        x = paddle.static.data("x", [-1, -1, 12], "float32")
        seq_len = paddle.static.data("len", [-1], "int64")
        label = paddle.static.data("label", [-1, 1], "int64")
        steps = paddle.arange(paddle.shape(x)[1]).unsqueeze(0)
        mask = (steps < seq_len.unsqueeze(1)).astype("float32").unsqueeze(-1)
        if compat:
            mark_sequence(main, x, seq_len, mask)
            feature = fluid_nets.gru_net(main, x, hid_dim=8, hid_dim2=6)
        else:
            feature = gru_net(x, seq_len, mask, hid_dim=8, hid_dim2=6)
        logits = paddle.nn.Linear(6, 2, weight_attr=paddle.ParamAttr(name="out_w"),
                                  bias_attr=paddle.ParamAttr(name="out_b"))(feature)
        loss = paddle.mean(F.cross_entropy(logits, label))
        paddle.optimizer.Adam(1e-2).minimize(loss)
    return main, startup, loss


def _roles(program):
    """Trainable parameters by role: fc0 w/b (the GRU's input projection), the GRU's recurrent
    w/b, fc1 w/b, out w/b. (Paddle's flat weight buffer of the fused kernel is left out.)"""
    params = {p.name: p for p in program.global_block().all_parameters() if p.trainable}
    if "gru_net_fc0_w" in params:                                 # the native net
        names = ["gru_net_fc0_w", "gru_net_fc0_b", "gru_net_gru_w", "gru_net_gru_b",
                 "gru_net_fc1_w", "gru_net_fc1_b"]
    else:                                                         # the compat net
        find = lambda pattern: [n for n in params if re.fullmatch(pattern, n)]  # noqa: E731
        created = sorted(find(r"create_parameter_\d+\.[wb]_0"),
                         key=lambda n: int(n.split("_")[2].split(".")[0]))
        names = created[:2] + find(r"gru_cell_\d+\.w_1") + find(r"gru_cell_\d+\.b_1") + \
            created[2:4]
    return names + ["out_w", "out_b"]


def test_same_weights_same_losses_over_20_steps():
    rng = np.random.default_rng(0)
    batches = []
    for _ in range(20):
        lengths = rng.integers(1, 9, size=6).astype("int64")
        x = rng.normal(size=(6, int(lengths.max()), 12)).astype("float32")
        batches.append({"x": x, "len": lengths,
                        "label": rng.integers(0, 2, size=(6, 1)).astype("int64")})
    exe = paddle.static.Executor(paddle.CPUPlace())
    native, n_start, n_loss = _program(False)
    compat, c_start, c_loss = _program(True)
    n_scope, c_scope = paddle.static.Scope(), paddle.static.Scope()
    with paddle.static.scope_guard(n_scope):
        paddle.seed(0)
        exe.run(n_start)
    with paddle.static.scope_guard(c_scope):
        exe.run(c_start)
    value = lambda scope, name: np.array(scope.find_var(name).get_tensor())  # noqa: E731
    # native: GRU weight_ih [3H, in] (the fc), bias_ih, weight_hh, bias_hh, fc1 w, b, out w, b;
    # compat: fc w [in, 3H], fc b, GRU weight_hh, bias_hh, fc1 w, b, out w, b
    n_names, c_names = _roles(native), _roles(compat)
    assert len(c_names) == 8, c_names
    copied = {c: value(n_scope, n) for n, c in zip(n_names, c_names)}
    copied[c_names[0]] = copied[c_names[0]].T                   # x W_ih^T  ==  x W
    set_values(c_scope, copied)
    n_losses, c_losses = [], []
    for feed in batches:
        with paddle.static.scope_guard(n_scope):
            n_losses.append(float(exe.run(native, feed=feed, fetch_list=[n_loss])[0]))
        with paddle.static.scope_guard(c_scope):
            c_losses.append(float(exe.run(compat, feed=feed, fetch_list=[c_loss])[0]))
    np.testing.assert_allclose(c_losses, n_losses, atol=1e-5)
    assert n_losses[-1] < n_losses[0]                            # it did train
