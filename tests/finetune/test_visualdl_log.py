import glob
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from . import tiny_finetune
from ..conftest import CHNSENTICORP


@pytest.fixture(scope="module")
def finished_run(tiny_pretrained, tmp_path_factory):
    root = tmp_path_factory.mktemp("vdl_run")
    old_home = os.environ.get("PADDLEHUB_LITE_HOME")
    os.environ["PADDLEHUB_LITE_HOME"] = str(root / "home")
    try:
        data = tiny_finetune.write_slice(str(root / "data"), CHNSENTICORP, 300, 60, 60)
        task = tiny_finetune.build_task(tiny_pretrained[2], data, str(root / "ckpt"),
                                        num_epoch=2, log_interval=5, eval_interval=10)
        task.finetune_and_eval()
    finally:
        if old_home is None:
            os.environ.pop("PADDLEHUB_LITE_HOME", None)
        else:
            os.environ["PADDLEHUB_LITE_HOME"] = old_home
    return task, str(root / "ckpt" / "vdllog")


def test_scalars_read_back_with_visualdl_reader(finished_run):
    from visualdl import LogReader
    task, logdir = finished_run
    (path,) = glob.glob(os.path.join(logdir, "vdlrecords.*.log"))
    reader = LogReader(file_path=path)
    tags = set(reader.get_tags()["scalar"])
    assert {"Loss_train", "acc_train", "f1_train", "learning_rate", "Loss_dev", "acc_dev",
            "Loss_test", "acc_test"} <= tags
    train = reader.get_data("scalar", "Loss_train")
    assert [r.id for r in train] == list(range(5, task.global_step + 1, 5))  # global steps
    dev = reader.get_data("scalar", "acc_dev")
    assert [r.id for r in dev][:2] == [10, 20]
    assert dev[-1].value == pytest.approx(task.best_score) or dev[-1].value <= task.best_score
    lrs = [r.value for r in reader.get_data("scalar", "learning_rate")]
    assert max(lrs) > lrs[-1]                                            # it decays


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_json(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read().decode("utf-8"))


def test_visualdl_server_serves_the_scalars(finished_run):
    task, logdir = finished_run
    port = _free_port()
    exe = os.path.join(os.path.dirname(sys.executable), "visualdl")
    server = subprocess.Popen([exe, "--logdir", logdir, "--host", "127.0.0.1", "--port",
                               str(port), "--language", "en"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:%d/app/api" % port
    try:
        deadline = time.time() + 60
        runs = None
        while time.time() < deadline:
            try:
                runs = _get_json(base + "/runs")["data"]
                if runs:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert runs, "visualdl did not answer on 127.0.0.1:%d" % port
        tags = _get_json(base + "/scalar/tags")["data"]
        run = runs[0]
        assert "Loss_train" in tags["tags"][0]
        points = _get_json(base + "/scalar/list?run=%s&tag=Loss_train"
                           % urllib.request.quote(run))["data"]
        assert [p[1] for p in points] == list(range(5, task.global_step + 1, 5))
        assert all(0 < p[2] < 5 for p in points)
    finally:
        server.terminate()
        server.wait(timeout=30)
