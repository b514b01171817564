"""Checkpoints that really resume, written so that a crash never corrupts the last good one.

    checkpoint_dir/
      ckpt.meta           JSON: current_epoch, global_step, latest_model_dir, best_score
      step_<N>/state.npz  parameters, optimizer moments, the learning-rate variable
      step_<N>/trainer.json  epoch, batch index (data position), scheduler state, seed, ...
      best_model/         params.npz + meta.json + inference/ (an exported inference model)

A ``step_<N>`` directory is written under a temp name and renamed when complete; only then is
``ckpt.meta`` replaced (also by rename) to point at it. Old step directories beyond
``max_to_keep`` are removed after that. Both kinds of directory end with ``files.json`` (every
file's size and sha256, see ``utils/file_manifest.py``), checked before they are loaded: a
changed or truncated file raises ``CheckpointError`` naming it.
"""
import json
import os
import re
import shutil
from typing import Dict, Optional, Tuple

from paddlehub_lite.utils import file_manifest, params_io
from paddlehub_lite.utils.atomic import atomic_dir, atomic_file, recover_dir
from paddlehub_lite.utils.log import logger

class CheckpointError(RuntimeError):
    """A checkpoint or best model that is incomplete or whose files changed after writing."""


def _verify(directory: str) -> None:
    try:
        file_manifest.verify(directory)
    except file_manifest.CorruptDirectoryError as err:
        raise CheckpointError(str(err)) from None


META = "ckpt.meta"
BEST = "best_model"
_STEP_DIR = re.compile(r"^step_(\d+)$")


def save_checkpoint(checkpoint_dir: str, state: Dict, trainer_state: Dict,
                    max_to_keep: int = 3) -> str:
    """Write ``step_<global_step>`` and point ``ckpt.meta`` at it; returns the directory."""
    step = trainer_state["global_step"]
    step_dir = os.path.join(checkpoint_dir, "step_%d" % step)
    with atomic_dir(step_dir) as tmp:
        params_io.save_state(os.path.join(tmp, "state.npz"), state)
        with open(os.path.join(tmp, "trainer.json"), "w") as handle:
            json.dump(trainer_state, handle, indent=1)
        file_manifest.record(tmp)
    meta = {"current_epoch": trainer_state["epoch"] + 1, "global_step": step,
            "latest_model_dir": os.path.basename(step_dir),
            "best_score": trainer_state.get("best_score")}
    with atomic_file(os.path.join(checkpoint_dir, META), "w") as handle:
        json.dump(meta, handle, indent=1)
    logger.info("Saving model checkpoint to %s", step_dir)
    _prune(checkpoint_dir, keep=max_to_keep, current=os.path.basename(step_dir))
    return step_dir


def _prune(checkpoint_dir: str, keep: int, current: str) -> None:
    steps = sorted((int(m.group(1)), name) for name in os.listdir(checkpoint_dir)
                   for m in [_STEP_DIR.match(name)] if m)
    for _, name in steps[:-keep]:
        if name != current:
            shutil.rmtree(os.path.join(checkpoint_dir, name), ignore_errors=True)


def load_checkpoint(checkpoint_dir: str) -> Optional[Tuple[str, Dict]]:
    """``(state.npz path, trainer state)`` of the latest checkpoint, or None."""
    meta_path = os.path.join(checkpoint_dir, META)
    logger.info("Try loading checkpoint from %s", meta_path)
    if not os.path.isfile(meta_path):
        logger.info("PaddleHub model checkpoint not found, start training from scratch...")
        return None
    with open(meta_path) as handle:
        try:
            meta = json.load(handle)
        except ValueError as err:
            raise ValueError("%s: unreadable checkpoint meta: %s" % (meta_path, err)) from None
    step_dir = os.path.join(checkpoint_dir, meta["latest_model_dir"])
    recover_dir(step_dir)  # a crash between atomic_dir's two renames
    _verify(step_dir)
    with open(os.path.join(step_dir, "trainer.json")) as handle:
        trainer_state = json.load(handle)
    return os.path.join(step_dir, "state.npz"), trainer_state


def best_model_dir(checkpoint_dir: str) -> str:
    """The path of ``best_model/``, after undoing a crashed replacement (``recover_dir``)."""
    path = os.path.join(checkpoint_dir, BEST)
    recover_dir(path)
    return path


def save_best_model(checkpoint_dir: str, params: Dict, meta: Dict, export=None) -> str:
    """Replace ``best_model/`` atomically: params.npz, meta.json and, via ``export(dir)``, an
    inference model (``export`` must raise if what it wrote does not load back)."""
    path = best_model_dir(checkpoint_dir)
    with atomic_dir(path) as tmp:
        params_io.save_state(os.path.join(tmp, "params.npz"), params)
        with open(os.path.join(tmp, "meta.json"), "w") as handle:
            json.dump(meta, handle, indent=1)
        if export is not None:
            export(os.path.join(tmp, "inference"))
        file_manifest.record(tmp)
    return path


def verified_best_model(checkpoint_dir: str) -> Optional[str]:
    """The one answer to "is there a complete best model": its directory after checking every
    file, or None when there is none; raises ``CheckpointError`` when it is damaged."""
    path = best_model_dir(checkpoint_dir)
    if not os.path.isdir(path):
        return None
    _verify(path)
    return path


def load_best_meta(checkpoint_dir: str) -> Optional[Dict]:
    meta_path = os.path.join(best_model_dir(checkpoint_dir), "meta.json")
    if not os.path.isfile(meta_path):
        return None
    with open(meta_path) as handle:
        return json.load(handle)
