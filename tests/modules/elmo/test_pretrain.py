import json
import os

import numpy as np

from paddlehub_lite.module.manifest import read_manifest
from paddlehub_lite.modules.elmo import corpus
from paddlehub_lite.reader.vocab import Vocab


def test_pretraining_lowers_heldout_perplexity(tiny_pretrained):
    trainer, final, module_dir = tiny_pretrained
    untrained = trainer.state["untrained"]
    assert untrained["fw_ppl"] > 400 and untrained["bw_ppl"] > 400   # ~ vocab size
    assert final["fw_ppl"] < 0.5 * untrained["fw_ppl"]
    assert final["bw_ppl"] < 0.5 * untrained["bw_ppl"]
    manifest = read_manifest(module_dir)
    assert manifest["network"]["hidden_size"] == 32
    assert manifest["info"]["history"][-1]["fw_ppl"] == final["fw_ppl"]
    assert "elmo_softmax_b" not in np.load(os.path.join(module_dir, "weights.npz")).files


def test_resume_continues_from_checkpoint(tiny_pretrained):
    from paddlehub_lite.modules.elmo.pretrain import ELMoPretrainer
    trainer, final, _ = tiny_pretrained
    state = json.load(open(os.path.join(trainer.config.work_dir, "ckpt", "state.json")))
    assert state["step"] == final["step"]
    # A new trainer on the same work_dir resumes; with nothing left to do it only re-evaluates,
    # and gets the same perplexity from the restored parameters.
    again = ELMoPretrainer(trainer.config)
    record = again.run()
    assert record["step"] == final["step"]
    assert abs(record["fw_ppl"] - final["fw_ppl"]) < 1e-3 * final["fw_ppl"]


def test_lm_targets_and_candidates():
    vocab = Vocab({"<S>": 0, "</S>": 1, "<UNK>": 2, "a": 3, "b": 4, "c": 5})
    ids, lens, fw, bw = corpus.lm_arrays([[3, 4, 5], [5]], vocab, pad_id=0)
    assert ids.tolist() == [[3, 4, 5], [5, 0, 0]]
    assert fw.tolist() == [[4, 5, 1], [1, -100, -100]]
    assert bw.tolist() == [[0, 3, 4], [0, -100, -100]]
    cand, fw_l, bw_l = corpus.sample_candidates(fw, bw, 6, 5, np.random.default_rng(0))
    assert len(set(cand.tolist())) == len(cand) == 5
    keep = fw != -100
    assert (cand[fw_l[keep]] == fw[keep]).all()
    assert (cand[bw_l[bw != -100]] == bw[bw != -100]).all()


def test_model_card_reports_the_recorded_run(tiny_pretrained):
    from paddlehub_lite.cli import main
    trainer, final, module_dir = tiny_pretrained
    assert main(["model-card", module_dir, "--command", "hub-lite pretrain-elmo --x"]) == 0
    card = open(os.path.join(module_dir, "MODEL_CARD.md"), encoding="utf-8").read()
    assert "forward %.1f" % final["fw_ppl"] in card
    assert "| 0 (untrained) |" in card and "hub-lite pretrain-elmo --x" in card
    assert "600 words" in card or "%d words" % len(trainer.vocab) in card
