"""PaddleHub 1.2-1.4's ``CombinedStrategy`` and the strategies built on it:
``DefaultFinetuneStrategy``, ``L2SPFinetuneStrategy`` (1.1.2's names, thin wrappers) and
``ULMFiTStrategy``. Schedules are pure functions of the step (``combined_lr_factor``), so a
resumed run gets the same rates.

The schedule, with T the run's optimizer steps and W = int(T * warmup):
- warmup: lr * t / W for t < W;
- linear_decay (when ``start_point`` < 1): from step max(W, int(T * start_point)) on,
  (lr - end) * (1 - min(t, T) / T) + end (measured from step 0, as 1.x; between the end of
  warmup and the start point the rate is lr);
- noam_decay: lr * t/W up to W, then lr * sqrt(W / t) (counter from 1; W == 0: a warning and
  a constant rate);
- slanted_triangle (when ``cut_fraction`` > 0; replaces the above): with C = int(T * cut),
  lr * (1 + p * (ratio - 1)) / ratio, p = t / C up to C, then 1 - (t - C) / (T - C).

Depth blocks (``discriminative`` and ``gradual_unfreeze``): block 0 is the head (every
trainable parameter no module claims), then each module's blocks from the top down (the
ELMo: its layer mix, the top biLM layer, the layers below; only those that train). ``n``
blocks for a strategy means the first n - 1 of them and one more holding all the rest.
- discriminative: block k learns at lr / factor**k.
- gradual_unfreeze: block k's parameters do not move before epoch k (its learning rate is
  0: they keep no weight decay, no regularization step, nothing; their gradients are still
  computed and Adam's statistics of them kept, so they start with warm statistics).

Regularization: ``L2`` adds coeff * p and ``L2SP`` coeff * (p - p_start) to the gradient
of the modules' (pretrained) parameters, p_start their values at the first step (kept in the
program's state, so in every checkpoint: 1.x kept them in a cache directory);
``weight_decay`` is ``AdamWeightDecayStrategy``'s decoupled decay (biases and layer norms
excluded, the value before the update: 1.1.2's form; 1.2+ used the value after it).
Clip: ``GlobalNorm`` or ``Norm`` (per tensor); both at once is an error (1.x silently kept
the last one set).
"""
from typing import Dict, Optional, Sequence

import numpy as np
import paddle

from paddlehub_lite.finetune.strategy import DefaultStrategy, Update, is_decay_excluded
from paddlehub_lite.finetune.strategy_settings import DEFAULT_CLIP, DEFAULT_REGULARIZATION, \
    DEFAULT_SCHEDULER, combined_lr_factor, merged
from paddlehub_lite.utils.log import logger

