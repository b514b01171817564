import math

import numpy as np
import paddle
import pytest

import paddlehub_lite as hub
from paddlehub_lite.finetune.strategy import is_decay_excluded, noam_decay_factor


def test_linear_decay_follows_v112_formula():
    strategy = hub.AdamWeightDecayStrategy(learning_rate=1e-4, warmup_proportion=0.05)
    total = 900
    assert strategy.warmup_steps(total) == 45
    factor = strategy.lr_factor(total)
    for t in (0, 1, 44):
        assert factor(t) == pytest.approx(t / 45)
    for t in (45, 46, 500, 899, 900, 1000):
        assert factor(t) == pytest.approx(1 - min(t, total) / total)
    # The v1.1.2 discontinuity: warmup ends at lr * (W-1)/W, then the rate drops to
    # lr * (1 - W/T); it never reaches lr.
    assert factor(44) == pytest.approx(44 / 45) and factor(45) == pytest.approx(1 - 45 / 900)
    assert max(factor(t) for t in range(total)) < 1.0


def test_noam_decay_and_its_zero_warmup_fallback():
    factor = hub.AdamWeightDecayStrategy(lr_scheduler="noam_decay",
                                         warmup_proportion=0.1).lr_factor(1000)
    assert factor(99) == pytest.approx(1.0)               # t = 100 = W: the peak
    assert factor(0) == pytest.approx(1 / 100)
    assert factor(399) == pytest.approx(math.sqrt(100 / 400))
    assert noam_decay_factor(9, 10) == pytest.approx(1.0)
    constant = hub.AdamWeightDecayStrategy(lr_scheduler="noam_decay",
                                           warmup_proportion=0.0).lr_factor(1000)
    assert constant(0) == constant(999) == 1.0


def test_unknown_scheduler_raises():
    with pytest.raises(ValueError, match="lr_scheduler cosine is not setup correctly"):
        hub.AdamWeightDecayStrategy(lr_scheduler="cosine")


def test_weight_decay_exclusion_by_name():
    for name in ("cls_out_b", "fc0_b", "gru_bias", "fc_0.b_0", "encoder_layer_norm_scale"):
        assert is_decay_excluded(name)
    for name in ("cls_out_w", "word_emb", "elmo_mix_w", "elmo_mix_gamma", "fc_0.w_0"):
        assert not is_decay_excluded(name)


def _one_step(strategy, grad_scale=1.0, lr_mult=1.0):
    """One optimizer step on y = sum(w * x) + b with known gradients; returns before/after."""
    paddle.enable_static()
    main, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.utils.unique_name.guard(), paddle.static.program_guard(main, startup):
        x = paddle.static.data("x", [4], "float32")
        w = paddle.create_parameter([4], "float32", attr=paddle.ParamAttr(
            name="w", learning_rate=lr_mult, initializer=paddle.nn.initializer.Constant(2.0)))
        b = paddle.create_parameter([4], "float32", attr=paddle.ParamAttr(
            name="lin_b", initializer=paddle.nn.initializer.Constant(2.0)))
        loss = paddle.sum(w * x) * grad_scale + paddle.sum(b * x) * grad_scale
        scheduler = strategy.build(loss, total_steps=10).scheduler
    scope = paddle.static.Scope()
    exe = paddle.static.Executor(paddle.CPUPlace())
    with paddle.static.scope_guard(scope):
        exe.run(startup)
        exe.run(main, feed={"x": np.ones(4, "float32")})
    return (np.array(scope.find_var("w").get_tensor()), np.array(scope.find_var("lin_b").get_tensor()),
            scheduler)


def test_decoupled_weight_decay_uses_pre_update_value_and_global_lr():
    # linear_decay, no warmup: step 0 uses lr * (1 - 0/10) = lr.
    lr, wd = 0.1, 0.5
    strategy = hub.AdamWeightDecayStrategy(learning_rate=lr, warmup_proportion=0.0,
                                           weight_decay=wd)
    w, b, _ = _one_step(strategy, grad_scale=0.01, lr_mult=3.0)
    # Adam's first step moves each weight by ~lr * multiplier (sign of the gradient); the decay
    # then subtracts p_old * wd * lr with the *global* lr, not the x3 one.
    adam_w = 2.0 - lr * 3.0
    np.testing.assert_allclose(w, adam_w - 2.0 * wd * lr, rtol=1e-4)
    np.testing.assert_allclose(b, 2.0 - lr, rtol=1e-4)        # biases are not decayed


def test_global_norm_clipping_at_one():
    # With SGD (lr 1) the step equals the gradient, so its norm shows the clipping directly.
    strategy = hub.AdamWeightDecayStrategy(learning_rate=1.0, warmup_proportion=0.0,
                                           weight_decay=0.0, optimizer_name="sgd")
    w, b, _ = _one_step(strategy, grad_scale=1000.0)
    step = np.concatenate([2.0 - w, 2.0 - b])
    assert np.linalg.norm(step) == pytest.approx(1.0, rel=1e-4)   # lr 1 * clipped norm 1
    unclipped = hub.DefaultStrategy(learning_rate=1.0, optimizer_name="sgd")
    w, b, _ = _one_step(unclipped, grad_scale=1000.0)
    # Every one of the 8 gradient entries is 1000: the unclipped SGD step has norm 1000*sqrt(8).
    assert np.linalg.norm(np.concatenate([2.0 - w, 2.0 - b])) == pytest.approx(
        1000 * np.sqrt(8), rel=1e-4)


def test_default_strategy_repr_and_str():
    assert str(hub.DefaultStrategy()) == "DefaultStrategy"
    assert "learning_rate=0.0001" in repr(hub.DefaultStrategy())
