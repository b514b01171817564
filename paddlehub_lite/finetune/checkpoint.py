"""Checkpoints that really resume and never lie: ``Checkpointer`` (the ``step_<N>/`` directories
and ``ckpt.meta``) and ``BestModel`` (``best_model/``) own every path under ``checkpoint_dir``;
nothing else spells a file name.

    checkpoint_dir/
      ckpt.meta              JSON: current_epoch, global_step, latest_model_dir, best_score
      step_<N>/state.npz     parameters, optimizer moments (not the learning-rate variable:
                             the scheduler sets it before every step)
      step_<N>/trainer.json  the ``TrainerState`` (data position, scheduler, seed, settings)
      best_model/            params.npz + meta.json + inference/model.{json,pdiparams}
      .lock                  held while a run trains (``utils/run_lock.py``)

A ``step_<N>`` directory is written under a temp name and renamed when complete; only then is
``ckpt.meta`` replaced (also by rename) to point at it; step directories beyond ``max_to_keep``
are removed after that. Both kinds of directory end with ``files.json`` (every file's size and
sha256, ``utils/file_manifest.py``), checked before they are loaded: a changed or truncated file
raises ``CheckpointError`` naming it. A crash between the two renames of a replacement is
undone before anything is read (``utils/atomic.recover_dir``).
"""
import json
import os
import re
import shutil
from typing import Callable, Dict, Optional, Tuple

import numpy as np

from paddlehub_lite.finetune.trainer_state import TrainerState
from paddlehub_lite.utils import file_manifest, params_io
from paddlehub_lite.utils.atomic import atomic_dir, atomic_file, recover_dir
from paddlehub_lite.utils.log import logger

META = "ckpt.meta"
_INFERENCE_PREFIX = os.path.join("inference", "model")   # under best_model/
_STEP_DIR = re.compile(r"^step_(\d+)$")


class CheckpointError(RuntimeError):
    """A checkpoint or best model that is incomplete or whose files changed after writing."""


def verify_directory(directory: str) -> None:
    """Check every file of ``directory`` against its ``files.json`` (``CheckpointError``
    naming a missing, truncated or changed one)."""
    try:
        file_manifest.verify(directory)
    except file_manifest.CorruptDirectoryError as err:
        raise CheckpointError(str(err)) from None


class Checkpointer:
    """The training checkpoints of one ``checkpoint_dir``.

    Args:
        checkpoint_dir: the directory (created on the first save).
        max_to_keep: the newest N ``step_*`` directories are kept (default 3).
    """

    def __init__(self, checkpoint_dir: str, max_to_keep: int = 3):
        if max_to_keep < 1:
            raise ValueError("max_to_keep must be >= 1, got %r" % max_to_keep)
        self.checkpoint_dir = checkpoint_dir
        self.max_to_keep = max_to_keep

    def save(self, state: Dict[str, np.ndarray], trainer: TrainerState) -> str:
        """Write ``step_<global_step>`` and point ``ckpt.meta`` at it; returns the directory."""
        step_dir = os.path.join(self.checkpoint_dir, "step_%d" % trainer.global_step)
        with atomic_dir(step_dir) as tmp:
            params_io.save_state(os.path.join(tmp, "state.npz"), state)
            with open(os.path.join(tmp, "trainer.json"), "w") as handle:
                json.dump(trainer.to_dict(), handle, indent=1)
            file_manifest.record(tmp)
        meta = {"current_epoch": trainer.epoch + 1, "global_step": trainer.global_step,
                "latest_model_dir": os.path.basename(step_dir), "best_score": trainer.best_score}
        with atomic_file(os.path.join(self.checkpoint_dir, META), "w") as handle:
            json.dump(meta, handle, indent=1)
        logger.info("Saving model checkpoint to %s", step_dir)
        self._prune(current=os.path.basename(step_dir))
        return step_dir

    def _prune(self, current: str) -> None:
        steps = sorted((int(m.group(1)), name) for name in os.listdir(self.checkpoint_dir)
                       for m in [_STEP_DIR.match(name)] if m)
        for _, name in steps[:-self.max_to_keep]:
            if name != current:
                shutil.rmtree(os.path.join(self.checkpoint_dir, name), ignore_errors=True)

    def latest(self) -> Optional[Tuple[str, TrainerState]]:
        """``(state.npz path, TrainerState)`` of the latest checkpoint, verified, or None."""
        meta_path = os.path.join(self.checkpoint_dir, META)
        logger.info("Try loading checkpoint from %s", meta_path)
        if not os.path.isfile(meta_path):
            logger.info("PaddleHub model checkpoint not found, start training from scratch...")
            return None
        with open(meta_path) as handle:
            try:
                meta = json.load(handle)
            except ValueError as err:
                raise CheckpointError("%s: unreadable checkpoint meta: %s"
                                      % (meta_path, err)) from None
        step_dir = os.path.join(self.checkpoint_dir, meta["latest_model_dir"])
        recover_dir(step_dir)
        verify_directory(step_dir)
        with open(os.path.join(step_dir, "trainer.json")) as handle:
            trainer = TrainerState.from_dict(json.load(handle))
        return os.path.join(step_dir, "state.npz"), trainer


class BestModel:
    """``checkpoint_dir/best_model/``: the parameters that scored best on dev, their meta and
    an exported inference model. The one place that answers "is there a complete best model".

    Args:
        checkpoint_dir: the directory holding ``best_model/``.
    """

    def __init__(self, checkpoint_dir: str):
        self.checkpoint_dir = checkpoint_dir
        self.path = os.path.join(checkpoint_dir, "best_model")
        self.params_path = os.path.join(self.path, "params.npz")
        self.inference_prefix = os.path.join(self.path, _INFERENCE_PREFIX)

    def save(self, params: Dict[str, np.ndarray], meta: Dict,
             export: Optional[Callable[[str], None]] = None) -> str:
        """Replace ``best_model/`` atomically: params.npz, meta.json and, via
        ``export(prefix)``, an inference model ``<prefix>.json`` + ``<prefix>.pdiparams``
        (``export`` must raise if what it wrote does not read back)."""
        with atomic_dir(self.path) as tmp:
            params_io.save_state(os.path.join(tmp, "params.npz"), params)
            with open(os.path.join(tmp, "meta.json"), "w") as handle:
                json.dump(meta, handle, indent=1)
            if export is not None:
                export(os.path.join(tmp, _INFERENCE_PREFIX))
            file_manifest.record(tmp)
        return self.path

    def version(self) -> Optional[int]:
        """Changes whenever ``best_model/`` is replaced; None when there is none."""
        recover_dir(self.path)
        listing = os.path.join(self.path, file_manifest.FILES)
        return os.stat(listing).st_mtime_ns if os.path.isfile(listing) else None

    def exists(self) -> bool:
        """Whether a complete best model is there (every file checked); a damaged one raises
        ``CheckpointError`` naming the file."""
        recover_dir(self.path)
        if not os.path.isdir(self.path):
            return False
        verify_directory(self.path)               # also says why a directory lacks files.json
        return True

    def has_inference_model(self) -> bool:
        return os.path.isfile(self.inference_prefix + ".json")

    def meta(self) -> Optional[Dict]:
        if self.version() is None:
            return None
        with open(os.path.join(self.path, "meta.json")) as handle:
            return json.load(handle)
