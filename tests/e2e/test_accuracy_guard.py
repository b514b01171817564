"""The accuracy guard: the demo's own script and defaults, with the shipped ELMo, on real
ChnSentiCorp data, small enough for CI (the learning curve's 1,000-example point: the first
1,000 rows of bench/learning_curve.py's fixed shuffle of train, full dev and test).

Every other finetuning test uses the tiny test module, so a recipe regression (a learning-rate
default, an epoch count, the ELMo left out of the network) passed the whole suite. This one
fails then.

How the threshold was set (BENCHMARKS.md, "The accuracy guard", Intel Xeon, 2 cores, at the
demo's defaults of 2026-12-06: the top biLM layer finetuned, 3 epochs; the study
``bench/accuracy_guard.py``):
- the defaults, seeds 1-6: test 86.75 / 86.58 / 87.25 / 86.58 / 87.08 / 87.25 (mean 86.92,
  sd 0.32, lowest 86.58);
- the demo's learning rate at 1e-4 (PaddleHub's recipe), seeds 1-3: 56.83 / 50.33 / 60.42;
- the ELMo left out (``--use_elmo False``: the word embedding alone), seeds 1-3: 83.58 / 81.67
  / 82.67.
The threshold lies 1.58 points below the lowest seed of the defaults (the frozen-biLM defaults
before it had sd 0.91 over seeds on AMD: another CPU vendor gives other bits, as another seed
does) and 1.42 above the best seed of every broken recipe.
"""
import importlib.util
import os
import re

import pytest

from ..conftest import CHNSENTICORP, REPO
from .test_demo_scripts import _sh

THRESHOLD = 0.85   # test accuracy; see the module docstring
TEST_RESULT = re.compile(r"\[test dataset evaluation result\] loss=[0-9.]+ acc=([0-9.]+)")


def _subset_dir(work: str) -> str:
    spec = importlib.util.spec_from_file_location(
        "learning_curve", os.path.join(REPO, "bench", "learning_curve.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.subset_dir(work, CHNSENTICORP, 1000)


@pytest.mark.early
def test_the_demo_with_the_shipped_elmo_learns_1000_reviews(tmp_path, hub_home):
    data = _subset_dir(str(tmp_path))
    run = _sh("run_elmo_finetune.sh", ["--data_dir", data, "--checkpoint_dir",
                                       str(tmp_path / "ckpt")], tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "ELMo features of 1000 train examples" in run.stderr    # the shipped biLM ran
    accuracy = float(TEST_RESULT.findall(run.stderr)[-1])
    assert accuracy >= THRESHOLD, (accuracy, run.stderr[-3000:])
