"""PaddleHub 1.2+'s CombinedStrategy family: the schedules against their formulas (one step at
a time, and read back from the VisualDL records of a real run), discriminative rates on known
gradients, gradual unfreezing (a frozen block does not move before its epoch) and L2SP (the
pretrained parameters stay nearer their start)."""
import glob
import math
import os

import numpy as np
import paddle
import pytest

import paddlehub_lite as hub
from paddlehub_lite.finetune.combined_strategy import assign_blocks
from paddlehub_lite.finetune.strategy_settings import combined_lr_factor
from paddlehub_lite.utils import params_io

from . import tiny_finetune
from ..conftest import CHNSENTICORP, home_env


def _factor(total=100, **scheduler):
    return hub.CombinedStrategy(scheduler=scheduler).lr_factor(total)


def test_warmup_then_linear_decay_to_an_end_rate():
    # PaddleHub's "warmup 0.1 + decay to lr/32" row: W = 10, decay from step 0's line, starting
    # at the end of warmup, ending at end_learning_rate (absolute, as in 1.x: lr 1 here).
    f = _factor(warmup=0.1, linear_decay={"start_point": 0.1, "end_learning_rate": 1 / 32})
    for t in (0, 5, 9):
        assert f(t) == pytest.approx(t / 10)
    for t in (10, 50, 99, 100, 150):
        assert f(t) == pytest.approx((1 - 1 / 32) * (1 - min(t, 100) / 100) + 1 / 32)


def test_decay_start_after_warmup_and_constant_between():
    f = _factor(warmup=0.1, linear_decay={"start_point": 0.5, "end_learning_rate": 0.0})
    assert f(10) == f(49) == 1.0                          # warmup over, decay not started
    assert f(50) == pytest.approx(0.5)                    # measured from step 0
    assert _factor()(0) == _factor()(99) == 1.0           # the defaults: a constant rate


def test_slanted_triangle_formula():
    f = _factor(slanted_triangle={"cut_fraction": 0.1, "ratio": 32})
    assert f(0) == pytest.approx(1 / 32)
    assert f(10) == pytest.approx(1.0)                    # the peak at the cut
    assert f(5) == pytest.approx((1 + 0.5 * 31) / 32)
    assert f(55) == pytest.approx((1 + (1 - 45 / 90) * 31) / 32)
    assert f(100) == pytest.approx(1 / 32)


def test_noam_and_its_zero_warmup_fallback():
    f = _factor(warmup=0.1, noam_decay=True)
    assert f(9) == pytest.approx(1.0) and f(39) == pytest.approx(math.sqrt(10 / 40))
    assert _factor(noam_decay=True)(50) == 1.0


def test_settings_are_checked():
    with pytest.raises(ValueError, match="unknown scheduler setting 'cosine'"):
        hub.CombinedStrategy(scheduler={"cosine": 1})
    with pytest.raises(ValueError, match="start_point' must be a number"):
        hub.CombinedStrategy(scheduler={"linear_decay": {"start_point": "half"}})
    with pytest.raises(ValueError, match="GlobalNorm or Norm, not both"):
        hub.CombinedStrategy(clip={"GlobalNorm": 1.0, "Norm": 1.0})
    strategy = hub.CombinedStrategy()
    strategy.add_scheduler("warmup", 0.2)
    strategy.add_scheduler("linear_decay", start_point=0.2, end_learning_rate=0.0)
    strategy.add_regularization("L2SP", 0.01)
    strategy.add_clip("GlobalNorm", 1.0)
    assert strategy.scheduler["warmup"] == 0.2
    assert strategy.scheduler["linear_decay"] == {"start_point": 0.2, "end_learning_rate": 0.0}
    assert strategy.regularization["L2SP"] == 0.01 and strategy.clip["GlobalNorm"] == 1.0
    with pytest.raises(ValueError, match="unknown regularization setting 'L3'"):
        strategy.add_regularization("L3", 1.0)


