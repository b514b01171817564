"""Classifier heads of PaddleHub's text-classification demos, on padded [batch, time, dim]
sequences with their real lengths (``seq_len``) and a [batch, time, 1] ``mask``. Used by the
ELMo demo (``examples/elmo``), the tests and the benchmarks: one definition.
"""
import paddle
import paddle.nn.functional as F


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
    # Max over real steps only: padded steps are pushed far below any real value. The pool op
    # (not paddle.max, whose CPU backward is ~100x slower) does the max.
    gru_h = gru_h + (mask - 1.0) * 1e4
    gru_max = F.adaptive_max_pool1d(gru_h.transpose([0, 2, 1]), 1).squeeze(-1)
    return paddle.tanh(paddle.nn.Linear(
        hid_dim, hid_dim2, weight_attr=paddle.ParamAttr(name="gru_net_fc1_w"),
        bias_attr=paddle.ParamAttr(name="gru_net_fc1_b"))(paddle.tanh(gru_max)))
