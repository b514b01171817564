"""The Chinese ELMo module type: biLM network, pretraining, and the shipped default
(``pretrained/``), registered as module type ``elmo`` (``module_type.py``)."""
import os

from paddlehub_lite.module.registry import register


def _elmo(module):
    from paddlehub_lite.zoo.elmo.module_type import ELMoModule   # Paddle: only when opened
    return ELMoModule(module)


register("elmo", _elmo, shipped={
    "elmo": os.path.join(os.path.dirname(os.path.abspath(__file__)), "pretrained")})
