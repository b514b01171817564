"""A PaddleHub 1.x script (elmo_finetune_1x.py: only its imports changed) runs each of the five
demo nets through compat.fluid: a real process, the module by name and ChnSentiCorp from the
home directory, as 1.x found them."""
import os
import shutil
import subprocess
import sys

import pytest

from ..conftest import CHNSENTICORP, REPO
from ..finetune import tiny_finetune

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def home_1x(tiny_pretrained, tmp_path_factory):
    """A home where "elmo" is the tiny module and ChnSentiCorp a 200-example slice."""
    home = tmp_path_factory.mktemp("home_1x")
    shutil.copytree(tiny_pretrained[2], str(home / "modules" / "elmo"))
    tiny_finetune.write_slice(str(home / "dataset" / "chnsenticorp"), CHNSENTICORP, 200, 40, 40)
    return str(home)


@pytest.mark.parametrize("network", ["bow", "cnn", "gru", "lstm", "bilstm"])
def test_1x_script_trains_each_net(network, home_1x, tmp_path):
    env = dict(os.environ, PADDLEHUB_LITE_HOME=home_1x,
               PYTHONPATH=os.pathsep.join([REPO] + sys.path))
    result = subprocess.run(
        [sys.executable, os.path.join(HERE, "elmo_finetune_1x.py"), "--num_epoch", "1",
         "--learning_rate", "1e-3", "--weight_decay", "0.01", "--network", network,
         "--checkpoint_dir", str(tmp_path / "ckpt")], env=env, cwd=str(tmp_path),
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "[test dataset evaluation result]" in result.stderr
    assert ("peephole" in result.stderr) == (network in ("lstm", "bilstm"))
