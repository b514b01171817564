"""``fluid.nets.sequence_conv_pool``."""
import paddle
import paddle.nn.functional as F

from paddlehub_lite.compat.fluid import layers, sequence
from paddlehub_lite.compat.fluid.initializer import Constant, Xavier
from paddlehub_lite.compat.fluid.param_attr import weight_attr


def sequence_conv_pool(input, num_filters, filter_size, param_attr=None, act="sigmoid",
                       pool_type="max", bias_attr=None):
    """``sequence_conv`` (a window of ``filter_size`` steps starting ``filter_size // 2`` before
    each step, steps outside the sequence read as zeros, as fluid's context padding) with
    ``act``, then ``sequence_pool(pool_type)``."""
    seq_len, mask = sequence.lengths(input, "nets.sequence_conv_pool")
    x = (input * mask).transpose([0, 2, 1])                       # [B, D, T], zero past the end
    before = filter_size // 2
    x = F.pad(x, [before, filter_size - 1 - before], data_format="NCL")
    weight = paddle.create_parameter([num_filters, input.shape[-1], filter_size], input.dtype,
                                     attr=weight_attr(param_attr, Xavier()))
    out = F.conv1d(x, weight)
    bias = weight_attr(bias_attr, Constant(0.0))
    if bias is not False:
        out = out + paddle.create_parameter([num_filters], out.dtype, attr=bias,
                                            is_bias=True).reshape([1, -1, 1])
    conv = sequence.mark_like(layers._act(out.transpose([0, 2, 1]), act,
                                          "nets.sequence_conv_pool"), input)
    return layers.sequence_pool(conv, pool_type)


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotImplementedError("fluid.nets.%s is not covered by paddlehub_lite.compat.fluid; "
                              "write it with paddle.nn layers" % name)
