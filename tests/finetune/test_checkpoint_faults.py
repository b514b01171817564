"""Checkpoints that cannot lie: faults observed on purpose, each reproduced here."""
import os
import re
import subprocess

import pytest

from paddlehub_lite.finetune import checkpoint
from paddlehub_lite.finetune.checkpoint import BestModel
from paddlehub_lite.finetune.run_settings import ResumeMismatch
from paddlehub_lite.utils import params_io

from ..conftest import CHNSENTICORP, small_tmpfs
from . import tiny_finetune


@pytest.fixture(scope="module")
def data_slice(tmp_path_factory):
    return tiny_finetune.write_slice(str(tmp_path_factory.mktemp("slice")), CHNSENTICORP)


@pytest.fixture
def small_disk(tmp_path):
    """A 128 KiB tmpfs: room for best_model/params.npz, not for the exported model too."""
    with small_tmpfs(tmp_path / "disk", "128k") as path:
        yield path


def test_disk_full_during_best_model_export_commits_nothing(tiny_pretrained, data_slice,
                                                            hub_home, tmp_path, small_disk):
    """Observed: Paddle wrote a truncated model.pdiparams on a full disk without an error; it
    was committed as best_model/ and served by predict."""
    task = tiny_finetune.build_task(tiny_pretrained[2], data_slice, str(tmp_path / "ckpt"),
                                    num_epoch=1, eval_interval=1000)
    task.finetune()
    params = params_io.read_state(task.scope, params_io.state_names(task.test_program))
    with pytest.raises(OSError) as raised:
        BestModel(str(small_disk)).save(params, {"score": 0.9},
                                        export=task.training.export_inference_model)
    assert "model.pdiparams" in str(raised.value)       # params.npz fitted; the export did not
    assert os.listdir(small_disk) == []                 # nothing committed, nothing left over


def test_a_corrupted_best_model_is_refused_on_load(tiny_pretrained, data_slice, hub_home,
                                                   tmp_path):
    ckpt = str(tmp_path / "ckpt")
    task = tiny_finetune.build_task(tiny_pretrained[2], data_slice, ckpt, num_epoch=1,
                                    eval_interval=1000)
    task.finetune_and_eval()
    target = os.path.join(ckpt, "best_model", "inference", "model.pdiparams")
    size = os.path.getsize(target)
    with open(target, "r+b") as handle:                  # the file truncated after the fact
        handle.truncate(size // 2)
    fresh = tiny_finetune.build_task(tiny_pretrained[2], data_slice, ckpt, num_epoch=1)
    with pytest.raises(checkpoint.CheckpointError, match="model.pdiparams"):
        fresh.predict(["很好"])


HOLD_LOCK = """
import sys, time
from paddlehub_lite.utils.run_lock import RunLock
lock = RunLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
time.sleep(120)
"""


def test_one_run_per_checkpoint_dir_and_a_dead_runs_lock_is_taken_over(
        tiny_pretrained, data_slice, hub_home, tmp_path, hub_log):
    """Observed: two runs on one checkpoint_dir both exited 0 and mixed their checkpoints. The
    refusal names the holder's pid and host; taking a dead run's lock over warns, naming them."""
    import socket
    import sys
    ckpt = str(tmp_path / "ckpt")
    host = socket.gethostname()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, ckpt], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        task = tiny_finetune.build_task(tiny_pretrained[2], data_slice, ckpt, num_epoch=1)
        with pytest.raises(RuntimeError, match="in use by another training run \\(pid %d on %s"
                           % (holder.pid, re.escape(host))):
            task.finetune()
        assert not os.path.exists(os.path.join(ckpt, "ckpt.meta"))   # it trained nothing
    finally:
        holder.kill()
        holder.wait()
    task = tiny_finetune.build_task(tiny_pretrained[2], data_slice, ckpt, num_epoch=1)
    task.finetune()                                  # the dead holder's lock is taken over
    warnings = [r.getMessage() for r in hub_log.records if r.levelname == "WARNING"]
    taken_over = ("Taking over the lock of %s from process %d on %s, which ended without "
                  "releasing it" % (ckpt, holder.pid, host))
    assert taken_over in warnings, warnings
    assert os.path.isfile(os.path.join(ckpt, "ckpt.meta"))
    assert open(os.path.join(ckpt, ".lock")).read() == ""           # released when done


def test_resume_under_changed_settings_stops(tiny_pretrained, data_slice, hub_home, tmp_path):
    """Observed: batch size 32 -> 64 on resume ran the last steps at learning rate 0; a network
    without the ELMo over an ELMo checkpoint failed with a raw shape error. Each changed setting
    stops with an error naming it before anything is trained or written; a larger num_epoch
    continues."""
    ckpt = str(tmp_path / "ckpt")
    first = tiny_finetune.build_task(tiny_pretrained[2], data_slice, ckpt, num_epoch=1)
    first.record_settings(mine="a")
    first.finetune()
    meta = open(os.path.join(ckpt, "ckpt.meta")).read()
    other = tiny_finetune.write_slice(str(tmp_path / "other"), CHNSENTICORP, train=900)
    changes = [({"batch_size": 32}, "batch_size"),
               ({"max_seq_len": 20}, "the reader.s max_seq_len"),
               ({"learning_rate": 1e-3}, "the strategy"),
               ({"data_dir": other}, "the training data"),
               # the GRU's input weight [3 x 16, ELMo 32 + word 16] -> [48, 16 words only]
               ({"use_elmo": False}, r"other parameters .*'gru_net_fc0_w \[48, 48\]'\], "
                                     r"this run has \['gru_net_fc0_w \[48, 16\]'\]"),
               ({"hid_dim": 24}, r"other parameters \(another network or module\)"),
               ({"mine": "b"}, "mine = 'a', this run has 'b'")]
    for change, message in changes:
        kwargs = dict(change)
        data = kwargs.pop("data_dir", data_slice)
        mine = kwargs.pop("mine", "a")
        again = tiny_finetune.build_task(tiny_pretrained[2], data, ckpt, num_epoch=2, **kwargs)
        again.record_settings(mine=mine)
        with pytest.raises(ResumeMismatch, match="trained with %s" % message):
            again.finetune()
        assert open(os.path.join(ckpt, "ckpt.meta")).read() == meta, change   # nothing written
    longer = tiny_finetune.build_task(tiny_pretrained[2], data_slice, ckpt, num_epoch=2)
    longer.record_settings(mine="a")
    longer.finetune()                                # a larger num_epoch may continue
    assert longer.global_step == 2 * first.global_step


def test_predict_refuses_a_bare_string(tiny_pretrained, data_slice, hub_home, tmp_path):
    """Observed: a bare string given to predict was split into characters."""
    task = tiny_finetune.build_task(tiny_pretrained[2], data_slice, str(tmp_path / "c"))
    with pytest.raises(TypeError, match="wrap it as \\[text\\]"):
        task.predict("这个酒店很好")
