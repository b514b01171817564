"""What a checkpoint was trained with, so that resuming under other settings stops with an error
instead of silently training something else (observed: batch size 32 -> 64 on resume ran the
last steps at learning rate 0 and exited 0, 10 points worse).

Recorded in every checkpoint: batch size, the reader's ``max_seq_len``, the strategy (every
argument of its schedule and optimizer), the data-parallel world size, a fingerprint of the
training data (word ids and labels) and of the program's parameters (names and shapes), and the
settings a script records with ``task.record_settings(name=value)`` (e.g. the demo's
``use_elmo`` and ``network``), each named in the error. The recorded settings and the
parameters' names and shapes are checked before any parameter is loaded, so another network
stops with an error naming what differs, not with a shape error from deep inside Paddle.
``num_epoch`` may grow on resume: the schedule is then re-planned over the new total number of
steps from the step reached (with ``linear_decay`` the rate rises to where the longer schedule
would be at that step, then decays to 0 at the new end; warmup is a share of the new total).
"""
import hashlib
from typing import Dict, Optional

import numpy as np

LABELS = {"batch_size": "batch_size", "max_seq_len": "the reader's max_seq_len",
          "strategy": "the strategy", "world_size": "the number of data-parallel processes",
          "train_data": "the training data (word ids and labels)",
          "parameters": "the program's parameters (names and shapes)"}


def fingerprint_samples(samples) -> str:
    digest = hashlib.sha256()
    for sample in samples:
        digest.update(np.asarray(sample[0], dtype="int64").tobytes())
        digest.update(repr(tuple(sample[1:])).encode("utf-8"))
        digest.update(b"|")
    return digest.hexdigest()[:16]


def fingerprint_parameters(program) -> str:
    """Names and shapes of the parameters the program's ops read (not the auto-named RNN weight
    buffers, whose numbers depend on what else the process built)."""
    from paddlehub_lite.utils.params_io import state_names
    read = set(state_names(program))
    digest = hashlib.sha256()
    for param in sorted(program.global_block().all_parameters(), key=lambda p: p.name):
        if param.name in read:
            digest.update(("%s%s;" % (param.name, list(param.shape))).encode("utf-8"))
    return digest.hexdigest()[:16]


class ResumeMismatch(ValueError):
    """A checkpoint trained under other settings than this run's.

    Attributes:
        setting: the key that differs (a ``LABELS`` key, ``"recorded:<name>"`` for a setting
            of ``record_settings``, or ``"parameters"``).
        saved: the checkpoint's value. current: this run's.
    """

    def __init__(self, checkpoint_dir: str, setting: str, label: str, saved, current):
        super().__init__(
            "the checkpoint in %s was trained with %s = %r, this run has %r: resuming would "
            "train something else. Use another checkpoint_dir, or the same setting."
            % (checkpoint_dir, label, saved, current))
        self.setting, self.saved, self.current = setting, saved, current


def run_settings(config, reader, samples, program, world_size: int,
                 recorded: Optional[Dict] = None) -> Dict:
    """The settings a checkpoint records (``program``: the task's test program; ``recorded``:
    the task's ``record_settings``)."""
    return {"batch_size": config.batch_size,
            "max_seq_len": getattr(reader, "max_seq_len", None),
            "strategy": repr(config.strategy), "world_size": world_size,
            "train_data": fingerprint_samples(samples),
            "parameters": fingerprint_parameters(program),
            "recorded": dict(recorded or {})}


def check_recorded(saved: Optional[Dict], recorded: Dict, checkpoint_dir: str) -> None:
    """Raise ``ResumeMismatch`` naming the first ``record_settings`` value that differs from
    the checkpoint's (a checkpoint that recorded none is not checked)."""
    if not saved or "recorded" not in saved:
        return
    old = saved["recorded"]
    for name in sorted(set(old) | set(recorded)):
        if old.get(name) != recorded.get(name):
            raise ResumeMismatch(checkpoint_dir, "recorded:" + name, name, old.get(name),
                                 recorded.get(name))


def check_parameters(state: Dict[str, np.ndarray], shapes: Dict[str, tuple],
                     checkpoint_dir: str) -> None:
    """Raise ``ResumeMismatch`` when the checkpoint's ``state`` lacks a parameter of this
    program (``shapes``: name -> shape) or holds it with another shape; the message names up to
    three of each."""
    missing = sorted(n for n in shapes if n not in state)
    reshaped = sorted(n for n in shapes if n in state and tuple(state[n].shape) != shapes[n])
    if not missing and not reshaped:
        return
    saved = ["%s %s" % (n, list(state[n].shape)) for n in reshaped[:3]]
    current = (["%s %s" % (n, list(shapes[n])) for n in reshaped[:3]] +
               ["%s (not in the checkpoint)" % n for n in missing[:3]])
    raise ResumeMismatch(checkpoint_dir, "parameters",
                         "other parameters (another network or module)", saved, current)


def check_resume(saved: Optional[Dict], current: Dict, checkpoint_dir: str) -> None:
    """Raise ``ResumeMismatch`` naming the first setting that differs from the checkpoint's."""
    if saved is None:   # a checkpoint of paddlehub_lite 0.1 recorded none
        return
    check_recorded(saved, current.get("recorded", {}), checkpoint_dir)
    for key, label in LABELS.items():
        if key in saved and saved[key] != current.get(key):
            raise ResumeMismatch(checkpoint_dir, key, label, saved[key], current.get(key))
