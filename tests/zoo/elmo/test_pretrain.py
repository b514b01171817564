import json
import os

import numpy as np
import pytest

from paddlehub_lite.module.manifest import read_manifest
from paddlehub_lite.zoo.elmo import corpus
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
    assert "elmo_softmax_b" in np.load(os.path.join(module_dir, "weights.npz")).files


def test_resume_continues_from_checkpoint(tiny_pretrained):
    from paddlehub_lite.zoo.elmo.pretrain import ELMoPretrainer
    trainer, final, _ = tiny_pretrained
    state = trainer.latest_checkpoint()[1]
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


def _tiny_config(tmp_path, tiny_pretrained, **overrides):
    import dataclasses
    trainer, _, _ = tiny_pretrained
    values = dict(work_dir=str(tmp_path / "work"), epochs=1, eval_every=10 ** 6)
    values.update(overrides)
    return dataclasses.replace(trainer.config, **values)


def test_resume_is_exact(tmp_path, tiny_pretrained):
    """Stopped after 7 steps and resumed to 14 == 14 steps in one go, bit for bit (batch order,
    sampled candidates and dropout masks are functions of the seed and the step)."""
    from paddlehub_lite.zoo.elmo.pretrain import ELMoPretrainer
    straight = ELMoPretrainer(_tiny_config(tmp_path / "a", tiny_pretrained, max_steps=14))
    straight.run()
    first = ELMoPretrainer(_tiny_config(tmp_path / "b", tiny_pretrained, max_steps=7))
    first.run()
    # its checkpoint rewritten in paddlehub_lite 0.1's layout (state.npz + state.json in ckpt/,
    # no ckpt.meta): still resumed, exactly
    import shutil
    path, state, scheduler = first.latest_checkpoint()
    ckpt = os.path.join(first.config.work_dir, "ckpt")
    shutil.copyfile(path, os.path.join(ckpt, "state.npz"))
    with open(os.path.join(ckpt, "state.json"), "w") as handle:
        json.dump(dict(state, lr_state=scheduler), handle)
    shutil.rmtree(os.path.dirname(path))
    os.remove(os.path.join(ckpt, "ckpt.meta"))
    resumed = ELMoPretrainer(_tiny_config(tmp_path / "b", tiny_pretrained, max_steps=14))
    resumed.run()
    assert resumed.state["step"] == straight.state["step"] == 14
    assert os.path.isfile(os.path.join(ckpt, "ckpt.meta"))      # saved in the engine's layout
    # The learning-rate variable is set from the scheduler before each step and not stored:
    # its stored shape differed from a fresh program's and broke a resume (observed).
    saved = np.load(resumed.latest_checkpoint()[0]).files
    assert first.lr_name not in saved and len(saved) > 10
    a, b = straight.encoder_weights(), resumed.encoder_weights()
    assert sorted(a) == sorted(b)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_dropout_masks_differ_between_steps(tmp_path, tiny_pretrained):
    """A seeded main program replayed one dropout mask every step (observed); the step seed
    varies it. The train program run on one fixed batch with a zero learning rate (nothing
    moves): the same step seed gives the same losses, other step seeds other losses."""
    import paddle
    from paddlehub_lite.zoo.elmo import corpus
    from paddlehub_lite.zoo.elmo.pretrain import ELMoPretrainer
    from paddlehub_lite.zoo.elmo.pretrain_config import step_seed
    trainer = ELMoPretrainer(_tiny_config(tmp_path / "a", tiny_pretrained, max_steps=1,
                                          learning_rate=0.0, dropout=0.3))
    trainer.run()
    cfg = trainer.config
    ids, lens, fw, bw = corpus.lm_arrays(trainer.train_sents[:8], trainer.vocab,
                                         trainer.bilm_config.pad_id)
    cand, fw_l, bw_l = corpus.sample_candidates(fw, bw, len(trainer.vocab), cfg.num_sampled,
                                                np.random.default_rng(0),
                                                directions=cfg.built_directions)
    feed = {"word_ids": ids, "seq_len": lens, "candidates": cand, "fw_targets": fw_l,
            "bw_targets": bw_l}
    feed = {k: v for k, v in feed.items() if not k.endswith("_targets")
            or k[:2] in trainer.losses}
    exe = paddle.static.Executor(paddle.CPUPlace())

    def losses(step):
        paddle.seed(step_seed(cfg.seed, step))
        with paddle.static.scope_guard(trainer.scope):
            return [float(v) for v in exe.run(trainer.train_prog, scope=trainer.scope, feed=feed,
                                              fetch_list=list(trainer.losses.values()))]
    first = losses(5)
    assert losses(6) != first and losses(7) != first
    assert losses(5) == first              # the same step: the same masks (and nothing moved)


