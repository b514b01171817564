import hashlib
import os
import shutil
import tarfile

import numpy as np
import paddle
import pytest

import paddlehub_lite as hub
from paddlehub_lite.module import ModuleFormatError
from paddlehub_lite.zoo.elmo.context import contexts_of


@pytest.fixture
def module_copy(tiny_pretrained, tmp_path):
    path = tmp_path / "mod"
    shutil.copytree(tiny_pretrained[2], path)
    return path


def test_load_by_directory(tiny_pretrained):
    module = hub.Module(directory=tiny_pretrained[2])
    assert module.name == "tiny_elmo" and module.type == "elmo"
    vocab = open(module.get_vocab_path(), encoding="utf-8").read().split("\n")
    assert vocab[:3] == ["<S>", "</S>", "<UNK>"]
    assert "elmo_word_emb" in module.weights()
    assert hub.Module(module_dir=(tiny_pretrained[2], "1.0.0")).directory == module.directory


def test_tampered_weights_are_refused(module_copy):
    data = bytearray((module_copy / "weights.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (module_copy / "weights.npz").write_bytes(bytes(data))
    with pytest.raises(ModuleFormatError, match="sha256 differs"):
        hub.Module(directory=str(module_copy))


def test_truncated_file_is_refused(module_copy):
    data = (module_copy / "assets" / "vocab.txt").read_bytes()
    (module_copy / "assets" / "vocab.txt").write_bytes(data[:100])
    with pytest.raises(ModuleFormatError, match="truncated"):
        hub.Module(directory=str(module_copy))


def test_weights_never_unpickle(module_copy):
    import json
    import pickle
    payload = pickle.dumps({"x": 1})
    (module_copy / "weights.npz").write_bytes(payload)
    manifest = json.loads((module_copy / "module.json").read_text())
    manifest["files"]["weights.npz"] = {"sha256": hashlib.sha256(payload).hexdigest(),
                                        "bytes": len(payload)}
    (module_copy / "module.json").write_text(json.dumps(manifest))
    with pytest.raises(ModuleFormatError, match="unreadable weights"):
        hub.Module(directory=str(module_copy)).weights()


def test_unknown_name_lists_every_place(hub_home, http_server, monkeypatch):
    with pytest.raises(ModuleNotFoundError) as err:
        hub.Module(name="nosuch")
    text = str(err.value)
    assert str(hub_home / "modules" / "nosuch") in text
    assert "shipped" in text and "PADDLEHUB_LITE_MODULE_SERVER" in text
    base, _ = http_server
    monkeypatch.setenv("PADDLEHUB_LITE_MODULE_SERVER", base)
    with pytest.raises(ModuleNotFoundError) as err:
        hub.Module(name="nosuch")
    assert base + "/nosuch.tar.gz" in str(err.value) and "404" in str(err.value)


def _serve_module(module_dir, served, name, sha=None):
    archive = served / (name + ".tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(module_dir, arcname=name)
    digest = sha or hashlib.sha256(archive.read_bytes()).hexdigest()
    (served / (name + ".tar.gz.sha256")).write_text(digest + "  %s.tar.gz\n" % name)


def test_install_from_module_server(tiny_pretrained, hub_home, http_server, monkeypatch):
    base, served = http_server
    _serve_module(tiny_pretrained[2], served, "tiny_elmo")
    monkeypatch.setenv("PADDLEHUB_LITE_MODULE_SERVER", base)
    module = hub.Module(name="tiny_elmo")
    assert module.directory == str(hub_home / "modules" / "tiny_elmo")
    for f in os.listdir(served):
        os.remove(served / f)
    assert hub.Module(name="tiny_elmo").directory == module.directory  # installed: no download


def test_module_server_checksum_mismatch(tiny_pretrained, hub_home, http_server, monkeypatch):
    base, served = http_server
    _serve_module(tiny_pretrained[2], served, "tiny_elmo", sha="0" * 64)
    monkeypatch.setenv("PADDLEHUB_LITE_MODULE_SERVER", base)
    with pytest.raises(ModuleNotFoundError, match="sha256"):
        hub.Module(name="tiny_elmo")
    assert not (hub_home / "modules" / "tiny_elmo").exists()


def _run_context(module, batch, **kwargs):
    inputs, outputs, program = module.context(**kwargs)
    (ctx,) = contexts_of(program)
    scope = paddle.static.Scope()
    exe = paddle.static.Executor(paddle.CPUPlace())
    exe.run(ctx.startup_program, scope=scope)
    ctx.load_pretrained(scope)
    feed = {inputs["word_ids"].name: batch}
    feed.update(ctx.feed(batch))
    mapping = paddle.pir.IrMapping()
    test_program = program.clone(mapping)
    test_program.set_is_test_attr()  # no dropout: an evaluation run
    fetch = [mapping.look_up(outputs[k]) for k in ("elmo_embed", "seq_len", "mask")]
    return exe.run(test_program, feed=feed, scope=scope, fetch_list=fetch)


@pytest.mark.parametrize("mode", [dict(trainable=True), dict(trainable=True, bilm_trainable=False),
                                  dict(trainable=True, bilm_trainable="top"),
                                  dict(trainable=False)])
def test_context_shapes_and_padding_invariance(tiny_pretrained, mode):
    module = hub.Module(directory=tiny_pretrained[2])
    sentence = [5, 9, 17, 33]
    short = np.array([sentence], dtype="int64")
    padded = np.array([sentence + [0] * 6, list(range(3, 13))], dtype="int64")
    emb_short, len_short, _ = _run_context(module, short, **mode)
    emb_pad, len_pad, mask = _run_context(module, padded, **mode)
    dim = 2 * module.bilm_config.embed_dim
    assert emb_pad.shape == (2, 10, dim) and emb_pad.dtype == np.float32
    assert np.isfinite(emb_pad).all()
    assert len_short.tolist() == [4] and len_pad.tolist() == [4, 10]
    assert mask[0, :, 0].tolist() == [1] * 4 + [0] * 6
    np.testing.assert_allclose(emb_pad[0, :4], emb_short[0], rtol=1e-5, atol=1e-5)
    assert np.abs(emb_pad[0, 4:]).max() == 0


def test_backward_direction_respects_lengths(tiny_pretrained):
    module = hub.Module(directory=tiny_pretrained[2])
    half = module.bilm_config.embed_dim
    layers = module.bilm_layers(np.array([[5, 9, 17, 0, 0], [40, 41, 17, 0, 0],
                                          [5, 9, 17, 8, 8]], dtype="int64"))
    fw1, bw1 = layers[:, :, 1, :half], layers[:, :, 1, half:]
    # The backward LM at the last real token has seen only that token: equal for rows 0 and 1
    # (same last word, different prefixes), different for row 2 (same prefix, more words after).
    np.testing.assert_allclose(bw1[0, 2], bw1[1, 2], rtol=1e-5, atol=1e-6)
    assert np.abs(bw1[0, 2] - bw1[2, 2]).max() > 1e-4
    # The forward LM at position 2 has seen tokens 0..2: rows 0 and 2 agree, row 1 differs.
    np.testing.assert_allclose(fw1[0, 2], fw1[2, 2], rtol=1e-5, atol=1e-6)
    assert np.abs(fw1[0, 2] - fw1[1, 2]).max() > 1e-4


def _one_training_step(module, **mode):
    inputs, outputs, program = module.context(**mode)
    (ctx,) = contexts_of(program)
    startup = paddle.static.Program()
    with paddle.static.program_guard(program, startup):
        label = paddle.static.data("label", [-1, 1], "int64")
        pooled = paddle.sum(outputs["elmo_embed"], axis=1)
        logits = paddle.nn.Linear(pooled.shape[-1], 2)(pooled)
        loss = paddle.nn.functional.cross_entropy(logits, label).mean()
        paddle.optimizer.SGD(0.5).minimize(loss)
    scope = paddle.static.Scope()
    exe = paddle.static.Executor(paddle.CPUPlace())
    exe.run(ctx.startup_program, scope=scope)
    exe.run(startup, scope=scope)
    ctx.load_pretrained(scope)
    names = ["elmo_fw_l1_w_ih", "elmo_bw_l2_proj_w", "elmo_word_emb", "elmo_mix_w",
             "elmo_mix_gamma"]
    before = {n: np.array(scope.find_var(n).get_tensor()) for n in names
              if scope.find_var(n) is not None}
    batch = np.array([[5, 9, 17, 33], [40, 41, 0, 0]], dtype="int64")
    feed = {inputs["word_ids"].name: batch, "label": np.array([[1], [0]], dtype="int64")}
    feed.update(ctx.feed(batch))
    exe.run(program, feed=feed, scope=scope, fetch_list=[loss])
    return {n: not np.array_equal(before[n], np.array(scope.find_var(n).get_tensor()))
            for n in before}


def test_trainable_really_trains_the_bilm(tiny_pretrained):
    module = hub.Module(directory=tiny_pretrained[2])
    changed = _one_training_step(module, trainable=True)
    assert changed == {"elmo_fw_l1_w_ih": True, "elmo_bw_l2_proj_w": True, "elmo_word_emb": True,
                       "elmo_mix_w": True, "elmo_mix_gamma": True}


def test_top_layer_mode_starts_from_the_pretrained_top_layer(tiny_pretrained):
    """Before any training, the top layer recomputed from the cached layer below gives the
    frozen biLM's own embedding."""
    module = hub.Module(directory=tiny_pretrained[2])
    batch = np.array([[5, 9, 17, 33, 0, 0], list(range(3, 9))], dtype="int64")
    frozen, _, _ = _run_context(module, batch, trainable=True, bilm_trainable=False)
    top, _, _ = _run_context(module, batch, trainable=True, bilm_trainable="top")
    np.testing.assert_allclose(top, frozen, rtol=1e-4, atol=1e-5)


def test_top_layer_mode_trains_the_top_layer_and_the_mix(tiny_pretrained):
    module = hub.Module(directory=tiny_pretrained[2])
    changed = _one_training_step(module, trainable=True, bilm_trainable="top")
    assert changed == {"elmo_bw_l2_proj_w": True, "elmo_mix_w": True, "elmo_mix_gamma": True}
    with pytest.raises(ValueError, match="bilm_trainable"):
        module.context(trainable=True, bilm_trainable="middle")


def test_frozen_bilm_trains_only_the_mix(tiny_pretrained):
    module = hub.Module(directory=tiny_pretrained[2])
    assert _one_training_step(module, trainable=True, bilm_trainable=False) == {
        "elmo_mix_w": True, "elmo_mix_gamma": True}  # the biLM is not in the program at all
    assert _one_training_step(module, trainable=False) == {
        "elmo_mix_w": False, "elmo_mix_gamma": False}
