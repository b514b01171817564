"""PaddleHub 1.x network code, written in ``paddle.fluid``, on Paddle 3:

    import paddlehub_lite.compat.fluid as fluid
    from paddlehub_lite.compat.fluid.framework import switch_main_program

covers ``layers.{embedding, concat, fc, tanh, dropout, softmax, dynamic_gru, dynamic_lstm,
sequence_pool, sequence_last_step, sequence_first_step}``, ``nets.sequence_conv_pool``,
``ParamAttr``, ``initializer.{Uniform, Normal, Xavier, Constant}`` and
``framework.switch_main_program``. Sequences (fluid's LoD tensors) are padded tensors whose
lengths come from the module's word ids (``sequence.py``); what the recurrent layers compute is
in ``layers.py``. Anything else raises ``NotImplementedError`` naming the Paddle 3 way.
"""
from paddlehub_lite.compat.fluid import framework, initializer, layers, nets
from paddlehub_lite.compat.fluid.param_attr import ParamAttr

__all__ = ["ParamAttr", "framework", "initializer", "layers", "nets"]


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotImplementedError(
        "fluid.%s is not covered by paddlehub_lite.compat.fluid (Paddle 3 has no fluid): "
        "covered are layers, nets, initializer, framework and ParamAttr; write the rest with "
        "paddle / paddle.static / paddle.nn" % name)
