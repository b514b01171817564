"""A PaddleHub 1.x script (elmo_finetune_1x.py: only its imports changed) runs each of the five
demo nets through compat.fluid, the module by name and ChnSentiCorp from the home directory,
as 1.x found them: once in a process of its own, the other nets in this process (one Paddle
import instead of five)."""
import os
import runpy
import shutil
import subprocess
import sys

import pytest

from ..conftest import CHNSENTICORP, REPO
from ..finetune import tiny_finetune

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "elmo_finetune_1x.py")


@pytest.fixture(scope="module")
def home_1x(tiny_pretrained, tmp_path_factory):
    """A home where "elmo" is the tiny module and ChnSentiCorp a 200-example slice."""
    home = tmp_path_factory.mktemp("home_1x")
    shutil.copytree(tiny_pretrained[2], str(home / "modules" / "elmo"))
    tiny_finetune.write_slice(str(home / "dataset" / "chnsenticorp"), CHNSENTICORP, 200, 40, 40)
    return str(home)


def _flags(network, tmp_path):
    return ["--num_epoch", "1", "--learning_rate", "1e-3", "--weight_decay", "0.01",
            "--network", network, "--checkpoint_dir", str(tmp_path / "ckpt")]


def test_1x_script_trains_in_its_own_process(home_1x, tmp_path):
    """The script as 1.x users ran it: a process of its own (the default net, gru)."""
    env = dict(os.environ, PADDLEHUB_LITE_HOME=home_1x,
               PYTHONPATH=os.pathsep.join([REPO] + sys.path))
    result = subprocess.run([sys.executable, SCRIPT] + _flags("gru", tmp_path), env=env,
                            cwd=str(tmp_path), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "[test dataset evaluation result]" in result.stderr
    assert "peephole" not in result.stderr


@pytest.mark.parametrize("network", ["bow", "cnn", "lstm", "bilstm"])
def test_1x_script_trains_each_other_net(network, home_1x, tmp_path, monkeypatch, hub_log):
    """The other four nets: the same script run in this process (``runpy``, as ``python
    script.py`` would, with fresh default programs so nothing leaks between runs)."""
    import paddle
    monkeypatch.setenv("PADDLEHUB_LITE_HOME", home_1x)
    monkeypatch.setattr(sys, "argv", [SCRIPT] + _flags(network, tmp_path))
    monkeypatch.chdir(tmp_path)
    paddle.enable_static()
    with paddle.static.program_guard(paddle.static.Program(), paddle.static.Program()):
        runpy.run_path(SCRIPT, run_name="__main__")
    err = hub_log.text
    assert "[test dataset evaluation result]" in err
    assert ("peephole" in err) == (network in ("lstm", "bilstm"))
