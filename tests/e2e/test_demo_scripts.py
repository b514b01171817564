"""The demo's shell scripts end to end on a ChnSentiCorp slice with the tiny module."""
import os
import re
import shutil
import subprocess
import sys

import pytest

from ..conftest import CHNSENTICORP, REPO
from ..finetune import tiny_finetune


@pytest.fixture
def workdir(tmp_path, tiny_pretrained, hub_home):
    data = tiny_finetune.write_slice(str(tmp_path / "data"), CHNSENTICORP, 600, 100, 100)
    return tmp_path, ["--module_dir", tiny_pretrained[2], "--data_dir", data]


def _sh(script, args, cwd):
    env = dict(os.environ, PYTHON=sys.executable,
               PYTHONPATH=os.pathsep.join([REPO] + sys.path))
    return subprocess.run(["sh", os.path.join(REPO, script)] + args, cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=900)


@pytest.mark.early
def test_finetune_resume_and_predict(workdir):
    cwd, common = workdir
    first = _sh("run_elmo_finetune.sh", common + ["--num_epoch", "1", "--batch_size", "16"], cwd)
    assert first.returncode == 0, first.stderr[-3000:]
    ckpt = cwd / "ckpt_chnsenticorp"                       # the original's directory name
    assert (ckpt / "ckpt.meta").is_file() and (ckpt / "best_model" / "params.npz").is_file()
    assert "[test dataset evaluation result]" in first.stderr
    assert "step 10 / 38" in first.stderr                   # flags reached the script
    resumed = _sh("run_elmo_finetune.sh", common + ["--num_epoch", "2", "--batch_size", "16"], cwd)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "PaddleHub model checkpoint loaded. current_epoch=2, global_step=38" in resumed.stderr
    assert "step 40 / 76" in resumed.stderr
    # the same checkpoint_dir without the ELMo: refused, naming the flag, nothing written
    meta = (ckpt / "ckpt.meta").read_text()
    changed = _sh("run_elmo_finetune.sh", common + ["--num_epoch", "3", "--batch_size", "16",
                                                    "--use_elmo", "False"], cwd)
    assert changed.returncode == 1, changed.stderr[-3000:]
    assert changed.stderr.strip().splitlines()[-1].startswith("elmo_finetune.py: error: ")
    assert "trained with --use_elmo = True, this run has False" in changed.stderr
    assert (ckpt / "ckpt.meta").read_text() == meta

    texts = cwd / "texts.txt"
    lines = ["房间很干净，服务很好", "", "太差了", "！！！", "没有什么特别的"]
    texts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # no --module_dir / --data_dir: the best model recorded its module, vocab and dataset
    predicted = _sh("run_predict.sh", ["--input_file", str(texts)], cwd)
    assert predicted.returncode == 0, predicted.stderr[-3000:]
    out = predicted.stdout.strip().split("\n")
    assert len(out) == len(lines) + 1                        # one line per text + accuracy
    for line, text in zip(out, lines):
        got_text, label, probability = line.split("\t")
        assert got_text == text and label in ("0", "1") and 0.5 <= float(probability) <= 1.0
    data_dir = common[common.index("--data_dir") + 1]
    assert out[-1].startswith("accuracy = ")
    assert out[-1].endswith("(100 test examples, %s)" % os.path.join(data_dir, "test.tsv"))
    accuracy = float(out[-1].split()[2])
    # the same best model as the finetune's final test evaluation, so the same accuracy
    finetune_test = re.findall(r"\[test dataset evaluation result\] loss=[0-9.]+ acc=([0-9.]+)",
                               resumed.stderr)[-1]
    assert abs(accuracy - float(finetune_test)) < 1e-5, (accuracy, finetune_test)
    # Observed: with the data directory gone, the accuracy was silently of the bundled
    # 1,200-row ChnSentiCorp test split. Now that is refused, naming the file...
    moved = str(cwd / "data_moved")
    shutil.move(data_dir, moved)
    refused = _sh("run_predict.sh", ["--input_file", str(texts)], cwd)
    assert refused.returncode == 1, refused.stderr[-3000:]
    assert "is not the test split the model was trained with" in refused.stderr
    assert "accuracy" not in refused.stdout
    # ... and --test_file scores the file it is given, naming it
    told = _sh("run_predict.sh", ["--input_file", str(texts), "--test_file",
                                  os.path.join(moved, "test.tsv")], cwd)
    assert told.returncode == 0, told.stderr[-3000:]
    last = told.stdout.strip().split("\n")[-1]
    assert last == "accuracy = %f (100 test examples, %s)" % (accuracy,
                                                            os.path.join(moved, "test.tsv"))


def test_predict_needs_checkpoint_dir(workdir):
    cwd, common = workdir
    result = subprocess.run([sys.executable, os.path.join(REPO, "examples", "elmo", "predict.py")]
                            + common, cwd=str(cwd), capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=REPO))
    assert result.returncode == 2 and "--checkpoint_dir" in result.stderr


def test_ablation_without_elmo_runs_without_the_biLM(workdir):
    cwd, common = workdir
    result = _sh("run_elmo_finetune.sh", common + ["--num_epoch", "1", "--batch_size", "32",
                                                   "--use_elmo", "False",
                                                   "--checkpoint_dir", str(cwd / "ablation")], cwd)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "[test dataset evaluation result]" in result.stderr
    assert "ELMo features" not in result.stderr            # the biLM never ran
    predicted = _sh("run_predict.sh", ["--checkpoint_dir", str(cwd / "ablation")], cwd)
    assert predicted.returncode == 0, predicted.stderr[-3000:]
    assert len(predicted.stdout.strip().split("\n")) == 6   # 5 samples + the accuracy
