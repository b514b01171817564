"""``BaseTask``: programs, scope, the training loop, evaluation, prediction, checkpoints.

Each task owns its programs and its ``Scope`` (no global program or scope is used, so building a
second task in a notebook just works). The user's program is cloned, never modified. Subclasses
supply the head (``_build_net``), the loss and the metrics.
"""
import os
import time
from typing import Callable, Dict, List, Optional

import numpy as np
import paddle

from paddlehub_lite.finetune import batching, metrics as metric_lib
from paddlehub_lite.finetune.checkpoint import BestModel, Checkpointer
from paddlehub_lite.finetune.config import RunConfig
from paddlehub_lite.finetune.parallel import ParallelEnv, select_place
from paddlehub_lite.finetune.run_settings import check_resume, run_settings
from paddlehub_lite.finetune.task.prediction import Prediction
from paddlehub_lite.finetune.task.run_state import RunState
from paddlehub_lite.finetune.trainer_state import TrainerState
from paddlehub_lite.finetune.visualdl_log import ScalarLog
from paddlehub_lite.module.inputs import attached
from paddlehub_lite.utils import params_io
from paddlehub_lite.utils.run_lock import RunLock
from paddlehub_lite.utils.export import save_inference_model
from paddlehub_lite.utils.log import logger
from paddlehub_lite.utils.scope import clone_program, ensure_static, set_values

EVENTS = ("finetune_start", "finetune_end", "eval_end", "log_interval", "save_ckpt",
          "predict_end")


