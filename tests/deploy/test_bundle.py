"""The self-contained bundle: ``hub-lite export`` writes the model, each module's feature
network, the vocabulary, labels and reader settings; copied elsewhere, it predicts with an
empty home and without the module system ever being imported."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from paddlehub_lite.cli import main
from paddlehub_lite.finetune.checkpoint import CheckpointError

from ..conftest import REPO

TEXTS = ["房间很干净，服务很好", "", "太差了，再也不来", "一般"]

PREDICT = """
import json, sys
from paddlehub_lite.deploy import TextClassifier
classifier = TextClassifier(sys.argv[1], backend=sys.argv[3])
print(json.dumps(classifier.probabilities(json.loads(sys.argv[2])).tolist()))
print(json.dumps(sorted(m for m in sys.modules if m.startswith("paddle"))))
"""


@pytest.fixture(scope="module")
def exported(trained, tmp_path_factory):
    """A bundle exported (with ONNX models: paddle2onnx is in the test extra) from the trained
    checkpoint, then copied to another directory."""
    _, ckpt, _, home = trained
    root = tmp_path_factory.mktemp("bundle")
    assert main(["export", "--checkpoint_dir", ckpt, "--output", str(root / "out"),
                 "--onnx", "yes"]) == 0
    shutil.copytree(str(root / "out"), str(root / "elsewhere"))
    return str(root / "elsewhere")


def test_the_bundle_records_the_module_by_name_version_and_sha256(exported, trained):
    spec = json.load(open(os.path.join(exported, "predictor.json"), encoding="utf-8"))
    assert spec["format"] == 2
    (module,) = spec["modules"]
    assert set(module["module"]) == {"name", "version", "sha256"}
    assert module["features"]["prefix"] == "features_0" and spec["onnx"]["opset"] == 17
    assert os.path.isfile(os.path.join(exported, "features_0.pdiparams"))
    module_dir = trained[0].contexts[0].module.directory
    text = open(os.path.join(exported, "predictor.json"), encoding="utf-8").read()
    assert module_dir not in text                       # no path to the module

    def strings(value):
        if isinstance(value, dict):
            return [x for v in value.values() for x in strings(v)]
        if isinstance(value, list):
            return [x for v in value for x in strings(v)]
        return [value] if isinstance(value, str) else []
    # no absolute path at all (the dataset's directory was one: it is in the checkpoint's
    # dataset.json, not in the bundle)
    assert [x for x in strings(spec) if os.path.isabs(x)] == []
    assert "base_path" not in spec["dataset"] and spec["dataset"]["test_sha256"]
    recorded = json.load(open(os.path.join(trained[1], "dataset.json"), encoding="utf-8"))
    assert os.path.isdir(recorded["base_path"])


@pytest.mark.parametrize("backend", ["paddle", "onnx"])
def test_a_copied_bundle_predicts_with_an_empty_home_and_no_module_system(exported, trained,
                                                                          tmp_path, backend):
    """On either backend, the task's probabilities (within 1e-5); with ONNX Runtime, Paddle
    itself is never imported."""
    task = trained[0]
    env = dict(os.environ, PADDLEHUB_LITE_HOME=str(tmp_path / "empty_home"),
               PYTHONPATH=os.pathsep.join([REPO] + sys.path))
    run = subprocess.run([sys.executable, "-c", PREDICT, exported, json.dumps(TEXTS), backend],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    probs_line, modules_line = run.stdout.strip().splitlines()[-2:]
    want = np.concatenate([s.run_results[0] for s in task.predict(TEXTS)])
    np.testing.assert_allclose(np.array(json.loads(probs_line)), want, rtol=0, atol=1e-5)
    imported = json.loads(modules_line)
    assert not [m for m in imported if m.startswith(("paddlehub_lite.zoo",
                                                     "paddlehub_lite.module.module",
                                                     "paddlehub_lite.finetune.task"))], imported
    assert ("paddle" in imported) == (backend == "paddle"), imported
    assert not os.path.exists(tmp_path / "empty_home" / "modules")


def test_onnx_parity_is_recorded_and_a_model_that_differs_is_not_written(exported, trained,
                                                                         tmp_path, monkeypatch,
                                                                         hub_log):
    spec = json.load(open(os.path.join(exported, "predictor.json"), encoding="utf-8"))
    assert spec["onnx"]["max_abs_diff"] <= 1e-5 and spec["onnx"]["probes"] >= 3
    assert {"model.onnx", "features_0.onnx"} <= set(os.listdir(exported))
    from paddlehub_lite.deploy import export as export_module
    monkeypatch.setattr(export_module, "parity", lambda directory, description: 3e-4)
    result = export_module.export(trained[1], str(tmp_path / "differs"), onnx=True)
    assert result["onnx"] is None
    assert not [n for n in os.listdir(tmp_path / "differs") if n.endswith(".onnx")]
    assert "differ from Paddle Inference's by up to 0.0003" in hub_log.text
    from paddlehub_lite.deploy import TextClassifier
    assert TextClassifier(str(tmp_path / "differs")).load().backend == "paddle"   # auto
    with pytest.raises(ValueError, match="no ONNX models"):
        TextClassifier(str(tmp_path / "differs"), backend="onnx").load()


def test_hub_lite_predict_takes_a_bundle(exported, trained, tmp_path, capsys):
    path = tmp_path / "texts.txt"
    path.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    assert main(["predict", "--checkpoint_dir", exported, "--input", str(path)]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in rows] == TEXTS
    assert [r["label"] for r in rows] == [r["label"] for r in
                                          trained[0].predict(TEXTS, return_result=True)]


def test_a_changed_bundle_file_is_refused_and_export_replaces_nothing(exported, trained,
                                                                      tmp_path, capsys):
    damaged = str(tmp_path / "damaged")
    shutil.copytree(exported, damaged)
    with open(os.path.join(damaged, "features_0.pdiparams"), "r+b") as handle:
        handle.truncate(100)
    from paddlehub_lite.deploy import TextClassifier
    with pytest.raises(CheckpointError, match="features_0.pdiparams"):
        TextClassifier(damaged).load()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["export", "--checkpoint_dir", trained[1], "--output", str(mine)]) == 2
    assert "exists" in capsys.readouterr().err
    assert sorted(os.listdir(mine)) == ["notes.txt"]


SERVE_ONE = """
import json, re, subprocess, sys, urllib.request
proc = subprocess.Popen([sys.executable, "-m", "paddlehub_lite.cli", "serve", "--checkpoint_dir",
                         sys.argv[1], "--port", "0", "--name", "mine"], stderr=subprocess.PIPE,
                        text=True)