def test_ulmfit_and_1x_wrappers_map_to_combined_settings():
    ulmfit = hub.ULMFiTStrategy(learning_rate=1e-3, frz_blocks=2, dis_blocks=3)
    assert ulmfit.scheduler["slanted_triangle"] == {"cut_fraction": 0.1, "ratio": 32}
    assert ulmfit.scheduler["discriminative"] == {"blocks": 3, "factor": 2.6}
    assert ulmfit.scheduler["gradual_unfreeze"] == 2
    assert hub.DefaultFinetuneStrategy(regularization_coeff=0.5).regularization["L2"] == 0.5
    assert hub.L2SPFinetuneStrategy().regularization["L2SP"] == 1e-3


def test_blocks_head_first_then_modules_top_down():
    depth = assign_blocks(["fc_w", "mix", "top_w", "low_w"],
                          [["mix"], ["absent"], ["top_w"], ["low_w", "emb"]])
    assert depth == {"fc_w": 0, "mix": 1, "top_w": 2, "low_w": 3}


def _sgd_step(strategy, epoch):
    """One SGD step (lr 1) on loss = sum(p) for a head, a mix and a top block of 2 values each
    (every gradient 1): returns how far each block moved."""
    paddle.enable_static()
    main, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.utils.unique_name.guard(), paddle.static.program_guard(main, startup):
        params = {name: paddle.create_parameter([2], "float32", attr=paddle.ParamAttr(
            name=name, initializer=paddle.nn.initializer.Constant(0.0)))
            for name in ("head", "mix", "top")}
        loss = paddle.add_n([paddle.sum(p) for p in params.values()])
        update = strategy.build(loss, total_steps=10, blocks=[["mix"], ["top"]])
    scope, place = paddle.static.Scope(), paddle.CPUPlace()
    exe = paddle.static.Executor(place)
    with paddle.static.scope_guard(scope):
        exe.run(startup)
        if update.before_step is not None:
            update.before_step(scope, place, epoch, 0)
        exe.run(main)
    return {n: float(-np.array(scope.find_var(n).get_tensor())[0]) for n in params}


def test_discriminative_rates_by_depth():
    moved = _sgd_step(hub.CombinedStrategy("sgd", 1.0, scheduler={
        "discriminative": {"blocks": 3, "factor": 2.0}}), epoch=0)
    assert moved == pytest.approx({"head": 1.0, "mix": 0.5, "top": 0.25})


def test_gradual_unfreezing_one_block_per_epoch():
    strategy = hub.CombinedStrategy("sgd", 1.0, scheduler={"gradual_unfreeze": 3})
    assert _sgd_step(strategy, 0) == pytest.approx({"head": 1.0, "mix": 0.0, "top": 0.0})
    assert _sgd_step(strategy, 1) == pytest.approx({"head": 1.0, "mix": 1.0, "top": 0.0})
    assert _sgd_step(strategy, 2) == pytest.approx({"head": 1.0, "mix": 1.0, "top": 1.0})
    # two blocks: the second holds everything below the head
    two = hub.CombinedStrategy("sgd", 1.0, scheduler={"gradual_unfreeze": 2})
    assert _sgd_step(two, 0) == pytest.approx({"head": 1.0, "mix": 0.0, "top": 0.0})


@pytest.fixture(scope="module")
def unfreezing_run(tiny_pretrained, tmp_path_factory):
    """A real finetune with the top biLM layer trained, ULMFiT's schedule and gradual
    unfreezing of 3 blocks (head / mix / top layer), 3 epochs; each block's parameters after
    every step."""
    root = tmp_path_factory.mktemp("ulmfit_run")
    with home_env(str(root / "home")):
        data = tiny_finetune.write_slice(str(root / "data"), CHNSENTICORP, 160, 40, 40)
        strategy = hub.ULMFiTStrategy(learning_rate=3e-3, cut_fraction=0.2, ratio=8,
                                      dis_blocks=0, frz_blocks=3)
        task = tiny_finetune.build_task(tiny_pretrained[2], data, str(root / "ckpt"),
                                        mode="top", num_epoch=3, strategy=strategy,
                                        log_interval=1, eval_interval=1000)
        snapshots = []
        task.add_hook("log_interval", lambda t, **_: snapshots.append(
            (t.current_epoch, params_io.read_state(t.scope, params_io.state_names(
                t.test_program)))))
        task.finetune(do_eval=False)
    return task, snapshots, str(root / "ckpt" / "vdllog")


