"""``BaseTask``: programs, scope, the training loop, evaluation, prediction, checkpoints.

Each task owns its programs and its ``Scope`` (no global program or scope is used, so building a
second task in a notebook just works). The user's program is cloned, never modified. Subclasses
supply the head (``_build_net``), the loss and the metrics.
"""
import contextlib
import time
from typing import Dict, List, Optional

import numpy as np
import paddle

from paddlehub_lite.finetune import bundle, metrics as metric_lib
from paddlehub_lite.finetune.checkpoint import BestModel, Checkpointer
from paddlehub_lite.finetune.config import RunConfig
from paddlehub_lite.finetune.task.feeder import Feeder
from paddlehub_lite.finetune.task.hooks import HookMethods, Hooks
from paddlehub_lite.finetune.task.prediction import Prediction
from paddlehub_lite.finetune.task.programs import ProgramMethods
from paddlehub_lite.finetune.task.scope_init import ScopeMethods
from paddlehub_lite.finetune.task.training import Training
from paddlehub_lite.finetune.task.run_state import RunState
from paddlehub_lite.utils.run_lock import RunLock
from paddlehub_lite.utils.scope import restored_rng



class BaseTask(HookMethods, ProgramMethods, ScopeMethods):
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

    allowed_metrics = metric_lib.METRICS     # the first is the default

    def __init__(self, feed_list: List[str], data_reader, main_program=None,
                 startup_program=None, config: Optional[RunConfig] = None,
                 metrics_choices="default", module_inputs=None):
        self.feed_list = list(feed_list)
        self.module_inputs = list(module_inputs) if module_inputs is not None else None
        self.data_reader = data_reader
        self.main_program = main_program
        self.startup_program = startup_program
        self.config = config or RunConfig()
        self.metrics_choices = metric_lib.check_metrics(metrics_choices, self.allowed_metrics)
        self.hooks = Hooks()
        self.callbacks: List = []               # add_callback: after the built-in ones
        self.last_eval_scores: Optional[Dict[str, float]] = None   # of the latest eval()
        self.best_score = -999.0
        self.current_epoch = 0
        self.global_step = 0
        self._built = False
        self._initialized = False
        self._train_ready = False
        self.batch_index = 0
        self.loaded_checkpoint = None     # (state path, TrainerState) initialize() found
        self.feeder: Optional[Feeder] = None       # built with the programs
        self.recorded_settings: Dict[str, object] = {}   # record_settings
        self.train_seconds = 0.0    # time in training steps (feed + run), this process
        self.train_examples = 0
        self.checkpointer = Checkpointer(self.config.checkpoint_dir, self.config.max_ckpt_to_keep)
        self.best_model = BestModel(self.config.checkpoint_dir)
        self.prediction = Prediction(self)
        self.training = Training(self)
        # Built by ``_build`` (programs.py) on first use, None until then:
        self.parallel = self.log = self.num_threads = self.seed = None
        self.place = self.exe = self.scope = self.vdl = self.contexts = None
        self.train_program = self.test_program = self.predict_program = None
        self.task_startup = self.name_guard = self.outputs = None
        self.train_fetch = self.test_fetch = self.predict_fetch = None
        # ... and by ``_build_optimizer``:
        self.steps_per_epoch = self.max_train_steps = self.opt_startup = None
        self.strategy_update = self.scheduler = self.lr_name = None

    def add_callback(self, callback) -> None:
        """Add a training callback (``finetune/callbacks.py``: ``Callback`` methods, a
        ``TrainerControl`` to stop training); called after the built-in ones."""
        self.callbacks.append(callback)

    def record_settings(self, **settings) -> None:
        """Record ``name=value`` settings of your script (JSON values) in every checkpoint, so
        that resuming or evaluating a checkpoint made with other values stops with an error
        naming the setting, before any parameter is loaded. The demo records ``use_elmo``,
        ``network`` and the other flags that shape its network. Call before training."""
        self.recorded_settings.update(settings)

    def deploy_description(self) -> Dict:
        """What the best model's bundle records: ``finetune/bundle.describe(self)``."""
        return bundle.describe(self)

    # ----- subclass interface -------------------------------------------------------------------
    def task_description(self) -> Dict:
        """The task's part of ``deploy_description``: at least ``{"kind": ...}``."""
        raise NotImplementedError

    def _build_net(self, feature) -> List:
        raise NotImplementedError

    def _add_label_and_loss(self, outputs) -> None:
        raise NotImplementedError

    def _label_feed(self, samples, indices) -> Dict[str, np.ndarray]:
        """``{label input: array}`` of a batch of labelled samples."""
        raise NotImplementedError

    def _report(self, phase: str, states: List[RunState]) -> None:
        """After an evaluation of the best model: write the task's report (default: none)."""

    @property
    def checkpoint_dir(self) -> str:
        return self.config.checkpoint_dir

    # ----- running ----------------------------------------------------------------------------
    def run_program(self, program, feed: Dict, fetch: Dict, scope=None) -> Dict[str, np.ndarray]:
        """Run one of the task's programs in its scope (or ``scope``): ``{name: value}`` of
        ``fetch``."""
        names = list(fetch)
        paddle.base.core.set_num_threads(self.num_threads)
        with paddle.static.scope_guard(scope or self.scope):
            values = self.exe.run(program, feed=feed, fetch_list=[fetch[n] for n in names])
        return dict(zip(names, values))

    def finetune_and_eval(self):
        """Train ``config.num_epoch`` epochs with dev evaluations every
        ``config.eval_interval`` steps (the best model kept in ``checkpoint_dir/best_model``),
        then evaluate dev and test with the best model: ``finetune(do_eval=True)``. Resumes
        from ``checkpoint_dir`` when it holds a checkpoint. Returns the last epoch's RunStates."""
        return self.finetune(do_eval=True)

    def finetune(self, do_eval: bool = False):
        """Train ``num_epoch`` epochs (resuming from ``checkpoint_dir`` when a checkpoint is
        there), evaluating on dev every ``eval_interval`` steps when ``do_eval``; at the end,
        dev once more and then test with the best model. Returns the last epoch's RunStates.
        Only one run at a time may train into a ``checkpoint_dir`` (see ``run_lock.py``)."""
        self._build_optimizer()
        # Only rank 0 writes checkpoints, so only rank 0 locks.
        with RunLock(self.checkpoint_dir) if self.parallel.is_main else \
                contextlib.nullcontext(), restored_rng():     # each step reseeds (dropout)
            return self.training.run(do_eval)

    # ----- evaluation -------------------------------------------------------------------------
    def eval(self, phase: str = "dev", load_best_model: bool = False) -> List[RunState]:
        """Evaluate on "dev"/"val"/"test"; logs ``[<phase> dataset evaluation result]`` and
        returns the RunStates (PaddleHub 1.x); ``evaluate`` returns the scores.

        With ``load_best_model`` the parameters of ``best_model/`` are used (in a separate
        scope: the training state is not touched) and the task's report is written
        (classifiers: ``checkpoint_dir/report_<phase>.json``, see ``finetune/report.py``). A dev evaluation during training saves
        ``best_model/`` when the first metric improves."""
        return self.evaluate(phase, load_best_model)[0]

    def evaluate(self, phase: str = "dev", load_best_model: bool = False):
        """``eval`` returning ``(run_states, scores)``: ``{metric: value}`` with ``loss``
        (None where nothing was evaluated: a rank other than 0, an empty split)."""
        phase = "dev" if phase == "val" else phase
        self.initialize()
        if not self.parallel.is_main:
            return [], None
        self.log.info("Evaluation on %s dataset start", phase)
        samples = self.feeder.samples(phase)
        if not samples:
            return [], None
        self.feeder.prepare_features(phase, samples)
        scope = self.scope
        if load_best_model:
            scope = self.prediction.best_scope()
            if scope is None:
                self.log.warning("no best model in %s yet: using the current parameters",
                                 self.best_model.path)
                scope = self.scope
        states = self.prediction.eval_states(samples, phase, scope)
        scores = self.compute_metrics(states)
        speed = len(states) / max(1e-9, time.time() - states[0].run_time_begin)
        self.log.info("[%s dataset evaluation result] loss=%.5f %s[step/sec: %.2f]", phase,
                      scores["loss"], "".join("%s=%.5f " % (k, v) for k, v in scores.items()
                                              if k != "loss"), speed)
        if not (load_best_model and phase == "dev"):   # dev's curve: the training's evaluations
            self.vdl.add(phase, scores, self.global_step)
        if load_best_model:
            self._report(phase, states)
        self.last_eval_scores = scores
        self._fire("eval_end", phase=phase, scores=scores, run_states=states)
        return states, scores

    # ----- prediction -------------------------------------------------------------------------
    def predict(self, data, load_best_model: bool = True, return_result: bool = False,
                accelerate_mode: bool = True):
        """Predict ``data`` (a list of texts), in order: exactly one result per input.

        Args:
            data: the texts (or PaddleHub 1.6 style ``[[text], ...]``).
            load_best_model: use ``best_model/`` (default True); otherwise the latest
                checkpoint, or the current parameters of this task.
            return_result: return one result per input instead of RunStates (default
                False); for classifiers a dict ``{"label": str, "probabilities": {label:
                float}}``: the most probable label and every label's probability, in class
                order (PaddleHub 1.x returned the bare label string: use ``r["label"]``).
            accelerate_mode: serve through ``paddle.inference`` from the exported best model
                (default True; falls back to the executor when there is no exported model).

        Returns:
            a list of RunState, one per batch of ``config.batch_size`` inputs in input order,
            whose ``run_results[0]`` is the [batch, num_classes] probability array; or, with
            ``return_result``, the list of results described above, in input order.
        """
        if isinstance(data, (str, bytes)):
            raise TypeError("predict(data=...) takes a list of texts, got a single %s: wrap it "
                            "as [text]" % type(data).__name__)
        self.initialize()
        samples = self.feeder.samples("predict", data)
        self.log.info("PaddleHub predict start")
        states = self.prediction.run_states(samples, load_best_model, accelerate_mode)
        self.log.info("PaddleHub predict finished.")
        self._fire("predict_end", run_states=states)
        if return_result:
            return self._postprocess(states)
        return states

    def _postprocess(self, states: List[RunState]):
        raise NotImplementedError

    # ----- metrics ----------------------------------------------------------------------------
    def compute_metrics(self, states: List[RunState]) -> Dict[str, float]:
        raise NotImplementedError