class CombinedStrategy(DefaultStrategy):
    """A schedule, regularization and clipping, combined (see the module docstring).

    Args:
        optimizer_name: as ``DefaultStrategy``'s (default "adam").
        learning_rate: the base rate (default 1e-4).
        scheduler: overrides of ``DEFAULT_SCHEDULER`` (default None: a constant rate).
            ``linear_decay.end_learning_rate`` is an absolute rate, as in 1.x.
        regularization: overrides of ``DEFAULT_REGULARIZATION`` (default None: none).
        clip: overrides of ``DEFAULT_CLIP`` (default None: none).
    """

    def __init__(self, optimizer_name: str = "adam", learning_rate: float = 1e-4,
                 scheduler: Optional[Dict] = None, regularization: Optional[Dict] = None,
                 clip: Optional[Dict] = None):
        super().__init__(learning_rate, optimizer_name)
        self.scheduler = merged(DEFAULT_SCHEDULER, scheduler, "scheduler")
        self.regularization = merged(DEFAULT_REGULARIZATION, regularization, "regularization")
        self.clip = merged(DEFAULT_CLIP, clip, "clip")
        self._check()

    def _check(self) -> None:
        if self.clip["GlobalNorm"] > 0 and self.clip["Norm"] > 0:
            raise ValueError("clip: set GlobalNorm or Norm, not both")
        if self.scheduler["slanted_triangle"]["ratio"] < 1:
            raise ValueError("slanted_triangle ratio must be >= 1")

    def add_scheduler(self, name: str = "warmup", value=0, **values) -> None:
        """1.x's setter: ``add_scheduler("warmup", 0.1)`` or
        ``add_scheduler("linear_decay", start_point=0.1, end_learning_rate=0)``."""
        self.scheduler = merged(DEFAULT_SCHEDULER, dict(self.scheduler,
                                                         **{name: values or value}),
                                 "scheduler")
        self._check()

    def add_regularization(self, name: str = "L2", value: float = 1e-3) -> None:
        self.regularization = merged(DEFAULT_REGULARIZATION,
                                      dict(self.regularization, **{name: value}),
                                      "regularization")

    def add_clip(self, name: str = "GlobalNorm", value: float = 1.0) -> None:
        self.clip = merged(DEFAULT_CLIP, dict(self.clip, **{name: value}), "clip")
        self._check()

    def lr_factor(self, total_steps: int):
        return combined_lr_factor(self.scheduler, total_steps)

    def step(self) -> None:
        """1.x called this once per epoch to unfreeze the next block; here the unfreezing
        follows the epoch of the run (resumed runs included), so this does nothing."""

    def _grad_clip(self):
        if self.clip["GlobalNorm"] > 0:
            return paddle.nn.ClipGradByGlobalNorm(clip_norm=self.clip["GlobalNorm"])
        if self.clip["Norm"] > 0:
            return paddle.nn.ClipGradByNorm(clip_norm=self.clip["Norm"])
        return None

    def build(self, loss, total_steps: int, grad_hook=None,
              blocks: Optional[Sequence[Sequence[str]]] = None) -> Update:
        """``DefaultStrategy.build`` plus, between backward and the update: L2 / L2SP on the
        modules' parameters, each parameter's rate (discriminative factor, unfreezing mask),
        and the decoupled weight decay after it (see the module docstring)."""
        logger.info("Strategy with scheduler: %s, regularization: %s and clip: %s",
                    self.scheduler, self.regularization, self.clip)
        scheduler, optimizer, params_grads = self.backward(loss, total_steps, grad_hook)
        names = [p.name for p, g in params_grads if g is not None]
        depth = assign_blocks(names, blocks or [])
        pretrained = {n for block in (blocks or []) for n in block}
        params_grads, starts = self._regularize(params_grads, pretrained)
        optimizer._create_global_learning_rate()      # what apply_gradients would do first
        global_lr = optimizer._global_learning_rate()
        masks = self._masks(depth)
        group = self._mask_group(depth)
        saved = self._set_param_rates(params_grads, depth, masks, global_lr)
        decayed = [(p, p * 1.0) for p, g in params_grads
                   if g is not None and not is_decay_excluded(p.name)]
        optimizer.apply_gradients(params_grads)
        for param, attr in saved:
            param.optimize_attr["learning_rate"] = attr     # the program keeps its own copy
        wd = self.regularization["weight_decay"]
        if wd > 0:
            for param, before in decayed:
                mask = masks.get(group(param.name))
                rate = global_lr if mask is None else global_lr * mask
                paddle.assign(param - before * (wd * rate), output=param)
        return Update(scheduler, global_lr.name,
                      before_step=StepSetter(masks, starts),
                      transient=[m.name for m in masks.values()])

    def unfreeze_blocks(self, depth: Dict[str, int]) -> int:
        """How many blocks gradual unfreezing governs for parameters grouped as ``depth``."""
        wanted = self.scheduler["gradual_unfreeze"]
        return min(wanted, max(depth.values(), default=0) + 1) if wanted else 0

    def _mask_group(self, depth: Dict[str, int]):
        """name -> the unfreezing block of a parameter: its depth, the deepest governed block
        holding all deeper ones."""
        count = self.unfreeze_blocks(depth)
        return lambda name: min(depth[name], count - 1) if count else 0

    def _regularize(self, params_grads, pretrained):
        l2, l2sp = self.regularization["L2"], self.regularization["L2SP"]
        starts = {}
        if not (l2 or l2sp):
            return params_grads, starts
        out = []
        for param, grad in params_grads:
            if grad is not None and param.name in pretrained:
                if l2:
                    grad = grad + param * l2
                if l2sp:
                    start = _state_var(param.name + "@L2SP_START", param.shape, 0.0)
                    starts[param.name] = start.name
                    grad = grad + (param - start) * l2sp
            out.append((param, grad))
        return out, starts

    def _masks(self, depth: Dict[str, int]) -> Dict[int, object]:
        """A [1] rate multiplier per frozen-at-first block (set before each step)."""
        count = self.unfreeze_blocks(depth)
        return {k: _state_var("@UNFREEZE_BLOCK_%d" % k, [1], 1.0) for k in range(1, count)}

    def _set_param_rates(self, params_grads, depth, masks, global_lr):
        """Each parameter's rate: its own multiplier x the discriminative factor of its block
        x its block's unfreezing mask. Returns the attributes to restore afterwards."""
        blocks = self.scheduler["discriminative"]["blocks"]
        factor = self.scheduler["discriminative"]["factor"]
        group = self._mask_group(depth)
        saved = []
        for param, grad in params_grads:
            if grad is None:
                continue
            scale = factor ** -min(depth[param.name], blocks - 1) if blocks > 1 else 1.0
            mask = masks.get(group(param.name))
            if scale == 1.0 and mask is None:
                continue
            attr = param.optimize_attr.get("learning_rate")
            saved.append((param, attr))
            rate = global_lr * ((1.0 if attr is None else float(attr)) * scale)
            param.optimize_attr["learning_rate"] = rate if mask is None else rate * mask
        return saved


