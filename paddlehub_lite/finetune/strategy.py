"""Optimization strategies: ``DefaultStrategy`` and ``AdamWeightDecayStrategy`` (PaddleHub 1.1.2).

Where this follows v1.1.2 exactly:
- linear_decay: step t = 0, 1, ... uses lr*t/W during warmup, then lr*(1 - min(t, T)/T) with
  the decay measured from step 0, so the rate peaks at lr*(1 - W/T), never quite lr;
- noam_decay: counter from 1; lr*t/W up to W, then lr*sqrt(W/t); with W == 0 a warning and a
  constant rate;
- gradient clipping by global norm 1.0;
- decoupled weight decay after the Adam update, p <- p_new - p_old * wd * lr_t, with p_old the
  value before the update and lr_t the *global* rate (a parameter's learning-rate multiplier,
  e.g. the demo embedding's x30, speeds up its Adam step but not its decay); biases
  (``_bias``, ``_b``, ``.b_0``) and ``layer_norm`` parameters are not decayed.
Where it does not: T is the real number of optimizer steps of the run (v1.1.2 computed
``num_epoch * examples // batch_size``, a few steps short, so the rate hit zero early), and
``optimizer_name`` is honoured (v1.1.2 ignored it in this strategy and always used Adam).
"""
import dataclasses
import math
from typing import Callable, List, Optional, Sequence

import paddle

from paddlehub_lite.utils.log import logger

OPTIMIZERS = {
    "adam": paddle.optimizer.Adam,
    "sgd": paddle.optimizer.SGD,
    "adagrad": paddle.optimizer.Adagrad,
    "adamax": paddle.optimizer.Adamax,
    "rmsprop": paddle.optimizer.RMSProp,
    "momentum": paddle.optimizer.Momentum,
}


@dataclasses.dataclass
class Update:
    """What ``build`` appended to a train program, for the loop that runs it.

    Attributes:
        scheduler: sets the learning-rate variable before every run (not part of a
            checkpoint's parameters: its state is saved with the trainer's).
        lr_name: the learning-rate variable's name.
        before_step: ``(scope, place, epoch, global_step) -> None`` to call before each
            step, or None (e.g. ``CombinedStrategy``'s unfreezing masks).
        transient: variables ``before_step`` sets anew each step (not checkpointed).
    """

    scheduler: object
    lr_name: str
    before_step: Optional[Callable] = None
    transient: List[str] = dataclasses.field(default_factory=list)


def make_optimizer(name: str, learning_rate, grad_clip=None):
    """The Paddle optimizer ``name`` means (PaddleHub: an unknown name means Adam)."""
    factory = OPTIMIZERS.get(name.lower(), paddle.optimizer.Adam)  # PaddleHub: unknown -> Adam
    return factory(learning_rate=learning_rate, grad_clip=grad_clip)


def linear_decay_factor(step: int, warmup_steps: int, total_steps: int) -> float:
    """v1.1.2 linear_decay as a multiple of the base rate at 0-based step ``step``."""
    if step < warmup_steps:
        return step / warmup_steps
    return 1.0 - min(step, total_steps) / max(1, total_steps)


def noam_decay_factor(step: int, warmup_steps: int) -> float:
    """v1.1.2 noam_decay as a multiple of the base rate; ``step`` is 0-based, the counter 1-based."""
    t = step + 1
    return min(t / warmup_steps, math.sqrt(warmup_steps / t))


def is_decay_excluded(name: str) -> bool:
    """PaddleHub 1.x: no weight decay for layer norms and biases."""
    return ("layer_norm" in name or name.endswith("_bias") or name.endswith("_b")
            or name.endswith(".b_0"))


