"""Callbacks of the training loop (``task/training.py``) and the control object they steer it
with (Hugging Face's ``TrainerCallback`` + ``TrainerControl``, for PaddleHub's loop).

What is not the loop itself is a callback: saving the best model after a dev evaluation
(``BestModelSaver``), early stopping (``EarlyStopping``), logging a period's scores to the log
and VisualDL (``TrainLogger``), and PaddleHub 1.5's hooks (``HookEvents``). A task trains
with these, then the ones given to ``task.add_callback`` in the order added. Each method gets
the ``Training`` (its ``task`` and trainer state) and the ``TrainerControl``; setting
``control.should_stop`` ends training after the current step (the checkpoint records it, and
a resumed run does not train further).
"""
import dataclasses
import time
from typing import Dict, List

from paddlehub_lite.autofinetune.report import report_intermediate_result
from paddlehub_lite.utils import params_io


@dataclasses.dataclass
class TrainerControl:
    """What callbacks tell the loop.

    Attributes:
        should_stop: end training after this step (default False).
    """

    should_stop: bool = False


class Callback:
    """A training callback: override the events you need (each does nothing here)."""

    def on_train_begin(self, trainer, control: TrainerControl) -> None:
        """Before the first step (after resuming)."""

    def on_log(self, trainer, period: List, scores: Dict[str, float],
               control: TrainerControl) -> None:
        """Every ``log_interval`` steps: the period's RunStates and their scores."""

    def on_evaluate(self, trainer, scores: Dict[str, float], control: TrainerControl) -> None:
        """After each dev evaluation during training."""

    def on_save(self, trainer, control: TrainerControl) -> None:
        """After a checkpoint was written."""

    def on_train_end(self, trainer, run_states: List, control: TrainerControl) -> None:
        """After the final evaluations."""


class BestModelSaver(Callback):
    """Save ``best_model/`` (with its exported bundle) when the first metric improves; count
    the evaluations without improvement (``trainer.evals_without_improvement``)."""

    def on_evaluate(self, trainer, scores, control) -> None:
        t = trainer.task
        main_metric = t.metrics_choices[0]
        score = scores[main_metric]
        if t.parallel.is_main:       # to hub-lite autofinetune's pruner, when in a search
            report_intermediate_result(score, t.global_step)
        if score <= t.best_score:
            trainer.evals_without_improvement += 1
            return
        trainer.evals_without_improvement = 0
        t.best_score = score
        params = params_io.read_state(t.scope, params_io.state_names(t.test_program))
        meta = {"metric": main_metric, "score": score, "global_step": t.global_step,
                "scores": scores}
        path = t.best_model.save(params, meta, export=trainer.export_inference_model)
        t.log.info("best model saved to %s [best %s=%.5f]", path, main_metric, score)


class EarlyStopping(Callback):
    """Stop when ``config.early_stopping_patience`` dev evaluations in a row brought no new
    best (no patience: never)."""

    def on_evaluate(self, trainer, scores, control) -> None:
        t = trainer.task
        patience = t.config.early_stopping_patience
        if patience is None or trainer.evals_without_improvement < patience:
            return
        control.should_stop = True
        t.log.info("Early stopping at step %d: %s has not improved in %d dev evaluations "
                   "(best %.5f)", t.global_step, t.metrics_choices[0],
                   trainer.evals_without_improvement, t.best_score)


class TrainLogger(Callback):
    """The ``step N / M: loss=... [step/sec: ...]`` line and the VisualDL train records (with
    the rate the period's last step ran with)."""

    def on_log(self, trainer, period, scores, control) -> None:
        t = trainer.task
        speed = len(period) / max(1e-9, time.time() - period[0].run_time_begin)
        t.log.info("step %d / %d: loss=%.5f %s[step/sec: %.2f]", t.global_step,
                   t.max_train_steps, scores["loss"],
                   "".join("%s=%.5f " % (k, v) for k, v in scores.items() if k != "loss"), speed)
        t.vdl.add("train", dict(scores, learning_rate=period[-1].learning_rate), t.global_step)


class HookEvents(Callback):
    """PaddleHub 1.5's hooks of the training events (``finetune_start``, ``log_interval``,
    ``save_ckpt``, ``finetune_end``; ``eval_end`` and ``predict_end`` fire where evaluation
    and prediction run, in or out of training)."""

    def on_train_begin(self, trainer, control) -> None:
        trainer.task.hooks.fire(trainer.task, "finetune_start")

    def on_log(self, trainer, period, scores, control) -> None:
        trainer.task.hooks.fire(trainer.task, "log_interval", scores=scores)

    def on_save(self, trainer, control) -> None:
        trainer.task.hooks.fire(trainer.task, "save_ckpt")

    def on_train_end(self, trainer, run_states, control) -> None:
        trainer.task.hooks.fire(trainer.task, "finetune_end", run_states=run_states)


def default_callbacks() -> List[Callback]:
    """The callbacks every task trains with, in calling order."""
    return [BestModelSaver(), EarlyStopping(), TrainLogger(), HookEvents()]