def _state_var(name: str, shape, value: float):
    """A persistable float32 variable of the program that no gradient reaches (a
    non-trainable parameter: ``create_global_var`` fails under PIR in Paddle 3.3)."""
    return paddle.create_parameter(list(shape), "float32", attr=paddle.ParamAttr(
        name=name, trainable=False, initializer=paddle.nn.initializer.Constant(value)))


def assign_blocks(names: Sequence[str], blocks: Sequence[Sequence[str]]) -> Dict[str, int]:
    """Depth of each trainable parameter: 0 for the head (claimed by no module block), else
    1 + the index of the first module block (top down) that holds it, counting only blocks
    that hold a trainable parameter."""
    present = set(names)
    depth = {name: 0 for name in names}
    k = 0
    for block in blocks:
        held = [n for n in block if n in present and depth[n] == 0]
        if held:
            k += 1
            for name in held:
                depth[name] = k
    return depth


class StepSetter:
    """Before each training step: the unfreezing masks of the run's epoch, and the L2SP start
    values at the first step (``TrainerState``'s epoch and step, so resumed runs match)."""

    def __init__(self, masks: Dict[int, object], starts: Dict[str, str]):
        self.mask_names = {k: m.name for k, m in masks.items()}
        self.starts = starts

    def __call__(self, scope, place, epoch: int, global_step: int) -> None:
        for k, name in self.mask_names.items():
            scope.find_var(name).get_tensor().set(
                np.array([1.0 if epoch >= k else 0.0], "float32"), place)
        if global_step == 0:
            for param, start in self.starts.items():
                value = np.array(scope.find_var(param).get_tensor())
                scope.find_var(start).get_tensor().set(value, place)


class DefaultFinetuneStrategy(CombinedStrategy):
    """1.1.2's ``DefaultFinetuneStrategy``: L2 regularization of the pretrained parameters,
    coeff * p added to their gradients.

    Args:
        learning_rate: default 1e-4.
        optimizer_name: default "adam".
        regularization_coeff: the coefficient (default 1e-3).
    """

    REGULARIZATION = "L2"

    def __init__(self, learning_rate: float = 1e-4, optimizer_name: str = "adam",
                 regularization_coeff: float = 1e-3):
        super().__init__(optimizer_name, learning_rate,
                         regularization={self.REGULARIZATION: regularization_coeff})
        self.regularization_coeff = regularization_coeff


class L2SPFinetuneStrategy(DefaultFinetuneStrategy):
    """1.1.2's ``L2SPFinetuneStrategy``: the pretrained parameters pulled toward their
    starting values, coeff * (p - p_start) added to their gradients.

    Args:
        learning_rate: default 1e-4.
        optimizer_name: default "adam".
        regularization_coeff: the coefficient (default 1e-3).
    """

    REGULARIZATION = "L2SP"


class ULMFiTStrategy(CombinedStrategy):
    """1.2+'s ``ULMFiTStrategy``: slanted triangular rates, discriminative rates by depth and
    gradual unfreezing (see the module docstring for what a depth block is here).

    Args:
        learning_rate: the peak rate (default 1e-4).
        optimizer_name: default "adam".
        cut_fraction: the rising part of the triangle, of all steps (default 0.1; 0: none).
        ratio: peak rate / lowest rate (default 32).
        dis_blocks: depth blocks with their own rates (default 3; 0: none).
        factor: each block deeper learns at 1/factor the rate (default 2.6).
        frz_blocks: blocks unfrozen one per epoch, the head first (default 3; 0: none).
    """

    def __init__(self, learning_rate: float = 1e-4, optimizer_name: str = "adam",
                 cut_fraction: float = 0.1, ratio: float = 32, dis_blocks: int = 3,
                 factor: float = 2.6, frz_blocks: int = 3):
        super().__init__(optimizer_name, learning_rate, scheduler={
            "slanted_triangle": {"cut_fraction": cut_fraction, "ratio": ratio},
            "discriminative": {"blocks": dis_blocks, "factor": factor},
            "gradual_unfreeze": frz_blocks})