def _moved(before, after, names):
    return max(float(np.abs(after[n] - before[n]).max()) for n in names)


def test_a_frozen_block_does_not_move_before_its_epoch(unfreezing_run, tiny_pretrained):
    from paddlehub_lite.module.manifest import load_weights
    task, snapshots, _ = unfreezing_run
    first = snapshots[0][1]                                     # after the first step
    mix = [n for n in first if n.startswith("elmo_mix")]
    top = [n for n in first if n.startswith("elmo_") and "_l2_" in n]
    head = [n for n in first if not n.startswith("elmo_")]
    assert mix and top and head
    pretrained = load_weights(tiny_pretrained[2])
    start = dict(first, elmo_mix_w=np.zeros_like(first["elmo_mix_w"]),
                 elmo_mix_gamma=np.ones_like(first["elmo_mix_gamma"]),
                 **{n: pretrained[n] for n in top})             # the values before training
    last = {epoch: params for epoch, params in snapshots}       # each epoch's final values
    assert _moved(first, last[0], head) > 1e-3
    assert _moved(start, last[0], mix) == 0.0 and _moved(start, last[0], top) == 0.0
    assert _moved(start, last[1], mix) > 1e-4 and _moved(start, last[1], top) == 0.0
    assert _moved(last[1], last[2], top) > 1e-4


def test_learning_rate_records_follow_the_slanted_triangle(unfreezing_run):
    from visualdl import LogReader
    task, _, logdir = unfreezing_run
    (path,) = glob.glob(os.path.join(logdir, "vdlrecords.*.log"))
    records = LogReader(file_path=path).get_data("scalar", "learning_rate")
    factor = combined_lr_factor(hub.ULMFiTStrategy(cut_fraction=0.2, ratio=8).scheduler,
                                task.max_train_steps)
    # the record of global step s is the rate its step (0-based s - 1) ran with
    by_step = {r.id: r.value for r in records}
    for step in (1, 2, task.max_train_steps // 5, task.max_train_steps // 2,
                 task.max_train_steps):
        assert by_step[step] == pytest.approx(3e-3 * factor(step - 1), rel=1e-5)


def test_l2sp_pulls_the_pretrained_layer_toward_its_start(tiny_pretrained, tmp_path):
    """The same run with and without a strong L2SP term: the trained top layer ends nearer its
    pretrained values with it; the start values are the module's own."""
    from paddlehub_lite.module.manifest import load_weights
    distances = {}
    with home_env(str(tmp_path / "home")):
        data = tiny_finetune.write_slice(str(tmp_path / "data"), CHNSENTICORP, 96, 20, 20)
        for coeff in (0.0, 50.0):
            strategy = hub.CombinedStrategy(learning_rate=3e-3, regularization={"L2SP": coeff})
            task = tiny_finetune.build_task(tiny_pretrained[2], data,
                                            str(tmp_path / ("ckpt%g" % coeff)), mode="top",
                                            num_epoch=2, strategy=strategy, eval_interval=1000)
            task.finetune(do_eval=False)
            top = [n for n in params_io.state_names(task.test_program) if "_l2_" in n]
            pretrained = load_weights(tiny_pretrained[2])
            now = params_io.read_state(task.scope, top)
            distances[coeff] = sum(float(np.square(now[n] - pretrained[n]).sum()) for n in top)
            if coeff:
                kept = params_io.read_state(task.scope, [n + "@L2SP_START" for n in top])
                for n in top:
                    np.testing.assert_allclose(kept[n + "@L2SP_START"], pretrained[n],
                                               rtol=1e-6)
    assert distances[0.0] > 0
    assert distances[50.0] < 0.5 * distances[0.0], distances
