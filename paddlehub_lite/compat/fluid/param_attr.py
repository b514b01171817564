"""``fluid.ParamAttr``."""
import paddle


class ParamAttr(paddle.ParamAttr):
    """fluid.ParamAttr(name=None, initializer=None, learning_rate=1.0, regularizer=None,
    trainable=True, gradient_clip=None, do_model_average=False): Paddle 3's ``ParamAttr``.
    ``gradient_clip`` per parameter is gone in Paddle 3 (clip in the strategy instead)."""

    def __init__(self, name=None, initializer=None, learning_rate: float = 1.0,
                 regularizer=None, trainable: bool = True, gradient_clip=None,
                 do_model_average: bool = False):
        if gradient_clip is not None:
            raise NotImplementedError(
                "fluid.ParamAttr(gradient_clip=...): Paddle 3 clips gradients in the optimizer "
                "(e.g. paddle.nn.ClipGradByGlobalNorm), not per parameter")
        super().__init__(name=name, initializer=initializer, learning_rate=learning_rate,
                         regularizer=regularizer, trainable=trainable,
                         do_model_average=do_model_average)


def weight_attr(attr, default_initializer):
    """A ``paddle.ParamAttr`` for a layer's weight or bias: fluid's ``None`` (defaults), a
    name string, a ``ParamAttr``, or ``False`` (no parameter, for biases)."""
    if attr is False:
        return False
    if attr is None:
        return paddle.ParamAttr(initializer=default_initializer)
    if isinstance(attr, str):
        return paddle.ParamAttr(name=attr, initializer=default_initializer)
    return paddle.ParamAttr(name=attr.name, initializer=attr.initializer or default_initializer,
                            learning_rate=attr.learning_rate, regularizer=attr.regularizer,
                            trainable=attr.trainable, do_model_average=attr.do_model_average,
                            need_clip=attr.need_clip)
