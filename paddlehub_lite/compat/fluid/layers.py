"""``fluid.layers``: the subset PaddleHub 1.x's text-classification demos use, on padded
sequences (``sequence.py``). Anything else raises ``NotImplementedError`` naming the Paddle 3
way to write it.

Recurrent layers take the already projected input, as fluid's did (an ``fc`` of 3H for
``dynamic_gru``, 4H for ``dynamic_lstm``), and run Paddle 3's fused GRU/LSTM kernels: the
projection passes through the kernel's input weight fixed to the identity, so the fc stays the
one trainable input projection. Two differences from fluid's formulas, both from the fused
kernels (the native demo nets in ``paddlehub_lite/nets.py`` share them): the GRU applies its
reset gate after the recurrent product, ``r * (h W_c)`` (cuDNN's form) where fluid computed
``(r * h) W_c``; and the LSTM has no peephole connections (fluid's ``use_peepholes=True``
default; a warning says so unless ``use_peepholes=False`` is passed). The gates' order and
sign inside the projection are Paddle's (a parametrization of a freshly trained layer).
"""
import numpy as np
import paddle
import paddle.nn.functional as F

from paddlehub_lite.compat.fluid import sequence
from paddlehub_lite.compat.fluid.initializer import Constant, Xavier
from paddlehub_lite.compat.fluid.param_attr import weight_attr
from paddlehub_lite.module.inputs import attached
from paddlehub_lite.utils.log import logger

_ACTS = {None: lambda x: x, "tanh": paddle.tanh, "relu": F.relu, "sigmoid": F.sigmoid,
         "softmax": F.softmax}


def _act(x, act, where):
    if act not in _ACTS:
        raise NotImplementedError("fluid.%s(act=%r) is not covered: use one of %s, or apply "
                                  "paddle.nn.functional.%s to its output"
                                  % (where, act, sorted(a for a in _ACTS if a), act))
    return _ACTS[act](x)


def _same_lengths(out, source):
    return sequence.mark_like(out, source) if sequence.is_sequence(source) else out


def embedding(input, size, is_sparse=False, is_distributed=False, padding_idx=None,
              param_attr=None, dtype="float32"):
    """Word ids [batch, time] (padded) -> a sequence [batch, time, size[1]]."""
    if len(input.shape) != 2:
        raise TypeError("fluid.embedding: the ids must be the padded [batch, time] word ids "
                        "(inputs['word_ids']), got shape %s" % list(input.shape))
    out = F.embedding(input, paddle.create_parameter(
        list(size), dtype, attr=weight_attr(param_attr, Xavier())), padding_idx=padding_idx)
    pad_ids = [c.pad_id for c in attached(sequence.current_program())
               if c.word_ids_name == input.name]
    return sequence.mark_from_ids(out, input, pad_ids[0] if pad_ids else 0)


def concat(input, axis=0, name=None):
    """Sequences: ``axis=1`` joins their features per step (fluid's layout: [steps, dim]).
    Other tensors: ``paddle.concat``."""
    parts = list(input)
    if any(sequence.is_sequence(x) for x in parts):
        if axis != 1:
            raise NotImplementedError(
                "fluid.concat(axis=%d) of sequences (joining time steps) is not covered: "
                "concatenate features with axis=1" % axis)
        lens = [sequence.lengths(x, "concat")[0].id for x in parts]
        if len(set(lens)) != 1:
            raise ValueError("fluid.concat: the sequences come from different word ids "
                             "(their lengths differ)")
        return sequence.mark_like(paddle.concat(parts, axis=-1), parts[0])
    return paddle.concat(parts, axis=axis)


