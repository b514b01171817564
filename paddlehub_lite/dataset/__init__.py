"""Datasets: ``hub.dataset.ChnSentiCorp()`` and ``hub.dataset.BaseNLPDataset`` for your own TSVs."""
from paddlehub_lite.dataset.base import BaseNLPDataset, InputExample
from paddlehub_lite.dataset.chnsenticorp import ChnSentiCorp

__all__ = ["BaseNLPDataset", "ChnSentiCorp", "InputExample"]
