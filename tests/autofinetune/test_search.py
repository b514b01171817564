"""hub-lite autofinetune: PaddleHub's command line and hparam.yaml on Optuna; a real search of
the tiny classifier's learning rate from a bad initial value, killed during a trial and
resumed; the hparam file's errors name the file and line."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from paddlehub_lite.autofinetune import hparams, report

from ..conftest import CHNSENTICORP, REPO
from ..finetune import tiny_finetune

HERE = os.path.dirname(os.path.abspath(__file__))

HPARAMS = """param_list:
- name : learning_rate
  init_value : 0.00001
  type : float
  lower_than : 0.03
  greater_than : 0.00001
"""


def _command(tmp_path, module_dir, data):
    return [sys.executable, "-m", "paddlehub_lite.cli", "autofinetune",
            os.path.join(HERE, "lr_trial.py"), "--param_file", str(tmp_path / "hparam.yaml"),
            "--popsize", "2", "--round", "2", "--output_dir", str(tmp_path / "search"),
            "--seed", "3", "--concurrency", "1", "--", "--module", module_dir, "--data", data]


def _final(path):
    if not os.path.exists(path):
        return None
    finals = [json.loads(x)["final"] for x in open(path) if x.endswith("\n") and "final" in x]
    return finals[-1] if finals else None


def test_a_search_finds_a_better_rate_and_resumes_after_a_kill(tiny_pretrained, tmp_path):
    (tmp_path / "hparam.yaml").write_text(HPARAMS)
    data = tiny_finetune.write_slice(str(tmp_path / "data"), CHNSENTICORP, 400, 100, 10)
    env = dict(os.environ, PADDLEHUB_LITE_HOME=str(tmp_path / "home"),
               PYTHONPATH=os.pathsep.join([REPO] + sys.path))
    cmd = _command(tmp_path, tiny_pretrained[2], data)
    trials = tmp_path / "search" / "trials"
    search = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    deadline = time.time() + 300
    while time.time() < deadline:          # kill it once trial 1 runs (trial 0 has finished)
        if _final(str(trials / "trial_0" / "result.jsonl")) is not None and \
                (trials / "trial_1" / "log.txt").exists():
            break
        assert search.poll() is None, search.stdout.read()[-3000:]
        time.sleep(0.2)
    search.send_signal(signal.SIGKILL)
    search.wait()
    bad = _final(str(trials / "trial_0" / "result.jsonl"))
    assert bad is not None and _final(str(trials / "trial_1" / "result.jsonl")) is None
    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "trial 1 was interrupted: it runs again" in resumed.stderr
    out = tmp_path / "search"
    rows = [r for r in (out / "results.md").read_text().splitlines()[2:]]
    assert len(rows) == 4 and all("| complete |" in r for r in rows), rows   # 2 x 2, once each
    assert "| 1 |" not in "".join(r[:6] for r in rows)          # the interrupted one is gone
    best = json.loads(resumed.stdout.split(", ", 1)[1])
    score = float(resumed.stdout.split("score ")[1].split(",")[0])
    # the initial rate (1e-5, two epochs) barely moves the tiny model; a searched one learns
    assert score > bad + 0.05, (score, bad)
    assert best["learning_rate"] > 1e-4
    assert (out / "best_flags.txt").read_text().strip() == "--learning_rate=%r" % \
        best["learning_rate"]
    # the same command again: nothing left to run, the same best
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and again.stdout == resumed.stdout


def test_hparam_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "h.yaml"
    path.write_text("param_list:\n- name: lr\n  type: [float\n")
    with pytest.raises(ValueError, match=r"h\.yaml:4: not valid YAML"):
        hparams.load(str(path))
    path.write_text(HPARAMS.replace("  init_value : 0.00001\n", ""))
    with pytest.raises(ValueError, match="param_list entry 1: missing init_value"):
        hparams.load(str(path))
    path.write_text(HPARAMS.replace("0.00001\n  type", "0.5\n  type"))
    with pytest.raises(ValueError, match=r"init_value 0.5 is outside \[1e-05, 0.03\]"):
        hparams.load(str(path))
    path.write_text(HPARAMS.replace("type : float", "type : str"))
    with pytest.raises(ValueError, match="type must be int or float"):
        hparams.load(str(path))
    path.write_text(HPARAMS)
    (param,) = hparams.load(str(path))
    assert param.log_scale and param.flag(0.001) == "--learning_rate=0.001"


def test_report_outside_a_search_only_logs(monkeypatch, hub_log, tmp_path):
    monkeypatch.delenv(report.RESULT_ENV, raising=False)
    report.report_final_result(0.75)
    assert "final result 0.75" in hub_log.text
    monkeypatch.setenv(report.RESULT_ENV, str(tmp_path / "r.jsonl"))
    report.report_intermediate_result(0.5, 10)
    report.report_final_result(0.8)
    assert [json.loads(x) for x in open(tmp_path / "r.jsonl")] == [
        {"step": 10, "score": 0.5}, {"final": 0.8}]
    with pytest.raises(ValueError, match="finite"):
        report.report_final_result(float("nan"))
