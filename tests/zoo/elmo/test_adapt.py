import os
import re
import signal
import subprocess
import sys

import numpy as np

import paddlehub_lite as hub
from paddlehub_lite.cli import main
from paddlehub_lite.module.manifest import read_manifest

from ...conftest import CHNSENTICORP, REPO


def _reviews(tmp_path, rows=slice(1000, 1600)):
    """A TSV of ChnSentiCorp train rows whose text_a column is read (rows not among the
    tiny module's pretraining text)."""
    texts = tmp_path / "reviews.tsv"
    with open(os.path.join(CHNSENTICORP, "train.tsv"), encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    texts.write_text("\n".join([lines[0]] + lines[rows]) + "\n", encoding="utf-8")
    return str(texts)


def test_adapt_elmo_writes_a_loadable_module_with_lower_perplexity(tmp_path, tiny_pretrained,
                                                                   hub_home, capsys):
    """hub-lite adapt-elmo on review text: the tiny module (pretrained mostly on news) gets a
    lower held-out perplexity on that text, keeps its vocabulary, loads, and has a card."""
    _, _, module_dir = tiny_pretrained
    texts = _reviews(tmp_path)
    out = tmp_path / "adapted"
    assert main(["adapt-elmo", "--module-dir", module_dir, "--text", str(texts), "--output",
                 str(out), "--epochs", "3", "--learning-rate", "5e-3", "--batch-tokens", "512",
                 "--num-sampled", "256", "--work-dir", str(tmp_path / "work")]) == 0
    printed = capsys.readouterr().out
    assert "module written to" in printed
    manifest = read_manifest(str(out))                         # verified
    info = manifest["info"]
    before, after = info["untrained"], info["history"][-1]
    assert after["fw_ppl"] < 0.9 * before["fw_ppl"] and after["bw_ppl"] < 0.9 * before["bw_ppl"]
    assert info["adapted_from"]["weights_sha256"] == read_manifest(module_dir)["files"][
        "weights.npz"]["sha256"]
    assert open(out / "assets" / "vocab.txt").read() == open(
        os.path.join(module_dir, "assets", "vocab.txt")).read()
    card = open(out / "MODEL_CARD.md", encoding="utf-8").read()
    assert "before adaptation" in card and "Adapted from tiny_elmo" in card
    module = hub.Module(directory=str(out))
    layers = module.bilm_layers(np.array([[5, 6, 7]], dtype="int64"))
    original = hub.Module(directory=module_dir).bilm_layers(np.array([[5, 6, 7]], dtype="int64"))
    assert layers.shape == original.shape and np.abs(layers - original).max() > 1e-4


def _adapt_args(module_dir, texts, work, out, *extra):
    return ["adapt-elmo", "--module-dir", module_dir, "--text", texts, "--output", out,
            "--learning-rate", "5e-3", "--batch-tokens", "256", "--num-sampled", "128",
            "--work-dir", work] + list(extra)


def test_adapt_elmo_killed_and_rerun_resumes_exactly(tmp_path, tiny_pretrained, hub_home,
                                                     hub_log):
    """Observed: adapt-elmo killed at step 300 of 600 restarted from step 0 (it checkpointed
    only at the end). It now checkpoints every --save-every steps; SIGKILLed after one of them,
    the same command resumes there and writes the module an uninterrupted run writes."""
    _, _, module_dir = tiny_pretrained
    texts = _reviews(tmp_path)
    steps = ["--max-steps", "40", "--save-every", "4"]
    straight = str(tmp_path / "straight")
    assert main(_adapt_args(module_dir, texts, str(tmp_path / "w1"), straight, *steps)) == 0
    killed_out, work = str(tmp_path / "killed"), str(tmp_path / "w2")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([REPO] + sys.path))
    proc = subprocess.Popen([sys.executable, "-m", "paddlehub_lite.cli"] +
                            _adapt_args(module_dir, texts, work, killed_out, *steps),
                            env=env, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if "Saving pretraining checkpoint" in line and "(step 8)" in line:
            proc.send_signal(signal.SIGKILL)
            break
    assert proc.wait(timeout=300) == -9
    assert not os.path.exists(killed_out)                      # no module from the killed run
    assert main(_adapt_args(module_dir, texts, work, killed_out, *steps)) == 0
    loaded = re.findall(r"Pretraining checkpoint loaded: epoch=\d+, batch=\d+, step=(\d+)",
                        hub_log.text)
    assert len(loaded) == 1 and 8 <= int(loaded[0]) < 40, hub_log.text[-2000:]
    a = np.load(os.path.join(straight, "weights.npz"))
    b = np.load(os.path.join(killed_out, "weights.npz"))
    assert sorted(a.files) == sorted(b.files)
    for name in a.files:
        assert a[name].tobytes() == b[name].tobytes(), name


def test_adapt_elmo_minutes_stops_with_a_module(tmp_path, tiny_pretrained, hub_home, hub_log):
    """--minutes bounds the training time: the run stops, saves and still writes its module."""
    _, _, module_dir = tiny_pretrained
    out = str(tmp_path / "out")
    assert main(_adapt_args(module_dir, _reviews(tmp_path), str(tmp_path / "w"), out,
                            "--epochs", "1000", "--minutes", "0.02")) == 0
    assert "max_minutes=0.02 reached; stopping" in hub_log.text
    info = read_manifest(out)["info"]
    last = info["history"][-1]
    assert 1.2 <= last["train_seconds"] < 60 and last["epoch"] < 1000
