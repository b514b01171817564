"""VisualDL scalars of a task, under ``checkpoint_dir/vdllog``.

Tags (x = the global training step): ``Loss_train``, ``<metric>_train`` (averages over the last
``log_interval`` steps), ``learning_rate``, ``Loss_dev`` / ``<metric>_dev`` at every evaluation,
and ``Loss_test`` / ``<metric>_test`` for the final test of the best model. View them with
``visualdl --logdir <checkpoint_dir>/vdllog --language en``.
"""
import os
from typing import Dict


class ScalarLog:
    """A lazily created VisualDL ``LogWriter`` (created only by the process that logs)."""

    def __init__(self, logdir: str, enabled: bool = True):
        self.logdir = logdir
        self.enabled = enabled
        self._writer = None

    def add(self, phase: str, values: Dict[str, float], step: int) -> None:
        if not self.enabled:
            return
        if self._writer is None:
            from visualdl import LogWriter
            os.makedirs(self.logdir, exist_ok=True)
            self._writer = LogWriter(logdir=self.logdir)
        for name, value in values.items():
            tag = name if name == "learning_rate" else "%s_%s" % (
                "Loss" if name == "loss" else name, phase)
            self._writer.add_scalar(tag=tag, step=step, value=float(value))
        self._writer.flush()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