class BaseTask:
    """The part of every task that is not the head.

    Args:
        feed_list: names of the inputs the user feeds (e.g. ``[inputs["word_ids"].name]``).
        data_reader: a reader with ``get_samples(phase, data=None)`` (``LACClassifyReader``).
        main_program: the program holding the user's network (default: the feature's).
        startup_program: where the user's new layers' initialisers are (default:
            ``paddle.static.default_startup_program()``, where ``program_guard(program)``
            puts them).
        config: a ``RunConfig`` (default ``RunConfig()``).
        metrics_choices: "default" or a list from acc, f1, precision, recall, matthews; the
            first selects the best model.
        module_inputs: the ``ModuleInputs`` of the modules in the program (default None: the
            ones ``Module.context`` returned with the program; see ``module/inputs.py``).
    """

    def __init__(self, feed_list: List[str], data_reader, main_program=None,
                 startup_program=None, config: Optional[RunConfig] = None,
                 metrics_choices="default", module_inputs=None):
        self.feed_list = list(feed_list)
        self.module_inputs = list(module_inputs) if module_inputs is not None else None
        self.data_reader = data_reader
        self.main_program = main_program
        self.startup_program = startup_program
        self.config = config or RunConfig()
        self.metrics_choices = metric_lib.check_metrics(metrics_choices)
        self.hooks: Dict[str, Dict[str, Callable]] = {event: {} for event in EVENTS}
        self.best_score = -999.0
        self.current_epoch = 0
        self.global_step = 0
        self._built = False
        self._initialized = False
        self._train_ready = False
        self.batch_index = 0
        self._resumed = False
        self._checkpoint = None
        self.train_seconds = 0.0    # time in training steps (feed + run), this process
        self.train_examples = 0
        self.checkpointer = Checkpointer(self.config.checkpoint_dir, self.config.max_ckpt_to_keep)
        self.best_model = BestModel(self.config.checkpoint_dir)
        self.prediction = Prediction(self)
        self._run_settings = None   # what checkpoints record (run_settings.py)

    # ----- hooks --------------------------------------------------------------------------------
    def add_hook(self, event: str, func: Callable, name: Optional[str] = None) -> None:
        """Call ``func(task, **info)`` at ``event`` (one of ``EVENTS``)."""
        if event not in self.hooks:
            raise ValueError("unknown event %r: use one of %s" % (event, ", ".join(EVENTS)))
        if name is None:  # unnamed hooks (lambdas) never replace each other
            name = "%s_%d" % (getattr(func, "__name__", "hook"), len(self.hooks[event]))
        self.hooks[event][name] = func

    def delete_hook(self, event: str, name: str) -> None:
        del self.hooks[event][name]

    def _fire(self, event: str, **info) -> None:
        for func in list(self.hooks[event].values()):
            func(self, **info)

    # ----- subclass interface -------------------------------------------------------------------
    def _build_net(self, feature) -> List:
        raise NotImplementedError

    def _add_label_and_loss(self, outputs) -> None:
        raise NotImplementedError

    # ----- building ---------------------------------------------------------------------------
    @property
    def checkpoint_dir(self) -> str:
        return self.config.checkpoint_dir

    def _build(self) -> None:
        """Clone the user's program, append the head and loss, clone a test program."""
        if self._built:
            return
        ensure_static()
        cfg = self.config
        self.parallel = ParallelEnv(cfg.use_data_parallel)
        # Paddle's CPU kernels use one thread unless told; processes on one machine share cores.
        self.num_threads = cfg.num_threads or max(1, (os.cpu_count() or 1)
                                                  // self.parallel.world_size)
        paddle.base.core.set_num_threads(self.num_threads)
        self.seed = cfg.seed
        if self.seed is None:
            self.seed = (0 if self.parallel.enabled
                         else int(np.random.SeedSequence().entropy % (2**31)))
            logger.info("RunConfig seed=None: using seed %d", self.seed)
        self.place = select_place(cfg.use_cuda, self.parallel.rank)
        self.exe = paddle.static.Executor(self.place)
        self.scope = paddle.static.Scope()
        self.vdl = ScalarLog(os.path.join(self.checkpoint_dir, "vdllog"), self.parallel.is_main)
        if not self.parallel.is_main:
            logger.setLevel("WARNING")
        user_program = self.main_program
        self.contexts = (self.module_inputs if self.module_inputs is not None
                         else attached(user_program))
        self.train_program, mapping = clone_program(user_program)
        self.task_startup = paddle.static.Program()
        feature = mapping.look_up(self.feature)
        self.name_guard = paddle.base.unique_name.UniqueNameGenerator()
        with paddle.utils.unique_name.guard(self.name_guard), \
                paddle.static.program_guard(self.train_program, self.task_startup):
            self.outputs = self._build_net(feature)
            self.predict_program, predict_mapping = clone_program(self.train_program, True)
            self.predict_fetch = {"probs": predict_mapping.look_up(self.outputs[0])}
            self._add_label_and_loss(self.outputs)
        self.test_program, test_mapping = clone_program(self.train_program, for_test=True)
        self.test_fetch = {k: test_mapping.look_up(v) for k, v in self._fetch_values().items()}
        self.train_fetch = self._fetch_values()
        self._built = True

    def _fetch_values(self) -> Dict:
        return {"probs": self.outputs[0], "loss": self.mean_loss}

    def _build_optimizer(self) -> None:
        """Append backward, (all-reduce,) and the strategy's update to the train program."""
        if self._train_ready:
            return
        self._build()
        train_samples = self._samples("train")
        self.steps_per_epoch = len(self._train_batches(0, train_samples))
        self.max_train_steps = self.steps_per_epoch * self.config.num_epoch
        self.opt_startup = paddle.static.Program()
        with paddle.utils.unique_name.guard(self.name_guard), \
                paddle.static.program_guard(self.train_program, self.opt_startup):
            self.scheduler, self.lr_name = self.config.strategy.build(
                self.loss, self.max_train_steps, grad_hook=self.parallel.all_reduce_gradients)
        if self._initialized:
            self._run_startup(self.opt_startup, self.scope)
        self._train_ready = True

    # ----- initialisation ---------------------------------------------------------------------
    def _run_startup(self, program, scope) -> None:
        with paddle.static.scope_guard(scope):
            self.exe.run(program)

    def _init(self) -> None:
        """Initialise the task's scope once (see ``_initialize_scope``); when
        ``checkpoint_dir`` has a checkpoint, its parameters replace the initial ones (training
        restores the rest of its state in ``_maybe_resume``)."""
        if self._initialized:
            return
        self._build()
        self._initialize_scope(self.scope)
        self._initialized = True
        self._checkpoint = self.checkpointer.latest()
        if self._checkpoint is not None:
            state_path, trainer = self._checkpoint
            self._load_params(state_path, self.test_program, self.scope)
            self.current_epoch = trainer.epoch
            self.global_step = trainer.global_step
            self.best_score = trainer.best_score
            logger.info("PaddleHub model checkpoint loaded. current_epoch=%d, global_step=%d, "
                        "best_score=%.5f", self.current_epoch + 1, self.global_step,
                        self.best_score)

    def _initialize_scope(self, scope) -> None:
        """Run the module's startup, the user's, the task's (and the optimizer's), then write
        the module's pretrained values; nothing runs a startup program again afterwards."""
        paddle.seed(self.seed)  # identical initial parameters on every data-parallel rank
        user_startup = self.startup_program or paddle.static.default_startup_program()
        for program in ([ctx.startup_program for ctx in self.contexts] +
                        [user_startup, self.task_startup] +
                        ([self.opt_startup] if self._train_ready else [])):
            self._run_startup(program, scope)
        for ctx in self.contexts:
            ctx.load_pretrained(scope)

    def _load_params(self, path: str, program, scope) -> None:
        state = params_io.load_state(path)
        names = [n for n in params_io.state_names(program) if n in state]
        set_values(scope, {n: state[n] for n in names})

    # ----- data -------------------------------------------------------------------------------
    def _samples(self, phase: str, data=None):
        return self.data_reader.get_samples(phase, data)

    def _train_batches(self, epoch: int, samples) -> List[np.ndarray]:
        batches = batching.epoch_batches([len(s[0]) for s in samples], self.config.batch_size,
                                         self.seed, epoch)
        world = self.parallel.world_size
        return [b for b in batches if len(b) >= world]  # every rank needs at least one example

    def _max_len(self) -> int:
        lengths = [ctx.max_seq_len for ctx in self.contexts]
        return min(lengths) if lengths else 1 << 30

    def _feed(self, samples, indices, phase: str, global_size: int) -> Dict[str, np.ndarray]:
        """The feed dict of one (local) batch: word ids, module features, labels, loss scale."""
        pad_id = self.contexts[0].pad_id if self.contexts else 0
        ids = batching.pad_ids([samples[i][0] for i in indices], pad_id, self._max_len())
        feed = {name: ids for name in self.feed_list}
        for ctx in self.contexts:
            feed.update(ctx.extra_feed(phase, indices, ids, self.num_threads))
        if len(samples[0]) > 1:
            feed.update(self._label_feed(samples, indices))
            feed[self.loss_scale_name] = np.array([1.0 / global_size], dtype="float32")
        return feed

    def _prepare_features(self, phase: str, samples) -> None:
        """Let each module precompute what it feeds for this split (the frozen biLM's
        features, once per example)."""
        for ctx in self.contexts:
            ctx.prepare(phase, [s[0] for s in samples], self.num_threads)

    # ----- running ----------------------------------------------------------------------------
    def _run(self, program, feed: Dict, fetch: Dict, scope=None) -> Dict[str, np.ndarray]:
        names = list(fetch)
        with paddle.static.scope_guard(scope or self.scope):
            values = self.exe.run(program, feed=feed, fetch_list=[fetch[n] for n in names])
        return dict(zip(names, values))

    def finetune_and_eval(self):
        return self.finetune(do_eval=True)

    def finetune(self, do_eval: bool = False):
        """Train ``num_epoch`` epochs (resuming from ``checkpoint_dir`` when a checkpoint is
        there), evaluating on dev every ``eval_interval`` steps when ``do_eval``; at the end,
        dev once more and then test with the best model. Returns the last epoch's RunStates.
        Only one run at a time may train into a ``checkpoint_dir`` (see ``run_lock.py``)."""
        self._build_optimizer()
        lock = RunLock(self.checkpoint_dir) if self.parallel.is_main else None
        if lock is not None:
            lock.acquire()
        try:
            return self._finetune(do_eval)
        finally:
            if lock is not None:
                lock.release()

    def _finetune(self, do_eval: bool):
        from tqdm import tqdm

        self._init()
        self._maybe_resume()
        cfg = self.config
        logger.info("PaddleHub finetune start")
        self._fire("finetune_start")
        samples = self._samples("train")
        self._prepare_features("train", samples)
        if self.current_epoch >= cfg.num_epoch:
            logger.info("Training already finished at global_step %d (checkpoint in %s)",
                        self.global_step, self.checkpoint_dir)
            logger.info("PaddleHub finetune finished.")
            return []
        bar = tqdm(total=self.max_train_steps, initial=self.global_step, desc="finetune",
                   unit="step", disable=None if self.parallel.is_main else True)
        run_states: List[RunState] = []
        period: List[RunState] = []
        while self.current_epoch < cfg.num_epoch:
            batches = self._train_batches(self.current_epoch, samples)
            run_states = []
            while self.batch_index < len(batches):
                step_start = time.perf_counter()
                batch = batches[self.batch_index]
                local = batching.shard(batch, self.parallel.rank, self.parallel.world_size)
                feed = self._feed(samples, local, "train", len(batch))
                # Dropout masks depend only on (seed, step, rank): a resumed run draws the same.
                paddle.seed((self.seed * 1000003 + self.global_step) * 64 + self.parallel.rank)
                state = RunState()
                state.run_results = self._run(self.train_program, feed, self.train_fetch)
                state.run_results["labels"] = feed[self.label_name]
                state.run_step, state.run_examples = 1, len(local)
                self.scheduler.step()
                self.batch_index += 1
                self.global_step += 1
                self.train_seconds += time.perf_counter() - step_start
                self.train_examples += len(local)
                run_states.append(state)
                period.append(state)
                bar.update(1)
                if self.global_step % cfg.log_interval == 0:
                    self._log_train(period)
                    period = []
                if cfg.save_ckpt_interval and self.global_step % cfg.save_ckpt_interval == 0:
                    self._save_checkpoint()
                if do_eval and self.global_step % cfg.eval_interval == 0:
                    self.eval("dev")
            self.current_epoch += 1
            self.batch_index = 0
            self._save_checkpoint()
        bar.close()
        if do_eval:
            if self.global_step % cfg.eval_interval:
                self.eval("dev")
                self._save_checkpoint()  # the final best_score
            if self.data_reader.get_num_examples("test") > 0 and self.parallel.is_main:
                self.eval("test", load_best_model=True)
        logger.info("Training steps: %d examples in %.1fs [examples/sec: %.1f]",
                    self.train_examples, self.train_seconds,
                    self.train_examples / max(self.train_seconds, 1e-9))
        logger.info("PaddleHub finetune finished.")
        self._fire("finetune_end", run_states=run_states)
        return run_states

    def _log_train(self, period: List[RunState]) -> None:
        scores = self._metrics(period)
        lr = float(self.scheduler.last_lr)
        speed = len(period) / max(1e-9, time.time() - period[0].run_time_begin)
        logger.info("step %d / %d: loss=%.5f %s[step/sec: %.2f]", self.global_step,
                    self.max_train_steps, scores["loss"],
                    "".join("%s=%.5f " % (k, v) for k, v in scores.items() if k != "loss"), speed)
        self.vdl.add("train", dict(scores, learning_rate=lr), self.global_step)
        self._fire("log_interval", scores=scores)

    # ----- evaluation -------------------------------------------------------------------------
    def eval(self, phase: str = "dev", load_best_model: bool = False) -> List[RunState]:
        """Evaluate on "dev"/"val"/"test"; logs ``[<phase> dataset evaluation result]``.

        With ``load_best_model`` the parameters of ``best_model/`` are used (in a separate
        scope: the training state is not touched). A dev evaluation during training saves
        ``best_model/`` when the first metric improves."""
        phase = "dev" if phase == "val" else phase
        self._init()
        if not self.parallel.is_main:
            return []
        logger.info("Evaluation on %s dataset start", phase)
        samples = self._samples(phase)
        if not samples:
            return []
        self._prepare_features(phase, samples)
        scope = self.scope
        if load_best_model:
            scope = self.prediction.best_scope()
            if scope is None:
                logger.warning("no best model in %s yet: using the current parameters",
                               self.best_model.path)
                scope = self.scope
        states = self._eval_states(samples, phase, scope)
        scores = self._metrics(states)
        speed = len(states) / max(1e-9, time.time() - states[0].run_time_begin)
        logger.info("[%s dataset evaluation result] loss=%.5f %s[step/sec: %.2f]", phase,
                    scores["loss"], "".join("%s=%.5f " % (k, v) for k, v in scores.items()
                                            if k != "loss"), speed)
        self.vdl.add(phase, scores, self.global_step)
        if phase == "dev" and not load_best_model and self._train_ready:
            self._maybe_save_best(scores)
        self.last_eval_scores = scores
        self._fire("eval_end", phase=phase, scores=scores, run_states=states)
        return states

    def _eval_states(self, samples, phase: str, scope) -> List[RunState]:
        batches = batching.eval_batches([len(s[0]) for s in samples], self.config.batch_size)
        states = []
        for batch in batches:
            feed = self._feed(samples, batch, phase, len(batch))
            state = RunState()
            state.run_results = self._run(self.test_program, feed, self.test_fetch, scope)
            state.run_results["labels"] = feed[self.label_name]
            state.run_step, state.run_examples = 1, len(batch)
            states.append(state)
        return states

    def _maybe_save_best(self, scores: Dict[str, float]) -> None:
        main_metric = self.metrics_choices[0]
        score = scores[main_metric]
        if score <= self.best_score:
            return
        self.best_score = score
        names = [n for n in params_io.state_names(self.test_program)]
        params = params_io.read_state(self.scope, names)
        meta = {"metric": main_metric, "score": score, "global_step": self.global_step,
                "scores": scores}
        path = self.best_model.save(params, meta, export=self._export_inference_model)
        logger.info("best model saved to %s [best %s=%.5f]", path, main_metric, score)

    def _export_inference_model(self, directory: str) -> None:
        feeds = self._feed_values(self.predict_program)
        save_inference_model(os.path.join(directory, "model"), feeds,
                             [self.predict_fetch["probs"]], self.exe, self.predict_program,
                             self.scope)

    def _feed_values(self, program) -> List:
        names = set(self.feed_list) | {n for c in self.contexts for n in c.extra_input_names()}
        values = []
        for op in program.global_block().ops:
            if op.name() == "pd_op.data" and op.attrs()["name"] in names:
                values.append(op.result(0))
        return values

    # ----- checkpoints ------------------------------------------------------------------------
    def _trainer_state(self) -> TrainerState:
        return TrainerState(epoch=self.current_epoch, batch_index=self.batch_index,
                            global_step=self.global_step, best_score=self.best_score,
                            seed=self.seed, scheduler=self.scheduler.state_dict(),
                            settings=self._settings())

    def _settings(self) -> Dict:
        if self._run_settings is None:
            self._run_settings = run_settings(self.config, self.data_reader,
                                              self._samples("train"), self.test_program,
                                              self.parallel.world_size)
        return self._run_settings

    def _train_state_names(self) -> List[str]:
        return [n for n in params_io.state_names(self.train_program) if n != self.lr_name]

    def _save_checkpoint(self) -> None:
        if not self.parallel.is_main:
            return
        names = self._train_state_names()
        self.checkpointer.save(params_io.read_state(self.scope, names), self._trainer_state())
        self._fire("save_ckpt")

    def _maybe_resume(self) -> None:
        """Before the first training step: restore the whole training state (optimizer
        moments, scheduler, data position) of the checkpoint ``_init`` found."""
        if self._resumed:
            return
        self._resumed = True
        if self._checkpoint is None:
            return
        state_path, trainer = self._checkpoint
        check_resume(trainer.settings, self._settings(), self.checkpoint_dir)
        params_io.restore(self.scope, state_path, self._train_state_names())
        self.batch_index = trainer.batch_index
        if trainer.seed is not None and trainer.seed != self.seed:
            logger.warning("resuming a run made with seed %s (this config: %s); keeping %s",
                           trainer.seed, self.seed, trainer.seed)
            self.seed = trainer.seed
        self.scheduler.set_state_dict(trainer.scheduler)

    # ----- prediction -------------------------------------------------------------------------
    def predict(self, data, load_best_model: bool = True, return_result: bool = False,
                accelerate_mode: bool = True):
        """Predict ``data`` (a list of texts), in order: exactly one result per input.

        Args:
            data: the texts (or PaddleHub 1.6 style ``[[text], ...]``).
            load_best_model: use ``best_model/`` (default True); otherwise the latest
                checkpoint, or the current parameters of this task.
            return_result: return the predicted label strings instead of RunStates.
            accelerate_mode: serve through ``paddle.inference`` from the exported best model
                (default True; falls back to the executor when there is no exported model).

        Returns:
            a list of RunState, one per batch of ``config.batch_size`` inputs in input order,
            whose ``run_results[0]`` is the [batch, num_classes] probability array; or, with
            ``return_result``, the list of label strings.
        """
        if isinstance(data, (str, bytes)):
            raise TypeError("predict(data=...) takes a list of texts, got a single %s: wrap it "
                            "as [text]" % type(data).__name__)
        self._init()
        samples = self._samples("predict", data)
        logger.info("PaddleHub predict start")
        begin = time.time()
        probs = self.prediction.probabilities(samples, load_best_model, accelerate_mode)
        # Handed out as RunStates of config.batch_size consecutive inputs, in input order.
        batch_size = self.config.batch_size
        states = []
        for start in range(0, len(samples), batch_size):
            state = RunState(run_results=[probs[start:start + batch_size]])
            state.run_time_begin = begin
            state.run_step, state.run_examples = 1, len(state.run_results[0])
            states.append(state.update())
        logger.info("PaddleHub predict finished.")
        self._fire("predict_end", run_states=states)
        if return_result:
            return self._postprocess(states)
        return states

    def _postprocess(self, states: List[RunState]):
        raise NotImplementedError

    # ----- metrics ----------------------------------------------------------------------------
    def _metrics(self, states: List[RunState]) -> Dict[str, float]:
        raise NotImplementedError