@pytest.mark.early
def test_split_directions_train_in_two_processes_and_resume_exactly(tmp_path, tiny_pretrained):
    """directions='split': two processes, each LM with its own embedding; the module holds
    both, loads, and its perplexity fell in both directions. Stopped after 4 steps and rerun,
    the same command ends with the same weights bit for bit (the README's promise)."""
    import dataclasses
    import paddlehub_lite as hub
    from paddlehub_lite.zoo.elmo.pretrain_split import SplitPretrainer
    config = _tiny_config(tmp_path / "a", tiny_pretrained, directions="split", epochs=2,
                          eval_every=20)
    trainer = SplitPretrainer(config)
    final = trainer.run()
    assert final["fw_step"] == final["bw_step"] == final["step"] > 20
    untrained = trainer.untrained()
    assert final["fw_ppl"] < 0.5 * untrained["fw_ppl"]
    assert final["bw_ppl"] < 0.5 * untrained["bw_ppl"]
    module_dir = trainer.export(str(tmp_path / "split_elmo"), name="split_elmo",
                                weights_dtype="float32")
    names = set(np.load(os.path.join(module_dir, "weights.npz")).files)
    assert {"elmo_fw_word_emb", "elmo_bw_word_emb"} <= names and "elmo_word_emb" not in names
    assert {"elmo_fw_softmax_b", "elmo_bw_softmax_b"} <= names
    module = hub.Module(directory=module_dir)
    assert module.bilm_config.shared_embedding is False
    ids = np.array([[5, 6, 7, 0], [8, 9, 0, 0]], dtype="int64")
    layers = module.bilm_layers(ids)
    assert layers.shape == (2, 4, 3, 2 * config.embed_dim)
    # layer 0 = [forward embedding | backward embedding], each looked up in its own table
    weights = np.load(os.path.join(module_dir, "weights.npz"))
    np.testing.assert_allclose(layers[0, 0, 0, :config.embed_dim],
                               weights["elmo_fw_word_emb"][5], rtol=1e-5)
    np.testing.assert_allclose(layers[0, 0, 0, config.embed_dim:],
                               weights["elmo_bw_word_emb"][5], rtol=1e-5)
    # Resume: 4 steps (within the warmup, so the schedule does not depend on the planned
    # length), then the same run as above continued from that checkpoint.
    other = str(tmp_path / "b" / "work")
    SplitPretrainer(dataclasses.replace(config, work_dir=other, max_steps=4)).run()
    resumed = SplitPretrainer(dataclasses.replace(config, work_dir=other))
    assert resumed.run()["step"] == final["step"]
    a, b = trainer.encoder_weights(), resumed.encoder_weights()
    assert sorted(a) == sorted(b) and {"elmo_fw_word_emb", "elmo_bw_word_emb"} <= set(a)
    for name in a:
        assert a[name].tobytes() == b[name].tobytes(), name


