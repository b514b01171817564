"""``import paddlehub_lite`` silences Paddle's known every-run messages in a user's own script
(not only in our entry points), and ``PADDLEHUB_LITE_PADDLE_NOISE=1`` keeps them."""
import os
import subprocess
import sys

import pytest

from ..conftest import REPO

# What a 1.x-style script did on Paddle 3 before (issue 23 item 3): each appears on every run.
NOISE = ("No ccache found", "PIR not support input out tensor",
         "Tensor do not have 'place' interface", "input provided by inputs has no use",
         "New Executor is Running", "pir interpreter is running by multi-thread mode")

# A user's script in miniature: the import, a static program with a parameter and an unused
# input (backward then logs "has no use"), an optimizer, one executor run.
SCRIPT = """
import numpy as np
import paddlehub_lite as hub
import paddle
paddle.enable_static()
main, startup = paddle.static.Program(), paddle.static.Program()
with paddle.static.program_guard(main, startup):
    x = paddle.static.data("x", [None, 4], "float32")
    unused = paddle.static.data("unused", [None, 4], "float32")
    y = paddle.static.nn.fc(x, 3)
    loss = paddle.mean(y * 2.0)
    paddle.static.append_backward(loss, parameter_list=None, no_grad_set=None)
    paddle.static.gradients([loss], [x, unused])
    paddle.optimizer.SGD(0.1).minimize(loss)
exe = paddle.static.Executor(paddle.CPUPlace())
exe.run(startup)
out = exe.run(main, feed={"x": np.ones((2, 4), "float32"), "unused": np.ones((2, 4), "float32")},
              fetch_list=[loss])
print("loss", float(out[0]))
"""


def _run(tmp_path, **extra_env):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GLOG_") and k != "PADDLEHUB_LITE_PADDLE_NOISE"}
    env.update(PYTHONPATH=os.pathsep.join([REPO] + sys.path), **extra_env)
    path = tmp_path / "user_script.py"
    path.write_text(SCRIPT)
    result = subprocess.run([sys.executable, str(path)], env=env, capture_output=True,
                            text=True, timeout=300, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "loss" in result.stdout
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def noisy_and_quiet(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("quiet")
    return _run(tmp, PADDLEHUB_LITE_PADDLE_NOISE="1"), _run(tmp)


def test_the_off_switch_keeps_paddles_messages(noisy_and_quiet):
    """Without the filters the script prints the known messages (so the next test can fail)."""
    noisy, _ = noisy_and_quiet
    seen = [m for m in NOISE if m in noisy]
    assert len(seen) >= 3, noisy[-3000:]


def test_import_silences_the_known_messages(noisy_and_quiet):
    _, quiet = noisy_and_quiet
    assert not [m for m in NOISE if m in quiet], quiet[-3000:]


def test_a_users_glog_level_is_kept(tmp_path):
    """GLOG_minloglevel=0 set by the user wins: the C++ info lines come back."""
    out = _run(tmp_path, GLOG_minloglevel="0")
    assert "New Executor is Running" in out or "pir interpreter" in out, out[-3000:]
