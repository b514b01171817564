"""Classifier heads of PaddleHub's text-classification demos, on padded [batch, time, dim]
sequences with their real lengths (``seq_len``) and a [batch, time, 1] ``mask``. Used by the
ELMo demo (``examples/elmo``, ``--network``), the tests and the benchmarks: one definition
each. ``NETWORKS`` maps the demo's names to them.
"""
import paddle
import paddle.nn.functional as F


def _masked_max(h, mask):
    """Max over the real steps of [B, T, D]: padded steps are pushed far below any real value.
    The pool op (not paddle.max, whose CPU backward is ~100x slower) does the max."""
    h = h + (mask - 1.0) * 1e4
    return F.adaptive_max_pool1d(h.transpose([0, 2, 1]), 1).squeeze(-1)


def gru_net(input_feature, seq_len, mask, hid_dim=128, hid_dim2=96):
    """fc(384) -> GRU(128) over the real time steps -> max pool -> tanh -> fc(96, tanh).

    PaddleHub's fc(hid_dim * 3) was the GRU's input projection: fluid's ``dynamic_gru`` took
    the fc's output as its gate inputs and had only the hidden-to-hidden weights. ``nn.GRU``
    carries that projection itself (``weight_ih`` + ``bias_ih``, 3 x 128 = 384 wide), so here it
    is one matrix, as in the original, not two in a row. Initialised as fluid did: Xavier
    weights, zero biases.
    """
    xavier, zero = paddle.nn.initializer.XavierUniform(), paddle.nn.initializer.Constant(0.0)
    gru = paddle.nn.GRU(input_feature.shape[-1], hid_dim,
                        weight_ih_attr=paddle.ParamAttr(name="gru_net_fc0_w", initializer=xavier),
                        bias_ih_attr=paddle.ParamAttr(name="gru_net_fc0_b", initializer=zero),
                        weight_hh_attr=paddle.ParamAttr(name="gru_net_gru_w", initializer=xavier),
                        bias_hh_attr=paddle.ParamAttr(name="gru_net_gru_b", initializer=zero))
    gru_h, _ = gru(input_feature, sequence_length=seq_len)
    gru_max = _masked_max(gru_h, mask)
    return paddle.tanh(paddle.nn.Linear(
        hid_dim, hid_dim2, weight_attr=paddle.ParamAttr(name="gru_net_fc1_w"),
        bias_attr=paddle.ParamAttr(name="gru_net_fc1_b"))(paddle.tanh(gru_max)))


def _fc(x, size, name, act=None):
    out = paddle.nn.Linear(x.shape[-1], size, weight_attr=paddle.ParamAttr(name=name + "_w"),
                           bias_attr=paddle.ParamAttr(name=name + "_b"))(x)
    return paddle.tanh(out) if act == "tanh" else out


def _lstm(input_feature, hid_dim, name, direction="forward"):
    """fluid's fc(4H) + dynamic_lstm as one ``nn.LSTM`` (its weight_ih is the projection)."""
    xavier, zero = paddle.nn.initializer.XavierUniform(), paddle.nn.initializer.Constant(0.0)
    return paddle.nn.LSTM(input_feature.shape[-1], hid_dim, direction=direction,
                          weight_ih_attr=paddle.ParamAttr(name=name + "_fc0_w", initializer=xavier),
                          bias_ih_attr=paddle.ParamAttr(name=name + "_fc0_b", initializer=zero),
                          weight_hh_attr=paddle.ParamAttr(name=name + "_lstm_w",
                                                          initializer=xavier),
                          bias_hh_attr=paddle.ParamAttr(name=name + "_lstm_b", initializer=zero))


def bow_net(input_feature, seq_len, mask, hid_dim=128, hid_dim2=96):
    """Sum over the real steps -> tanh -> fc(128, tanh) -> fc(96, tanh)."""
    bow = paddle.tanh(paddle.sum(input_feature * mask, axis=1))
    return _fc(_fc(bow, hid_dim, "bow_net_fc0", "tanh"), hid_dim2, "bow_net_fc1", "tanh")


def cnn_net(input_feature, seq_len, mask, hid_dim=128, hid_dim2=96, win_size=3):
    """fluid's ``sequence_conv_pool``: a window-3 convolution (128 filters, relu) over each
    sequence alone (steps outside it count as zeros, as fluid's context padding did), max over
    the real steps -> fc(96) (no activation, as in the demo)."""
    x = (input_feature * mask).transpose([0, 2, 1])            # [B, D, T], zero beyond the end
    conv = paddle.nn.Conv1D(x.shape[1], hid_dim, win_size, padding=(win_size - 1) // 2,
                            weight_attr=paddle.ParamAttr(name="cnn_net_conv_w"),
                            bias_attr=paddle.ParamAttr(name="cnn_net_conv_b"))
    h = F.relu(conv(x)).transpose([0, 2, 1])
    return _fc(_masked_max(h, mask), hid_dim2, "cnn_net_fc1")


def lstm_net(input_feature, seq_len, mask, hid_dim=128, hid_dim2=96):
    """fc(512) -> LSTM(128) over the real steps -> max pool -> tanh -> fc(96, tanh)."""
    lstm_h, _ = _lstm(input_feature, hid_dim, "lstm_net")(input_feature, sequence_length=seq_len)
    return _fc(paddle.tanh(_masked_max(lstm_h, mask)), hid_dim2, "lstm_net_fc1", "tanh")


def bilstm_net(input_feature, seq_len, mask, hid_dim=128, hid_dim2=96):
    """fc(512) -> forward and backward LSTM(128) -> each direction's final state -> concat ->
    fc(96, tanh).

    PaddleHub's demo took ``sequence_last_step`` of the reverse LSTM too, i.e. its output at the
    last token, which has read only that one token; here the backward direction contributes its
    state after reading the whole text (its output at the first token), as a biLSTM encoder
    is meant to. (The demo's unused tanh copies are left out.)
    """
    _, (h, _) = _lstm(input_feature, hid_dim, "bilstm_net", "bidirect")(
        input_feature, sequence_length=seq_len)
    last = paddle.concat([h[0], h[1]], axis=-1)                 # forward final, backward final
    return _fc(last, hid_dim2, "bilstm_net_fc1", "tanh")


NETWORKS = {"bow": bow_net, "cnn": cnn_net, "gru": gru_net, "lstm": lstm_net,
            "bilstm": bilstm_net}
