"""``Prediction``: class probabilities for samples, from the best model (``best_model/``) or the
task's current parameters, served by ``paddle.inference`` from the exported best model
(``accelerate_mode``) or by the executor. Serves ``predict``, ``eval(load_best_model=True)``
and any server; the best model's scope and predictor are rebuilt only when ``best_model/``
changes, after its files are verified.
"""
import time
from typing import List

import numpy as np
import paddle

from paddlehub_lite.finetune import batching
from paddlehub_lite.finetune.task.run_state import RunState


class Prediction:
    """Prediction for one task.

    Args:
        task: the ``BaseTask``; used: ``best_model`` (a ``BestModel``), ``predict_program`` /
            ``predict_fetch``, ``test_program`` / ``test_fetch``, ``label_name``, ``scope``,
            ``num_threads``, ``config``, ``feeder``, ``run_program``, ``initialize_scope``
            and ``load_params``.
    """

    def __init__(self, task):
        self.task = task
        self._scope = None        # (best_model version, Scope)
        self._predictor = None    # (best_model version, InferencePredictor)

    def best_scope(self):
        """A scope holding ``best_model/``'s parameters, or None when there is no best model."""
        best = self.task.best_model
        version = best.version()
        if version is None:
            return None
        if self._scope is None or self._scope[0] != version:
            best.exists()                                   # verifies every file
            scope = paddle.static.Scope()
            self.task.initialize_scope(scope)
            self.task.load_params(best.params_path, self.task.test_program, scope)
            self._scope = (version, scope)
        return self._scope[1]

    def inference_predictor(self):
        """A ``paddle.inference`` predictor over the exported best model, or None."""
        best = self.task.best_model
        version = best.version()
        if version is None or not best.has_inference_model():
            return None
        if self._predictor is None or self._predictor[0] != version:
            best.exists()
            from paddlehub_lite.utils.inference import InferencePredictor
            self._predictor = (version, InferencePredictor(best.inference_prefix,
                                                           self.task.num_threads))
        return self._predictor[1]

    def _scope_for(self, load_best_model: bool):
        task = self.task
        if load_best_model:
            scope = self.best_scope()
            if scope is not None:
                return scope
        if task.loaded_checkpoint is None and task.global_step == 0:
            task.log.warning("no checkpoint or best model in %s: predicting with untrained "
                           "parameters", task.checkpoint_dir)
        return task.scope

    def eval_states(self, samples, phase: str, scope) -> List[RunState]:
        """One RunState per batch of labelled ``samples`` through the test program in
        ``scope``: its fetches (probs, loss) and the batch's ``labels``."""
        task = self.task
        batches = batching.eval_batches([len(s[0]) for s in samples], task.config.batch_size)
        states = []
        for batch in batches:
            feed = task.feeder.feed(samples, batch, phase, len(batch))
            state = RunState()
            state.run_results = task.run_program(task.test_program, feed, task.test_fetch, scope)
            state.run_results["labels"] = feed[task.label_name]
            state.run_step, state.run_examples = 1, len(batch)
            states.append(state)
        return states

    def run_states(self, samples, load_best_model: bool = True,
                   accelerate_mode: bool = True) -> List[RunState]:
        """``probabilities`` handed out as RunStates of ``config.batch_size`` consecutive
        inputs, in input order (what ``predict`` returns)."""
        begin = time.time()
        probs = self.probabilities(samples, load_best_model, accelerate_mode)
        batch_size = self.task.config.batch_size
        states = []
        for start in range(0, len(samples), batch_size):
            state = RunState(run_results=[probs[start:start + batch_size]])
            state.run_time_begin = begin
            state.run_step, state.run_examples = 1, len(state.run_results[0])
            states.append(state.update())
        return states

    def probabilities(self, samples, load_best_model: bool = True,
                      accelerate_mode: bool = True) -> np.ndarray:
        """[len(samples), num_classes] probabilities in input order, computed in batches of
        similar length (little padding)."""
        task = self.task
        predictor = self.inference_predictor() if (accelerate_mode and load_best_model) else None
        scope = self._scope_for(load_best_model) if predictor is None else None
        if not samples:
            return np.zeros((0, 0), "float32")

        def run(indices):
            feed = task.feeder.feed(samples, indices, "predict", len(indices))
            if predictor is not None:
                return predictor(feed)
            return task.run_program(task.predict_program, feed, task.predict_fetch, scope)["probs"]

        return batching.in_length_order([len(s[0]) for s in samples], task.config.batch_size,
                                        run)
