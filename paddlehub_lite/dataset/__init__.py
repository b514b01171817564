"""Datasets: ``hub.dataset.ChnSentiCorp()`` and ``hub.dataset.BaseNLPDataset`` for your own TSVs."""
import os
from typing import Dict, Optional

from paddlehub_lite.dataset.base import BaseNLPDataset, InputExample
from paddlehub_lite.dataset.chnsenticorp import ChnSentiCorp

__all__ = ["BaseNLPDataset", "ChnSentiCorp", "InputExample", "dataset_from_description"]


def dataset_from_description(description: Dict) -> Optional[BaseNLPDataset]:
    """The dataset a ``BaseNLPDataset.describe()`` recorded, or None for a class this package
    does not define (a user's own subclass). ChnSentiCorp whose recorded directory is gone is
    opened from the home copy (installed again when missing)."""
    base = description.get("base_path")        # absent in a bundle: no paths there
    if description["class"] == "ChnSentiCorp":
        return ChnSentiCorp(base_path=base if base and os.path.isdir(base) else None)
    if description["class"] != "BaseNLPDataset" or not base:
        return None
    headers = description["file_with_header"]
    return BaseNLPDataset(base, train_file=description["train_file"],
                          dev_file=description["dev_file"], test_file=description["test_file"],
                          label_list=description["label_list"],
                          train_file_with_header=headers["train"],
                          dev_file_with_header=headers["dev"],
                          test_file_with_header=headers["test"],
                          multi_label=description.get("multi_label", False))
