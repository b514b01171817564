import glob
import json
import os
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

from . import tiny_finetune
from ..conftest import CHNSENTICORP, free_port, home_env


@pytest.fixture(scope="module")
def finished_run(tiny_pretrained, tmp_path_factory):
    root = tmp_path_factory.mktemp("vdl_run")
    with home_env(str(root / "home")):
        data = tiny_finetune.write_slice(str(root / "data"), CHNSENTICORP, 300, 60, 60)
        task = tiny_finetune.build_task(tiny_pretrained[2], data, str(root / "ckpt"),
                                        num_epoch=2, log_interval=5, eval_interval=10)
        task.finetune_and_eval()
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
    # the best score is the best of the training's dev evaluations, and the last dev record is
    # the best model's own dev evaluation (its report), which scores just that
    assert task.best_score == pytest.approx(max(r.value for r in dev[:-1]), abs=1e-6)
    assert dev[-1].value == pytest.approx(task.best_score, abs=1e-6)
    lrs = [r.value for r in reader.get_data("scalar", "learning_rate")]
    assert max(lrs) > lrs[-1]                                            # it decays


def test_report_and_pr_curves_of_the_best_model(finished_run):
    from visualdl import LogReader
    task, logdir = finished_run
    ckpt = os.path.dirname(logdir)
    for phase in ("dev", "test"):
        with open(os.path.join(ckpt, "report_%s.json" % phase)) as handle:
            report = json.load(handle)
        confusion = np.array(report["confusion_matrix"])
        assert report["labels"] == ["0", "1"] and confusion.sum() == report["support"] == 60
        # recomputed from the confusion matrix
        assert report["accuracy"] == pytest.approx(np.trace(confusion) / 60)
        for c, row in enumerate(report["per_class"]):
            assert row["support"] == confusion[c].sum()
            if confusion[:, c].sum():
                assert row["precision"] == pytest.approx(confusion[c, c] / confusion[:, c].sum())
            assert row["recall"] == pytest.approx(confusion[c, c] / confusion[c].sum())
        assert report["micro"]["f1"] == pytest.approx(report["accuracy"])
        assert report["macro"]["f1"] == pytest.approx(
            np.mean([r["f1"] for r in report["per_class"]]))
    # the test report is the best model's test evaluation
    test_acc = [r.value for r in LogReader(file_path=glob.glob(
        os.path.join(logdir, "vdlrecords.*.log"))[0]).get_data("scalar", "acc_test")]
    with open(os.path.join(ckpt, "report_test.json")) as handle:
        assert json.load(handle)["accuracy"] == pytest.approx(test_acc[-1], abs=1e-6)
    reader = LogReader(file_path=glob.glob(os.path.join(logdir, "vdlrecords.*.log"))[0])
    tags = set(reader.get_tags()["pr_curve"])
    assert {"pr_curve_dev_0", "pr_curve_dev_1", "pr_curve_test_0", "pr_curve_test_1"} <= tags
    curve = reader.get_data("pr_curve", "pr_curve_test_1")[-1]
    assert curve.id == task.global_step
    # at threshold 0 every example counts as positive: TP + FP = all 60 examples
    assert curve.pr_curve.TP[0] + curve.pr_curve.FP[0] == 60


def _get_json(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read().decode("utf-8"))


def test_visualdl_server_serves_the_scalars(finished_run):
    task, logdir = finished_run
    port = free_port()
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
