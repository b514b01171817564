"""``CombinedStrategy``'s settings (the 1.x default dicts, merged with a user's and checked)
and its learning-rate schedule as a pure function of the step (formulas:
``combined_strategy.py``'s docstring)."""
import copy
from typing import Dict, Optional

from paddlehub_lite.finetune.strategy import noam_decay_factor
from paddlehub_lite.utils.log import logger

DEFAULT_SCHEDULER = {
    "warmup": 0.0,
    "linear_decay": {"start_point": 1.0, "end_learning_rate": 0.0},
    "noam_decay": False,
    "discriminative": {"blocks": 0, "factor": 2.6},
    "gradual_unfreeze": 0,
    "slanted_triangle": {"cut_fraction": 0.0, "ratio": 32},
}
DEFAULT_REGULARIZATION = {"L2": 0.0, "L2SP": 0.0, "weight_decay": 0.0}
DEFAULT_CLIP = {"GlobalNorm": 0.0, "Norm": 0.0}


def merged(defaults: Dict, given: Optional[Dict], what: str) -> Dict:
    """``defaults`` updated with ``given`` (nested dicts key by key); an unknown key or a value
    of another type is a ValueError naming it."""
    out = copy.deepcopy(defaults)
    for key, value in (given or {}).items():
        if key not in defaults:
            raise ValueError("unknown %s setting %r (known: %s)"
                             % (what, key, ", ".join(sorted(defaults))))
        if isinstance(defaults[key], dict):
            if not isinstance(value, dict):
                raise ValueError("%s setting %r must be a dict, got %r" % (what, key, value))
            out[key] = merged(defaults[key], value, "%s %s" % (what, key))
        elif isinstance(defaults[key], bool):
            if not isinstance(value, bool):
                raise ValueError("%s setting %r must be True or False, got %r"
                                 % (what, key, value))
            out[key] = value
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError("%s setting %r must be a number, got %r" % (what, key, value))
            if value < 0:
                raise ValueError("%s setting %r must be >= 0, got %r" % (what, key, value))
            out[key] = type(defaults[key])(value) if isinstance(defaults[key], float) \
                else value
    return out


def combined_lr_factor(scheduler: Dict, total_steps: int):
    """The rate at 0-based step t as a multiple of the base rate (see the module docstring)."""
    total = max(1, total_steps)
    warmup = int(total_steps * scheduler["warmup"])
    triangle = scheduler["slanted_triangle"]
    if triangle["cut_fraction"] > 0:
        cut, ratio = max(1, int(total_steps * triangle["cut_fraction"])), triangle["ratio"]

        def slanted(t):
            p = t / cut if t <= cut else 1 - (min(t, total) - cut) / max(1, total - cut)
            return (1 + p * (ratio - 1)) / ratio
        return slanted
    if scheduler["noam_decay"]:
        if warmup == 0:
            logger.warning("Noam decay learning rate scheduler should have positive warmup "
                           "steps, using constant learning rate instead!")
            return lambda t: 1.0
        return lambda t: noam_decay_factor(t, warmup)
    decay = scheduler["linear_decay"]
    start = int(total_steps * decay["start_point"]) if decay["start_point"] < 1 else None
    if start is not None and start < warmup:
        logger.warning("linear decay can not start during warmup process, it will start after "
                       "warmup ends!")
        start = warmup
    return lambda t: _warmup_then_decay(t, warmup, start, total, decay["end_learning_rate"])


def _warmup_then_decay(t, warmup, start, total, end_factor):
    if t < warmup:
        return t / warmup
    if start is not None and t >= start:
        return (1 - end_factor) * (1 - min(t, total) / total) + end_factor
    return 1.0


