"""The biLM network against a numpy reference: LSTM gates (i, f, g, o), the projection, the
residual, the backward direction reversed within each length, zero padding, and the ELMo mix."""
import numpy as np
import paddle

from paddlehub_lite.utils.scope import set_values
from paddlehub_lite.zoo.elmo.network import BiLM, BiLMConfig, elmo_mix, stack_layers


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _lstm(x, w_ih, w_hh, b_ih, b_hh):
    h = np.zeros(w_hh.shape[1])
    c = np.zeros(w_hh.shape[1])
    out = []
    for x_t in x:
        i, f, g, o = np.split(w_ih @ x_t + b_ih + w_hh @ h + b_hh, 4)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        out.append(h)
    return np.array(out)


def test_bilm_and_mix_match_a_numpy_reference():
    config = BiLMConfig(vocab_size=20, embed_dim=4, hidden_size=5, num_layers=2, dropout=0.0,
                        shared_embedding=False)
    paddle.enable_static()
    main, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(main, startup):
        ids = paddle.static.data("ids", [-1, -1], "int64")
        lens = paddle.static.data("lens", [-1], "int64")
        layers = stack_layers(BiLM(config)(ids, lens))
        mixed = elmo_mix(layers, 3)
    exe = paddle.static.Executor(paddle.CPUPlace())
    scope = paddle.static.Scope()
    exe.run(startup, scope=scope)
    rng = np.random.default_rng(0)
    weights = {}
    for p in main.global_block().all_parameters():
        if p.name.startswith("elmo_") and "mix" not in p.name:
            weights[p.name] = (rng.standard_normal(p.shape) * 0.5).astype("float32")
    weights["elmo_mix_w"] = np.array([0.3, -0.2, 0.5], "float32")
    weights["elmo_mix_gamma"] = np.array([1.5], "float32")
    set_values(scope, weights)
    word_ids = np.array([[3, 4, 5, 6], [7, 8, 0, 0]], "int64")
    seq_len = np.array([4, 2], "int64")
    got_layers, got_mix = exe.run(main, feed={"ids": word_ids, "lens": seq_len},
                                  fetch_list=[layers, mixed], scope=scope)
    for row, n in enumerate(seq_len):
        ids_row = word_ids[row, :n]
        reps = {}
        for d in ("fw", "bw"):
            emb = weights["elmo_%s_word_emb" % d][ids_row]
            x = emb if d == "fw" else emb[::-1]
            outs = []
            for layer in (1, 2):
                p = "elmo_%s_l%d" % (d, layer)
                h = _lstm(x, weights[p + "_w_ih"], weights[p + "_w_hh"], weights[p + "_b_ih"],
                          weights[p + "_b_hh"])
                out = h @ weights[p + "_proj_w"] + (x if layer > 1 else 0)
                outs.append(out)
                x = out
            reps[d] = [emb] + [o if d == "fw" else o[::-1] for o in outs]
        expected = np.stack([np.concatenate([reps["fw"][k], reps["bw"][k]], -1)
                             for k in range(3)], axis=1)
        np.testing.assert_allclose(got_layers[row, :n], expected, rtol=1e-4, atol=1e-5)
        assert not got_layers[row, n:].any()                       # padding stays zero
        w = np.exp(weights["elmo_mix_w"] + 1 / 3)
        w = 1.5 * w / w.sum()
        np.testing.assert_allclose(got_mix[row, :n], np.einsum("l,tld->td", w, expected),
                                   rtol=1e-4, atol=1e-5)
