"""compat.fluid's sequence ops against numpy references on ragged lengths, the clear errors,
and the compat GRU net against the native demo net with the same weights."""
import numpy as np
import paddle
import pytest

import paddlehub_lite.compat.fluid as fluid
from paddlehub_lite.module.inputs import mark_sequence

LENGTHS = np.array([5, 2, 1, 4], dtype="int64")


def _run(build, x, lengths=LENGTHS, seed=0):
    """Build ``build(seq)`` on a marked sequence input; returns the fetched outputs."""
    paddle.enable_static()
    main, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(main, startup):
        seq = paddle.static.data("x", [-1, -1, x.shape[-1]], "float32")
        seq_len = paddle.static.data("len", [-1], "int64")
        steps = paddle.arange(paddle.shape(seq)[1]).unsqueeze(0)
        mask = (steps < seq_len.unsqueeze(1)).astype("float32").unsqueeze(-1)
        mark_sequence(main, seq, seq_len, mask)
        outs = build(seq)
    exe = paddle.static.Executor(paddle.CPUPlace())
    scope = paddle.static.Scope()
    with paddle.static.scope_guard(scope):
        paddle.seed(seed)
        exe.run(startup)
        return exe.run(main, feed={"x": x, "len": lengths},
                       fetch_list=outs if isinstance(outs, list) else [outs]), scope


def _ragged(dim=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(len(LENGTHS), LENGTHS.max(), dim)).astype("float32")
    for i, n in enumerate(LENGTHS):
        x[i, n:] = 99.0                          # padding garbage that must never count
    return x


@pytest.mark.parametrize("pool_type", ["sum", "average", "sqrt", "max", "first", "last"])
def test_sequence_pool_counts_only_real_steps(pool_type):
    x = _ragged()
    (got,), _ = _run(lambda s: fluid.layers.sequence_pool(s, pool_type), x)
    for i, n in enumerate(LENGTHS):
        real = x[i, :n]
        want = {"sum": real.sum(0), "average": real.mean(0), "sqrt": real.sum(0) / np.sqrt(n),
                "max": real.max(0), "first": real[0], "last": real[-1]}[pool_type]
        np.testing.assert_allclose(got[i], want, rtol=1e-5, atol=1e-6)


def test_last_and_first_step_and_per_step_fc_and_concat():
    x = _ragged(dim=2)
    (last, first, fc, joined), scope = _run(lambda s: [
        fluid.layers.sequence_last_step(s), fluid.layers.sequence_first_step(s),
        fluid.layers.fc(s, size=3, param_attr=fluid.ParamAttr(name="w"),
                        bias_attr=fluid.ParamAttr(name="b")),
        fluid.layers.sequence_pool(fluid.layers.concat([s, fluid.layers.tanh(s)], axis=1),
                                   "last")], x)
    w, b = np.array(scope.find_var("w").get_tensor()), np.array(scope.find_var("b").get_tensor())
    for i, n in enumerate(LENGTHS):
        np.testing.assert_allclose(last[i], x[i, n - 1], rtol=1e-6)
        np.testing.assert_allclose(first[i], x[i, 0], rtol=1e-6)
        np.testing.assert_allclose(fc[i, :n], x[i, :n] @ w + b, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(joined[i], np.concatenate([x[i, n - 1],
                                                              np.tanh(x[i, n - 1])]),
                                   rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("filter_size", [3, 2])
def test_sequence_conv_pool_sees_zeros_outside_each_sequence(filter_size):
    x = _ragged(dim=2)
    (got,), scope = _run(lambda s: fluid.nets.sequence_conv_pool(
        s, num_filters=4, filter_size=filter_size, param_attr=fluid.ParamAttr(name="cw"),
        bias_attr=fluid.ParamAttr(name="cb"), act="relu", pool_type="max"), x)
    w = np.array(scope.find_var("cw").get_tensor())            # [filters, dim, window]
    b = np.array(scope.find_var("cb").get_tensor())
    start = -(filter_size // 2)                                # fluid's context_start
    for i, n in enumerate(LENGTHS):
        padded = np.zeros((n + filter_size, 2), "float32")
        padded[-start:-start + n] = x[i, :n]
        steps = [np.einsum("fdk,kd->f", w, padded[t:t + filter_size]) + b for t in range(n)]
        np.testing.assert_allclose(got[i], np.maximum(np.stack(steps), 0).max(0), rtol=1e-5,
                                   atol=1e-5)


def test_reverse_gru_reads_each_sequence_backwards():
    x = _ragged(dim=6)
    (fw, bw), _ = _run(lambda s: [fluid.layers.dynamic_gru(s, size=2), fluid.layers.dynamic_gru(
        s, size=2, is_reverse=True)], x)
    # the backward GRU's output at step 0 of a sequence has read it all; alone it is the same
    for i, n in enumerate(LENGTHS):
        (alone_bw,), _ = _run(lambda s: [fluid.layers.dynamic_gru(s, size=2),
                                         fluid.layers.dynamic_gru(s, size=2, is_reverse=True)][1],
                              x[i:i + 1, :n], LENGTHS[i:i + 1])
        np.testing.assert_allclose(bw[i, :n], alone_bw[0], rtol=1e-5, atol=1e-6)
        # a forward GRU with the same weights (the second one created, same seed) on the
        # reversed text gives the same outputs, reversed
        (fw_rev,), _ = _run(lambda s: [fluid.layers.dynamic_gru(s, size=2),
                                       fluid.layers.dynamic_gru(s, size=2)][1],
                            x[i:i + 1, :n][:, ::-1].copy(), LENGTHS[i:i + 1])
        np.testing.assert_allclose(bw[i, :n], fw_rev[0][::-1], rtol=1e-5, atol=1e-6)


def test_clear_errors():
    with pytest.raises(NotImplementedError, match=r"fluid.layers.sequence_expand is not covered.*"
                                                  r"paddle.expand"):
        fluid.layers.sequence_expand
    with pytest.raises(NotImplementedError, match="fluid.io is not covered"):
        fluid.io
    x = _ragged()
    with pytest.raises(TypeError, match=r"fluid.sequence_pool wants a sequence .* got a "
                                        r"non-sequence tensor of shape \[-1, 3\]"):
        _run(lambda s: fluid.layers.sequence_pool(fluid.layers.sequence_pool(s, "sum"), "max"), x)
    with pytest.raises(NotImplementedError, match=r"concat\(axis=0\) of sequences"):
        _run(lambda s: fluid.layers.concat([s, s], axis=0), x)