for line in proc.stderr:
    found = re.search(r"Serving .* on (http://[0-9.:]+)", line)
    if found:
        break
request = urllib.request.Request(found.group(1) + "/predict/mine",
                                 data=json.dumps({"texts": json.loads(sys.argv[2])}).encode(),
                                 headers={"Content-Type": "application/json"})
print(urllib.request.urlopen(request, timeout=60).read().decode())
proc.terminate()
sys.exit(proc.wait(timeout=30))
"""


def test_a_venv_without_paddle_predicts_and_serves_the_bundle(exported, trained, tmp_path):
    """The deployment install: a venv with onnxruntime, jieba, numpy and tqdm only (from pip's
    cache when it has them), this package on the path: hub-lite predict and serve work, with
    the task's probabilities."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pip = subprocess.run([python, "-m", "pip", "install", "-q", "onnxruntime", "jieba", "numpy",
                          "tqdm"], capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-3000:]
    env = dict(os.environ, PYTHONPATH=REPO, PADDLEHUB_LITE_HOME=str(tmp_path / "home"))
    env.pop("PYTHONHOME", None)
    check = subprocess.run([python, "-c", "import importlib.util as u; print(u.find_spec("
                            "'paddle') is None)"], env=env, capture_output=True, text=True)
    assert check.stdout.strip() == "True"                   # no Paddle in this venv
    texts = tmp_path / "texts.txt"
    texts.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    predicted = subprocess.run([python, "-m", "paddlehub_lite.cli", "predict", "--checkpoint_dir",
                                exported, "--input", str(texts)], env=env, capture_output=True,
                               text=True, timeout=300)
    assert predicted.returncode == 0, predicted.stderr[-3000:]
    rows = [json.loads(x) for x in predicted.stdout.splitlines()]
    want = np.concatenate([s.run_results[0] for s in trained[0].predict(TEXTS)])
    np.testing.assert_allclose([list(r["probabilities"].values()) for r in rows], want,
                               rtol=0, atol=1e-5)
    served = subprocess.run([python, "-c", SERVE_ONE, exported, json.dumps(TEXTS)], env=env,
                            capture_output=True, text=True, timeout=300)
    assert served.returncode == 0, served.stderr[-3000:]
    answer = json.loads(served.stdout)
    assert answer["status"] == "0" and [r["text"] for r in answer["results"]] == TEXTS


def test_int8_export_quantizes_the_lstm_and_matmul_weights(trained, tmp_path, capsys):
    """--quantize int8: the biLM's LSTMs and the head's GRU and products run on int8 weights;
    the bundle records how far the probe probabilities moved and predicts on ONNX Runtime.
    (Its accuracy on ChnSentiCorp is a benchmark: BENCHMARKS.md, bench/int8.py.)"""
    import onnx
    out = str(tmp_path / "int8")
    assert main(["export", "--checkpoint_dir", trained[1], "--output", out, "--quantize",
                 "int8"]) == 0
    assert "quantized to int8" in capsys.readouterr().out
    ops = {n.op_type for n in onnx.load(os.path.join(out, "features_0.onnx")).graph.node}
    assert "DynamicQuantizeLSTM" in ops and "LSTM" not in ops
    head = {n.op_type for n in onnx.load(os.path.join(out, "model.onnx")).graph.node}
    assert "MatMulInteger" in head
    spec = json.load(open(os.path.join(out, "predictor.json"), encoding="utf-8"))["onnx"]
    assert spec["quantized"] == "int8" and 0 < spec["int8_max_abs_diff"] < 0.1
    from paddlehub_lite.deploy import TextClassifier
    quantized = TextClassifier(out).load()
    assert quantized.backend == "onnx"
    want = np.concatenate([s.run_results[0] for s in trained[0].predict(TEXTS)])
    assert np.abs(quantized.probabilities(TEXTS) - want).max() < 0.1


def test_onnx_thread_policy_one_thread_for_one_text_and_no_spinning(exported):
    """ONNX Runtime's sessions never spin-wait (that halved batch throughput on 2 cores:
    BENCHMARKS.md), batches run on every thread given, one text on a one-thread session of its
    own; both give the same probabilities."""
    from paddlehub_lite.deploy import TextClassifier
    classifier = TextClassifier(exported, num_threads=2, backend="onnx").load()
    batch = classifier.probabilities(TEXTS)
    alone = np.concatenate([classifier.probabilities([t]) for t in TEXTS])
    np.testing.assert_allclose(alone, batch, rtol=0, atol=1e-6)
    for predictor in (classifier.predictor, classifier.modules[0]._predictor):
        assert predictor.session is not predictor._single
        for session, threads in ((predictor.session, 2), (predictor._single, 1)):
            options = session.get_session_options()
            assert options.intra_op_num_threads == threads
            assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