def fc(input, size, num_flatten_dims=1, param_attr=None, bias_attr=None, act=None,
       is_test=False, name=None):
    """A fully connected layer; on a sequence it applies to every step (fluid's [steps, dim]
    rows). A list of inputs is summed after their own weights, with one bias."""
    inputs = list(input) if isinstance(input, (list, tuple)) else [input]
    attrs = list(param_attr) if isinstance(param_attr, (list, tuple)) else \
        [param_attr] * len(inputs)
    if len(inputs) > 1 and any(isinstance(a, str) or getattr(a, "name", None) for a in attrs):
        if len({getattr(a, "name", a) for a in attrs}) != len(attrs):
            raise ValueError("fluid.fc: give each input its own param_attr name")
    total = None
    for x, attr in zip(inputs, attrs):
        if not sequence.is_sequence(x) and len(x.shape) > 2:
            x = paddle.flatten(x, start_axis=num_flatten_dims)
        w = paddle.create_parameter([x.shape[-1], size], x.dtype,
                                    attr=weight_attr(attr, Xavier()))
        y = paddle.matmul(x, w)
        total = y if total is None else total + y
    bias = weight_attr(bias_attr, Constant(0.0))
    if bias is not False:
        total = total + paddle.create_parameter([size], total.dtype, attr=bias, is_bias=True)
    return _same_lengths(_act(total, act, "fc"), inputs[0])


def tanh(x, name=None):
    return _same_lengths(paddle.tanh(x), x)


def softmax(input, use_cudnn=False, name=None, axis=-1):
    return _same_lengths(F.softmax(input, axis=axis), input)


def dropout(x, dropout_prob, is_test=False, seed=None, name=None,
            dropout_implementation="downgrade_in_infer"):
    """fluid's default ``downgrade_in_infer``: training multiplies by the mask, inference by
    (1 - p); ``upscale_in_train`` scales in training instead."""
    if dropout_implementation not in ("downgrade_in_infer", "upscale_in_train"):
        raise ValueError("dropout_implementation must be downgrade_in_infer or upscale_in_train")
    mode = ("downscale_in_infer" if dropout_implementation == "downgrade_in_infer"
            else "upscale_in_train")
    return _same_lengths(F.dropout(x, p=dropout_prob, training=not is_test, mode=mode), x)


def _recurrent_input(input, size, where):
    seq_len, mask = sequence.lengths(input, where)
    if input.shape[-1] != size:
        raise ValueError("fluid.%s: the input must be the projected %d-wide sequence (an fc of "
                         "that size), got width %s" % (where, size, input.shape[-1]))
    return seq_len, mask


def _run(rnn, input, seq_len, is_reverse: bool):
    """The hidden sequence of ``rnn`` over ``input``; ``is_reverse`` reads each sequence from
    its last real step back (outputs in the input's order, as fluid's)."""
    x = sequence.reverse(input, seq_len) if is_reverse else input
    hidden, _ = rnn(x, sequence_length=seq_len)
    if is_reverse:
        hidden = sequence.reverse(hidden, seq_len)
    return sequence.mark_like(hidden, input)


def _identity(width):
    return paddle.ParamAttr(trainable=False, initializer=paddle.nn.initializer.Assign(
        np.eye(width, dtype="float32")))


def dynamic_gru(input, size, param_attr=None, bias_attr=None, is_reverse=False,
                gate_activation="sigmoid", candidate_activation="tanh", h_0=None,
                origin_mode=False):
    """A GRU of ``size`` units over a projected [batch, time, 3*size] sequence; returns the
    hidden sequence (see the module docstring for the kernel's formula)."""
    if (gate_activation, candidate_activation) != ("sigmoid", "tanh") or h_0 is not None:
        raise NotImplementedError("fluid.dynamic_gru: only the default activations and h_0=None "
                                  "are covered (Paddle 3's fused kernel): use paddle.nn.GRU")
    seq_len, _ = _recurrent_input(input, 3 * size, "dynamic_gru")
    gru = paddle.nn.GRU(3 * size, size, weight_ih_attr=_identity(3 * size),
                        bias_ih_attr=paddle.ParamAttr(trainable=False,
                                                      initializer=Constant(0.0)),
                        weight_hh_attr=weight_attr(param_attr, Xavier()),
                        bias_hh_attr=weight_attr(bias_attr, Constant(0.0)))
    return _run(gru, input, seq_len, is_reverse)


class _NoCellSequence:
    """``dynamic_lstm``'s second output: the fused kernel does not give the cell sequence."""

    def __getattr__(self, name):
        raise NotImplementedError("the cell sequence of fluid.dynamic_lstm is not available "
                                  "(Paddle 3's fused LSTM returns only the final cell state)")


