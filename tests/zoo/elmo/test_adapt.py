import os

import numpy as np

import paddlehub_lite as hub
from paddlehub_lite.cli import main
from paddlehub_lite.module.manifest import read_manifest

from ...conftest import CHNSENTICORP


def test_adapt_elmo_writes_a_loadable_module_with_lower_perplexity(tmp_path, tiny_pretrained,
                                                                   hub_home, capsys):
    """hub-lite adapt-elmo on review text: the tiny module (pretrained mostly on news) gets a
    lower held-out perplexity on that text, keeps its vocabulary, loads, and has a card."""
    _, _, module_dir = tiny_pretrained
    texts = tmp_path / "reviews.tsv"
    with open(os.path.join(CHNSENTICORP, "train.tsv"), encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    # a TSV whose text_a column is read (rows not among the fixture's first 200)
    texts.write_text("\n".join([lines[0]] + lines[1000:1600]) + "\n", encoding="utf-8")
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
