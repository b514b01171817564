import json
import os

import numpy as np
import pytest

from paddlehub_lite.finetune.checkpoint import BestModel, CheckpointError, Checkpointer
from paddlehub_lite.finetune.trainer_state import TrainerState


def _save(ckpt, step, epoch=0, keep=3):
    state = {"w": np.full(3, step, dtype="float32")}
    trainer = TrainerState(global_step=step, epoch=epoch, best_score=0.5)
    return Checkpointer(str(ckpt), max_to_keep=keep).save(state, trainer)


def test_the_newest_three_are_kept(tmp_path):
    for step in (5, 10, 15, 20, 25):
        _save(tmp_path, step)
    assert sorted(os.listdir(tmp_path)) == ["ckpt.meta", "step_15", "step_20", "step_25"]
    state_path, trainer = Checkpointer(str(tmp_path)).latest()
    assert trainer.global_step == 25 and state_path.endswith("step_25/state.npz")
    _save(tmp_path, 30, keep=1)
    assert sorted(os.listdir(tmp_path)) == ["ckpt.meta", "step_30"]


def test_a_crash_between_the_two_renames_is_recovered(tmp_path):
    """Observed: ckpt.meta pointed at step_10 while only a complete .old-step_10-* existed
    (killed between atomic_dir's renames when step_10 was rewritten); the rerun crashed."""
    _save(tmp_path, 10)
    os.replace(tmp_path / "step_10", tmp_path / ".old-step_10-x1y2")
    (tmp_path / ".tmp-step_10-a1b2").mkdir()                       # the unfinished new one
    state_path, trainer = Checkpointer(str(tmp_path)).latest()
    assert trainer.global_step == 10
    np.testing.assert_array_equal(np.load(state_path)["w"], np.full(3, 10, dtype="float32"))
    assert sorted(os.listdir(tmp_path)) == ["ckpt.meta", "step_10"]


def test_best_model_replacement_crash_is_recovered(tmp_path):
    BestModel(str(tmp_path)).save({"w": np.ones(2, "float32")}, {"score": 0.7})
    os.replace(tmp_path / "best_model", tmp_path / ".old-best_model-zz")
    assert BestModel(str(tmp_path)).meta() == {"score": 0.7}
    assert BestModel(str(tmp_path)).exists()
    assert json.load(open(tmp_path / "best_model" / "meta.json")) == {"score": 0.7}


def test_best_model_answers_in_one_place(tmp_path):
    best = BestModel(str(tmp_path))
    assert not best.exists() and best.meta() is None and best.version() is None
    best.save({"w": np.ones(2, "float32")}, {"score": 0.7})
    assert best.exists() and best.meta() == {"score": 0.7} and not best.has_inference_model()
    with open(best.params_path, "ab") as handle:
        handle.write(b"x")
    with pytest.raises(CheckpointError, match="params.npz: .* bytes"):
        best.exists()
    os.remove(os.path.join(best.path, "files.json"))            # an incomplete directory
    with pytest.raises(CheckpointError, match="no files.json"):
        best.exists()
