"""bench/elmo_seeds.py must not resume a checkpoint that another set of flags wrote (found on
2026-12-02: rerunning a study with changed flags resumed the finished old run)."""
import importlib.util
import json
import os

import pytest

from .conftest import REPO


def _elmo_seeds():
    spec = importlib.util.spec_from_file_location(
        "elmo_seeds", os.path.join(REPO, "bench", "elmo_seeds.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_run_with_other_flags_is_moved_aside_not_resumed(tmp_path):
    seeds = _elmo_seeds()
    ckpt, log = str(tmp_path / "ckpt_seed1"), str(tmp_path / "seed1.log")
    seeds.fresh_for(["--num_epoch", "3"], ckpt, log)
    os.makedirs(ckpt)
    open(os.path.join(ckpt, "ckpt.meta"), "w").write("old run")
    open(log, "w").write("old log")

    seeds.fresh_for(["--num_epoch", "3"], ckpt, log)          # same flags: resumed, kept
    assert open(os.path.join(ckpt, "ckpt.meta")).read() == "old run"

    seeds.fresh_for(["--num_epoch", "5"], ckpt, log)          # other flags: moved aside
    assert not os.path.exists(ckpt) and not os.path.exists(log)
    assert open(os.path.join(ckpt + ".flags-changed-1", "ckpt.meta")).read() == "old run"
    assert open(log + ".flags-changed-1").read() == "old log"
    assert json.load(open(ckpt + ".flags.json")) == ["--num_epoch", "5"]


def test_a_checkpoint_without_recorded_flags_is_refused(tmp_path):
    seeds = _elmo_seeds()
    ckpt = str(tmp_path / "ckpt_seed1")
    os.makedirs(ckpt)
    with pytest.raises(SystemExit, match="flags are not recorded"):
        seeds.fresh_for(["--num_epoch", "3"], ckpt, str(tmp_path / "seed1.log"))
    assert os.path.isdir(ckpt)