def dynamic_lstm(input, size, h_0=None, c_0=None, param_attr=None, bias_attr=None,
                 use_peepholes=True, is_reverse=False, gate_activation="sigmoid",
                 cell_activation="tanh", candidate_activation="tanh", dtype="float32",
                 name=None):
    """An LSTM of ``size // 4`` units over a projected [batch, time, size] sequence; returns
    ``(hidden, cell)`` as fluid did (the cell sequence is not available: see
    ``_NoCellSequence``)."""
    if (gate_activation, cell_activation, candidate_activation) != ("sigmoid", "tanh", "tanh") \
            or h_0 is not None or c_0 is not None:
        raise NotImplementedError("fluid.dynamic_lstm: only the default activations and "
                                  "h_0 = c_0 = None are covered: use paddle.nn.LSTM")
    if size % 4:
        raise ValueError("fluid.dynamic_lstm: size is 4 x the hidden units, got %d" % size)
    seq_len, _ = _recurrent_input(input, size, "dynamic_lstm")
    if use_peepholes:
        logger.warning("fluid.dynamic_lstm(use_peepholes=True): Paddle 3's fused LSTM has no "
                       "peephole connections; this LSTM runs without them (pass "
                       "use_peepholes=False to say so)")
    lstm = paddle.nn.LSTM(size, size // 4, weight_ih_attr=_identity(size),
                          bias_ih_attr=paddle.ParamAttr(trainable=False,
                                                        initializer=Constant(0.0)),
                          weight_hh_attr=weight_attr(param_attr, Xavier()),
                          bias_hh_attr=weight_attr(bias_attr, Constant(0.0)))
    return _run(lstm, input, seq_len, is_reverse), _NoCellSequence()


def sequence_pool(input, pool_type, is_test=False, pad_value=0.0):
    """One vector per sequence: sum, average, sqrt (sum / sqrt(length)), max, first, last."""
    seq_len, mask = sequence.lengths(input, "sequence_pool")
    pool_type = pool_type.lower()
    if pool_type in ("sum", "average", "sqrt"):
        total = paddle.sum(input * mask, axis=1)
        n = seq_len.astype(input.dtype).unsqueeze(-1)
        return {"sum": total, "average": total / n, "sqrt": total / paddle.sqrt(n)}[pool_type]
    if pool_type == "max":
        shifted = input + (mask - 1.0) * 1e30
        return F.adaptive_max_pool1d(shifted.transpose([0, 2, 1]), 1).squeeze(-1)
    if pool_type == "first":
        return input[:, 0]
    if pool_type == "last":
        index = paddle.expand((seq_len - 1).reshape([-1, 1, 1]),
                              [-1, 1, input.shape[-1]]).astype("int64")
        return paddle.take_along_axis(input, index, axis=1, broadcast=False).squeeze(1)
    raise ValueError("fluid.sequence_pool: pool_type must be sum, average, sqrt, max, first or "
                     "last, got %r" % pool_type)


def sequence_last_step(input):
    return sequence_pool(input, "last")


def sequence_first_step(input):
    return sequence_pool(input, "first")


_PADDLE3 = {
    "data": "paddle.static.data", "lstm": "paddle.nn.LSTM", "gru_unit": "paddle.nn.GRUCell",
    "sequence_conv": "compat.fluid.nets.sequence_conv_pool or paddle.nn.Conv1D",
    "cross_entropy": "paddle.nn.functional.cross_entropy (the task adds the loss)",
    "mean": "paddle.mean", "reshape": "paddle.reshape", "elementwise_add": "paddle.add",
    "matmul": "paddle.matmul", "relu": "paddle.nn.functional.relu",
    "sigmoid": "paddle.nn.functional.sigmoid", "reduce_sum": "paddle.sum",
    "reduce_mean": "paddle.mean", "sequence_expand": "paddle.expand on padded tensors",
    "sequence_reshape": "paddle.reshape on padded tensors", "lod_reset": "(no LoD in Paddle 3)",
}


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotImplementedError(
        "fluid.layers.%s is not covered by paddlehub_lite.compat.fluid; in Paddle 3 write %s"
        % (name, _PADDLE3.get(name, "the paddle / paddle.nn equivalent (see the README, "
                                     "'Migrating PaddleHub 1.x code')")))