class DefaultStrategy:
    """A plain optimizer at a constant rate.

    Args:
        learning_rate: default 1e-4.
        optimizer_name: "adam" (default), "sgd", "adagrad", "adamax", "rmsprop" or
            "momentum"; anything else means Adam, as in PaddleHub.
    """

    def __init__(self, learning_rate: float = 1e-4, optimizer_name: str = "adam"):
        self.learning_rate = learning_rate
        self.optimizer_name = optimizer_name

    def lr_factor(self, total_steps: int) -> Callable[[int], float]:
        return lambda step: 1.0

    def build(self, loss, total_steps: int, grad_hook: Optional[Callable] = None,
              blocks: Optional[Sequence[Sequence[str]]] = None) -> Update:
        """Append the optimization to the current program; returns its ``Update``. The
        strategy itself is not changed (one strategy may build several tasks).

        ``grad_hook(params_grads) -> params_grads`` runs between backward and the update (the
        data-parallel all-reduce goes there). ``blocks``: the modules' trainable parameter
        names in depth blocks, top down (used by ``CombinedStrategy``)."""
        scheduler, optimizer, params_grads = self.backward(loss, total_steps, grad_hook)
        self._apply(optimizer, params_grads)
        return Update(scheduler, optimizer._global_learning_rate().name)

    def backward(self, loss, total_steps: int, grad_hook: Optional[Callable] = None):
        """The first half of ``build``: ``(scheduler, optimizer, params_grads)`` with the
        backward pass (and ``grad_hook``) appended to the current program."""
        scheduler = paddle.optimizer.lr.LambdaDecay(self.learning_rate,
                                                    self.lr_factor(total_steps))
        optimizer = make_optimizer(self.optimizer_name, scheduler, self._grad_clip())
        params_grads = optimizer.backward(loss)
        if grad_hook is not None:
            params_grads = grad_hook(params_grads)
        return scheduler, optimizer, params_grads

    def _grad_clip(self):
        return None

    def _apply(self, optimizer, params_grads) -> None:
        optimizer.apply_gradients(params_grads)

    def __str__(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return "%s(learning_rate=%r, optimizer_name=%r)" % (type(self).__name__,
                                                            self.learning_rate, self.optimizer_name)


class AdamWeightDecayStrategy(DefaultStrategy):
    """Warmup + decay schedule, global-norm clipping and decoupled weight decay (see above).

    Args:
        learning_rate: the base rate (default 1e-4).
        lr_scheduler: "linear_decay" (default) or "noam_decay"; anything else is a ValueError.
        warmup_proportion: warmup steps as a fraction of all steps (default 0.1).
        weight_decay: the decoupled decay coefficient; 0 disables it (default 0.01).
        optimizer_name: as for ``DefaultStrategy`` (default "adam").
    """

    def __init__(self, learning_rate: float = 1e-4, lr_scheduler: str = "linear_decay",
                 warmup_proportion: float = 0.1, weight_decay: float = 0.01,
                 optimizer_name: str = "adam"):
        if lr_scheduler not in ("linear_decay", "noam_decay"):
            raise ValueError("lr_scheduler {} is not setup correctly".format(lr_scheduler))
        super().__init__(learning_rate, optimizer_name)
        self.lr_scheduler = lr_scheduler
        self.warmup_proportion = warmup_proportion
        self.weight_decay = weight_decay

    def warmup_steps(self, total_steps: int) -> int:
        return int(total_steps * self.warmup_proportion)

    def lr_factor(self, total_steps: int) -> Callable[[int], float]:
        warmup = self.warmup_steps(total_steps)
        if self.lr_scheduler == "linear_decay":
            return lambda step: linear_decay_factor(step, warmup, total_steps)
        if warmup == 0:
            logger.warning("Noam decay learning rate scheduler should have positive warmup "
                           "steps, using constant learning rate instead!")
            return lambda step: 1.0
        return lambda step: noam_decay_factor(step, warmup)

    def _grad_clip(self):
        return paddle.nn.ClipGradByGlobalNorm(clip_norm=1.0)

    def _apply(self, optimizer, params_grads) -> None:
        decayed = [(p, p * 1.0) for p, g in params_grads
                   if g is not None and not is_decay_excluded(p.name)]
        optimizer.apply_gradients(params_grads)
        if self.weight_decay > 0:
            lr = optimizer._global_learning_rate()
            for param, before in decayed:
                paddle.assign(param - before * (self.weight_decay * lr), output=param)

    def __repr__(self) -> str:
        return ("AdamWeightDecayStrategy(learning_rate=%r, lr_scheduler=%r, warmup_proportion=%r, "
                "weight_decay=%r, optimizer_name=%r)" % (self.learning_rate, self.lr_scheduler,
                                                         self.warmup_proportion, self.weight_decay,
                                                         self.optimizer_name))