def _running(pid: str) -> bool:
    """Whether process ``pid`` exists and is not a zombie (reaped between two reads of /proc
    counts as gone: the race that made the test below fail once in four loaded runs)."""
    try:
        with open("/proc/%s/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


SPLIT_RUN = """
import dataclasses, pickle, sys
from paddlehub_lite.zoo.elmo.pretrain_split import SplitPretrainer
config = pickle.load(open(sys.argv[1], "rb"))
SplitPretrainer(config).run()
"""


def test_killing_a_split_pretraining_leaves_no_orphans_and_one_writer(tmp_path, tiny_pretrained):
    """Observed: killing the parent of a split pretraining left both children training (and
    writing the checkpoints) beside the rerun."""
    import pickle
    import signal
    import subprocess
    import sys
    import time
    from paddlehub_lite.zoo.elmo.pretrain import ELMoPretrainer
    from paddlehub_lite.utils.run_lock import CheckpointDirInUse
    config = _tiny_config(tmp_path, tiny_pretrained, directions="split", epochs=500,
                          log_every=5)
    pickle.dump(config, open(tmp_path / "config.pkl", "wb"))
    parent = subprocess.Popen([sys.executable, "-c", SPLIT_RUN, str(tmp_path / "config.pkl")],
                              stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in parent.stderr:                      # wait until both children train
            lines.append(line)
            if sum("step 5 /" in x for x in lines) == 2:
                break
        children = subprocess.run(["pgrep", "-P", str(parent.pid), "-f", "spawn_main"],
                                  capture_output=True, text=True).stdout.split()
        assert len(children) == 2, lines[-20:]
        # ``import paddlehub_lite`` installs the quiet filters before Paddle is imported, in
        # the parent (a plain script) and in the workers: none prints Paddle's import warning.
        assert sum("No ccache found" in x for x in lines) == 0, "".join(lines)
        # A second writer of the same direction is refused while they live.
        with pytest.raises(CheckpointDirInUse, match="in use by another training run"):
            ELMoPretrainer(_tiny_config(tmp_path, tiny_pretrained, directions="fw")).run()
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.time() + 30
    while time.time() < deadline and any(_running(c) for c in children):
        time.sleep(0.5)
    alive = [c for c in children if _running(c)]
    assert alive == [], "children still running after their parent was killed"


def test_softmax_logits_with_the_bias_folded_into_the_product():
    """The language model's logits are one product with the bias as an extra column (faster
    than a broadcast add): values and gradients are those of ``h @ W.T + b``."""
    import paddle
    from paddlehub_lite.zoo.elmo.pretrain import ELMoPretrainer
    paddle.enable_static()
    rng = np.random.default_rng(0)
    h, w, b, r = (rng.standard_normal(s).astype("float32") for s in ([2, 3, 4], [5, 4], [5],
                                                                       [2, 3, 5]))
    main, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(main, startup):
        hv, wv, bv = (paddle.static.data(n, x.shape, "float32") for n, x in
                      (("h", h), ("w", w), ("b", b)))
        for v in (hv, wv, bv):
            v.stop_gradient = False
        logits = ELMoPretrainer._logits(hv, wv, bv)
        loss = paddle.sum(logits * paddle.to_tensor(r))
        grads = paddle.static.gradients([loss], [hv, wv, bv])
    exe = paddle.static.Executor(paddle.CPUPlace())
    out, dh, dw, db = exe.run(main, feed={"h": h, "w": w, "b": b}, fetch_list=[logits] + grads)
    np.testing.assert_allclose(out, h @ w.T + b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(db, r.sum(axis=(0, 1)), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dw, np.einsum("btc,bte->ce", r, h), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dh, r @ w, rtol=1e-5, atol=1e-5)


def test_pretraining_continues_from_a_module_and_its_card_shows_both_stages(tmp_path,
                                                                           tiny_pretrained):
    """``pretrain-elmo --init-module``: the run starts from the module's weights (its start
    perplexity is the module's final one, on the same held-out set), lowers it, and the new
    module's card lists the earlier stage's curve and command before its own."""
    from paddlehub_lite.cli import main
    trainer, final, module_dir = tiny_pretrained
    cfg = trainer.config
    out = str(tmp_path / "continued")
    args = ["pretrain-elmo", "--corpus"] + list(cfg.corpus_files) + [
        "--work-dir", str(tmp_path / "work"), "--output", out, "--name", "tiny_elmo",
        "--version", "1.1.0", "--init-module", module_dir, "--vocab-size", str(cfg.vocab_size),
        "--embed-dim", str(cfg.embed_dim), "--hidden-size", str(cfg.hidden_size),
        "--max-len", str(cfg.max_len), "--batch-tokens", str(cfg.batch_tokens),
        "--num-sampled", str(cfg.num_sampled), "--heldout-every", str(cfg.heldout_every),
        "--learning-rate", "5e-3", "--warmup-steps", "0", "--epochs", "2", "--threads", "1",
        "--weights-dtype", "float32"]
    assert main(args) == 0
    info = read_manifest(out)["info"]
    start, end = info["untrained"], info["history"][-1]
    assert abs(start["fw_ppl"] - final["fw_ppl"]) < 1e-3 * final["fw_ppl"]
    assert end["fw_ppl"] < start["fw_ppl"] and end["bw_ppl"] < start["bw_ppl"]
    assert info["continued_from"]["version"] == "1.0.0"
    card = open(os.path.join(out, "MODEL_CARD.md"), encoding="utf-8").read()
    assert "| 1.0.0 | 0 (untrained) |" in card and "| 1.1.0 | 0 (start) |" in card
    assert "| 1.0.0 | %d |" % final["step"] in card
    assert card.index("1.0.0 |") < card.index("1.1.0 |")
    assert "--init-module" in card and "Pretrained from tiny_elmo 1.0.0" in card
