"""The demo heads count only real steps: padding never changes a text's feature."""
import numpy as np
import paddle
import pytest

from paddlehub_lite.nets import NETWORKS


def _run(net_name, x, lengths):
    paddle.enable_static()
    main, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(main, startup):
        feat = paddle.static.data("x", [-1, -1, x.shape[-1]], "float32")
        seq_len = paddle.static.data("len", [-1], "int64")
        steps = paddle.arange(paddle.shape(feat)[1]).unsqueeze(0)
        mask = (steps < seq_len.unsqueeze(1)).astype("float32").unsqueeze(-1)
        out = NETWORKS[net_name](feat, seq_len, mask, hid_dim=8, hid_dim2=6)
    exe = paddle.static.Executor(paddle.CPUPlace())
    scope = paddle.static.Scope()
    with paddle.static.scope_guard(scope):
        paddle.seed(0)
        exe.run(startup)
        return exe.run(main, feed={"x": x, "len": lengths}, fetch_list=[out])[0]


@pytest.mark.parametrize("net_name", sorted(NETWORKS))
def test_padding_does_not_change_the_feature(net_name):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    lengths = np.array([5, 3, 1], dtype="int64")
    padded = x.copy()
    for i, n in enumerate(lengths):
        padded[i, n:] = rng.normal(size=padded[i, n:].shape) * 10   # garbage after the end
    np.testing.assert_allclose(_run(net_name, x, lengths), _run(net_name, padded, lengths),
                               rtol=1e-5, atol=1e-6)
    # and a text alone, without padding, gives what it gives in the batch
    alone = _run(net_name, x[1:2, :3], lengths[1:2])
    np.testing.assert_allclose(alone, _run(net_name, padded, lengths)[1:2], rtol=1e-5, atol=1e-6)


def test_bilstm_backward_half_has_read_the_whole_text():
    """The backward LSTM contributes its state after reading the whole text (1.x took its
    output at the last token, which had read only that token). With the forward half's fc
    rows zeroed, the feature depends on the backward half alone: a change at the first or a
    middle token changes it; padding after the end does not."""
    paddle.enable_static()
    main, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(main, startup):
        feat = paddle.static.data("x", [-1, -1, 4], "float32")
        seq_len = paddle.static.data("len", [-1], "int64")
        steps = paddle.arange(paddle.shape(feat)[1]).unsqueeze(0)
        mask = (steps < seq_len.unsqueeze(1)).astype("float32").unsqueeze(-1)
        out = NETWORKS["bilstm"](feat, seq_len, mask, hid_dim=8, hid_dim2=6)
    exe = paddle.static.Executor(paddle.CPUPlace())
    scope = paddle.static.Scope()
    rng = np.random.default_rng(1)
    base = rng.normal(size=(1, 5, 4)).astype("float32")
    variants = [base.copy() for _ in range(4)]
    variants[1][0, 0] += 1.0                    # the first token
    variants[2][0, 1] += 1.0                    # a middle token
    variants[3][0, 3:] += 10.0                  # padding after the 3 real tokens
    x = np.concatenate(variants)
    lengths = np.full(4, 3, dtype="int64")
    with paddle.static.scope_guard(scope):
        paddle.seed(0)
        exe.run(startup)
        weight = scope.find_var("bilstm_net_fc1_w").get_tensor()
        w = np.array(weight)
        w[:8] = 0.0                              # rows of the forward direction's final state
        weight.set(w, paddle.CPUPlace())
        got = exe.run(main, feed={"x": x, "len": lengths}, fetch_list=[out])[0]
    assert np.abs(got[1] - got[0]).max() > 1e-4
    assert np.abs(got[2] - got[0]).max() > 1e-4     # 1.x's last-token output: unchanged here
    np.testing.assert_allclose(got[3], got[0], rtol=1e-6, atol=1e-7)
