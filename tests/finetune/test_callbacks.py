"""Training callbacks: a callback of the user's sees each period's scores and each dev
evaluation after the built-in ones (the best model is saved by then), and stops training
through the control object; the stop is kept in the checkpoint, so a rerun trains no more."""
from paddlehub_lite.finetune.callbacks import Callback

from . import tiny_finetune
from ..conftest import CHNSENTICORP, home_env


class StopAtStep(Callback):
    def __init__(self, step):
        self.step = step
        self.seen = []

    def on_log(self, trainer, period, scores, control):
        self.seen.append(("log", trainer.task.global_step, round(scores["loss"], 6)))
        if trainer.task.global_step >= self.step:
            control.should_stop = True

    def on_evaluate(self, trainer, scores, control):
        task = trainer.task
        self.seen.append(("eval", task.global_step, task.best_score >= scores["acc"]))


def test_a_callback_sees_the_loop_and_stops_it(tiny_pretrained, tmp_path):
    with home_env(str(tmp_path / "home")):
        data = tiny_finetune.write_slice(str(tmp_path / "data"), CHNSENTICORP, 160, 30, 30)
        build = lambda: tiny_finetune.build_task(  # noqa: E731
            tiny_pretrained[2], data, str(tmp_path / "ckpt"), num_epoch=3, log_interval=1,
            eval_interval=2)
        task = build()
        stopper = StopAtStep(5)
        task.add_callback(stopper)
        task.finetune_and_eval()
        assert task.global_step == 5 and task.training.stopped_early
        assert [s[:2] for s in stopper.seen] == [
            ("log", 1), ("log", 2), ("eval", 2), ("log", 3), ("log", 4), ("eval", 4), ("log", 5)]
        # on_evaluate runs after the best-model saver: best_score already includes this one
        assert all(s[2] for s in stopper.seen if s[0] == "eval")
        again = build()
        again.finetune_and_eval()
        assert again.global_step == 5                 # stopped: the rerun trains no more
