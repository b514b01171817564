"""``Training``: a task's training loop and what belongs to it: periodic logging, evaluation
and checkpoints, exact resume (optimizer moments, scheduler, data position, dropout seeds),
the run settings a checkpoint records, and saving the best model with its exported inference
model. One object per task; it reads and advances the task's position (``current_epoch``,
``batch_index``, ``global_step``, ``best_score``).
"""
import json
import os
import time
from typing import Dict, List

import paddle

from paddlehub_lite.finetune import batching, bundle
from paddlehub_lite.finetune.callbacks import TrainerControl, default_callbacks
from paddlehub_lite.finetune.run_settings import check_resume, run_settings
from paddlehub_lite.finetune.task.run_state import RunState
from paddlehub_lite.finetune.trainer_state import TrainerState
from paddlehub_lite.utils import params_io
from paddlehub_lite.utils.atomic import atomic_file
from paddlehub_lite.utils.export import save_inference_model


class Training:
    """The training of one task.

    Args:
        task: the ``BaseTask`` (its programs, scope, feeds, evaluation and hooks).
    """

    def __init__(self, task):
        self.task = task
        self._run_settings = None   # what checkpoints record (run_settings.py)
        self._resumed = False
        self.evals_without_improvement = 0
        self.stopped_early = False
        self.control = TrainerControl()
        self.callbacks = default_callbacks()   # then the task's own (``add_callback``)

    def call(self, event: str, *args) -> None:
        """Run ``event`` (a ``Callback`` method) of every callback, the task's last."""
        for callback in self.callbacks + self.task.callbacks:
            getattr(callback, event)(self, *args, self.control)

    def run(self, do_eval: bool):
        """See ``BaseTask.finetune``."""
        from tqdm import tqdm

        t = self.task
        t.initialize()
        self.resume()
        cfg = t.config
        t.log.info("PaddleHub finetune start")
        self.record_dataset()
        self.control.should_stop = self.stopped_early
        self.call("on_train_begin")
        samples = t.feeder.samples("train")
        t.feeder.prepare_features("train", samples)
        if t.current_epoch >= cfg.num_epoch or self.stopped_early:
            t.log.info("Training already finished at global_step %d (checkpoint in %s)%s",
                       t.global_step, t.checkpoint_dir,
                       " (stopped early)" if self.stopped_early else "")
            t.log.info("PaddleHub finetune finished.")
            return []
        bar = tqdm(total=t.max_train_steps, initial=t.global_step, desc="finetune",
                   unit="step", disable=None if t.parallel.is_main else True)
        run_states: List[RunState] = []
        period: List[RunState] = []
        while t.current_epoch < cfg.num_epoch and not self.control.should_stop:
            batches = t.feeder.train_batches(t.current_epoch, samples)
            run_states = []
            while t.batch_index < len(batches) and not self.control.should_stop:
                step_start = time.perf_counter()
                batch = batches[t.batch_index]
                local = batching.shard(batch, t.parallel.rank, t.parallel.world_size)
                feed = t.feeder.feed(samples, local, "train", len(batch))
                # Dropout masks depend only on (seed, step, rank): a resumed run draws the same.
                paddle.seed((t.seed * 1000003 + t.global_step) * 64 + t.parallel.rank)
                if t.strategy_update.before_step is not None:   # e.g. unfreezing masks
                    t.strategy_update.before_step(t.scope, t.place, t.current_epoch,
                                                  t.global_step)
                state = RunState()
                try:
                    state.run_results = t.run_program(t.train_program, feed, t.train_fetch)
                except RuntimeError as err:
                    raise t.parallel.explain_step_failure(err, t.global_step + 1) from err
                state.run_results["labels"] = feed[t.label_name]
                state.run_step, state.run_examples = 1, len(local)
                state.learning_rate = float(t.scheduler.last_lr)      # this step's rate
                t.scheduler.step()
                t.batch_index += 1
                t.global_step += 1
                t.train_seconds += time.perf_counter() - step_start
                t.train_examples += len(local)
                run_states.append(state)
                period.append(state)
                bar.update(1)
                logged = t.global_step % cfg.log_interval == 0
                if logged:
                    self.log_train(period)
                    period = []
                if cfg.save_ckpt_interval and t.global_step % cfg.save_ckpt_interval == 0:
                    self.save_checkpoint()
                evaluated = do_eval and t.global_step % cfg.eval_interval == 0
                if evaluated:
                    self.evaluate_dev()
                if logged or evaluated:     # where callbacks ran: every rank stops together
                    try:
                        self.control.should_stop = t.parallel.any_rank(self.control.should_stop)
                    except RuntimeError as err:          # a peer that died is noticed here
                        raise t.parallel.explain_step_failure(err, t.global_step) from err
                self.stopped_early = self.control.should_stop
            if self.stopped_early:
                break                  # the epoch stays unfinished; the checkpoint says so
            t.current_epoch += 1
            t.batch_index = 0
            self.save_checkpoint()
        bar.close()
        if self.stopped_early:
            self.save_checkpoint()
        if do_eval:
            if t.global_step % cfg.eval_interval and not self.stopped_early:
                self.evaluate_dev()
                self.save_checkpoint()  # the final best_score
            if t.parallel.is_main and t.best_model.version() is not None:   # verified on load
                t.eval("dev", load_best_model=True)       # the best model's report
            if t.data_reader.get_num_examples("test") > 0 and t.parallel.is_main:
                t.eval("test", load_best_model=True)
        t.log.info("Training steps: %d examples in %.1fs [examples/sec: %.1f]",
                   t.train_examples, t.train_seconds,
                   t.train_examples / max(t.train_seconds, 1e-9))
        t.log.info("PaddleHub finetune finished.")
        self.call("on_train_end", run_states)
        return run_states

    def record_dataset(self) -> None:
        """``checkpoint_dir/dataset.json``: the training data with its directory (what
        ``run_predict.sh`` scores the recorded test split with; the bundle has no paths)."""
        t = self.task
        dataset = getattr(t.data_reader, "dataset", None)
        if not t.parallel.is_main or not hasattr(dataset, "describe"):
            return
        os.makedirs(t.checkpoint_dir, exist_ok=True)
        with atomic_file(os.path.join(t.checkpoint_dir, bundle.DATASET_FILE), "w",
                         encoding="utf-8") as handle:
            json.dump(dataset.describe(), handle, indent=1, ensure_ascii=False)

    def evaluate_dev(self) -> None:
        """A dev evaluation during training, then the callbacks' ``on_evaluate`` (best model,
        early stopping, yours) on rank 0, where evaluation runs."""
        _, scores = self.task.evaluate("dev")
        if scores is not None:          # rank 0, where evaluation runs
            self.call("on_evaluate", scores)

    def log_train(self, period: List[RunState]) -> None:
        """The callbacks' ``on_log`` with the period's scores (the log line, VisualDL,
        hooks)."""
        self.call("on_log", period, self.task.compute_metrics(period))

    def export_inference_model(self, prefix: str) -> None:
        """The predict program as ``<prefix>.json`` + ``<prefix>.pdiparams``, read back and
        checked (``utils/export.py``), each module's feature network beside it
        (``features_<i>``) and the bundle's ``predictor.json`` and vocab."""
        t = self.task
        save_inference_model(prefix, self.feed_values(t.predict_program),
                             [t.predict_fetch["probs"]], t.exe, t.predict_program, t.scope)
        directory = os.path.dirname(prefix)
        features = [ctx.export_features(os.path.join(directory, "features_%d" % i))
                    for i, ctx in enumerate(t.contexts)]     # the bundle serves without them
        bundle.write(directory, t.deploy_description(), t.data_reader.vocab_path, features)

    def feed_values(self, program) -> List:
        t = self.task
        names = set(t.feed_list) | {n for c in t.contexts for n in c.extra_input_names()}
        values = []
        for op in program.global_block().ops:
            if op.name() == "pd_op.data" and op.attrs()["name"] in names:
                values.append(op.result(0))
        return values

    # ----- checkpoints --------------------------------------------------------------------
    def trainer_state(self) -> TrainerState:
        t = self.task
        return TrainerState(epoch=t.current_epoch, batch_index=t.batch_index,
                            global_step=t.global_step, best_score=t.best_score,
                            seed=t.seed, scheduler=t.scheduler.state_dict(),
                            settings=self.settings(),
                            evals_without_improvement=self.evals_without_improvement,
                            stopped_early=self.stopped_early)

    def settings(self) -> Dict:
        t = self.task
        if self._run_settings is None:
            self._run_settings = run_settings(t.config, t.data_reader,
                                              t.feeder.samples("train"), t.test_program,
                                              t.parallel.world_size, t.recorded_settings)
        return self._run_settings

    def train_state_names(self) -> List[str]:
        t = self.task
        skip = {t.lr_name, *t.strategy_update.transient}   # set anew before every step
        return [n for n in params_io.state_names(t.train_program) if n not in skip]

    def save_checkpoint(self) -> None:
        t = self.task
        if not t.parallel.is_main:
            return
        names = self.train_state_names()
        t.checkpointer.save(params_io.read_state(t.scope, names), self.trainer_state())
        self.call("on_save")

    def resume(self) -> None:
        """Before the first training step: restore the whole training state (optimizer
        moments, scheduler, data position) of the checkpoint ``_init`` found."""
        t = self.task
        if self._resumed:
            return
        self._resumed = True
        if t.loaded_checkpoint is None:
            return
        state_path, trainer = t.loaded_checkpoint
        check_resume(trainer.settings, self.settings(), t.checkpoint_dir)
        params_io.restore(t.scope, state_path, self.train_state_names())
        t.batch_index = trainer.batch_index
        if trainer.seed is not None and trainer.seed != t.seed:
            t.log.warning("resuming a run made with seed %s (this config: %s); keeping %s",
                          trainer.seed, t.seed, trainer.seed)
            t.seed = trainer.seed
        t.scheduler.set_state_dict(trainer.scheduler)
        self.evals_without_improvement = trainer.evals_without_improvement
        self.stopped_early = trainer.stopped_early
