"""``fluid.initializer``: Uniform, Normal, Xavier, Constant (and their ``*Initializer``
names), as Paddle 3 initializers. ``seed`` is accepted; the task's seed decides."""
import paddle


class Uniform(paddle.nn.initializer.Uniform):
    """Uniform(low=-1.0, high=1.0, seed=0)."""

    def __init__(self, low: float = -1.0, high: float = 1.0, seed: int = 0):
        super().__init__(low=low, high=high)


class Normal(paddle.nn.initializer.Normal):
    """Normal(loc=0.0, scale=1.0, seed=0)."""

    def __init__(self, loc: float = 0.0, scale: float = 1.0, seed: int = 0):
        super().__init__(mean=loc, std=scale)


class Constant(paddle.nn.initializer.Constant):
    """Constant(value=0.0, force_cpu=False)."""

    def __init__(self, value: float = 0.0, force_cpu: bool = False):
        super().__init__(value=value)


def Xavier(uniform: bool = True, fan_in=None, fan_out=None, seed: int = 0):
    """Xavier(uniform=True, fan_in=None, fan_out=None, seed=0): Glorot uniform or normal."""
    if uniform:
        return paddle.nn.initializer.XavierUniform(fan_in=fan_in, fan_out=fan_out)
    return paddle.nn.initializer.XavierNormal(fan_in=fan_in, fan_out=fan_out)


UniformInitializer, NormalInitializer, ConstantInitializer = Uniform, Normal, Constant
XavierInitializer = Xavier
