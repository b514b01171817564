"""``hub-lite autofinetune``: PaddleHub 1.x's AutoDL Finetuner on Optuna.

Each trial runs the user's script as a process of its own, ``python train.py --name=value
...`` (the hyperparameters of ``hparam.yaml``, then any extra arguments), in its own directory
``OUTPUT_DIR/trials/trial_<n>/`` (its working directory: relative checkpoint paths land
there; its log is ``log.txt``); the script reports its score with
``hub.report_final_result(score)`` (higher is better). The first trial runs the
``init_value``s, the others what Optuna's TPE sampler proposes; ``popsize`` trials per round,
``round`` rounds. Trials run side by side, each pinned to its own share of the cores (so the
math threads of two trials never share a core). The study lives in
``OUTPUT_DIR/study.db`` (SQLite): a search killed at any point resumes where it stopped when
the same command runs again (trials that were running are run again). With ``pruning``, the
dev evaluations a trial reports (``TextClassifierTask`` reports each) stop a trial that lags
the median of the others at the same step. At the end ``OUTPUT_DIR/results.md`` lists every
trial and ``best_params.yaml`` / ``best_flags.txt`` hold the best one.

Deliberate differences from 1.x: ``--evaluator populationbased`` (1.x's population-based
training, which continued the previous round's models) is refused; every trial trains from
scratch (1.x's ``fulltrail``). The search is Optuna's TPE, not 1.x's PSHE2.
"""
import json
import os
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence

from paddlehub_lite.autofinetune import hparams
from paddlehub_lite.autofinetune.report import RESULT_ENV
from paddlehub_lite.utils.cpu import usable_cores
from paddlehub_lite.utils.log import logger
from paddlehub_lite.utils.run_lock import RunLock

STUDY = "autofinetune"


class AutoFinetune:
    """One search (see the module docstring).

    Args:
        script: the training script (it calls ``hub.report_final_result``).
        param_file: the ``hparam.yaml``.
        output_dir: the study, the trials and the results (a resumed search: the same dir).
        popsize: trials per round (default 5).
        rounds: rounds (default 10); the search runs ``popsize * rounds`` trials.
        concurrency: trials at once (default None: one per usable core, at most popsize).
        pruning: stop trials whose reported dev scores lag (default False).
        seed: the sampler's seed (default 0).
        script_args: extra arguments of every trial (default none).
        python: the interpreter of the trials (default this one).
    """

    def __init__(self, script: str, param_file: str, output_dir: str, popsize: int = 5,
                 rounds: int = 10, concurrency: Optional[int] = None, pruning: bool = False,
                 seed: int = 0, script_args: Sequence[str] = (), python: str = sys.executable):
        if not os.path.isfile(script):
            raise ValueError("%s: no such training script" % script)
        if popsize < 1 or rounds < 1:
            raise ValueError("popsize and round must be >= 1, got %r and %r" % (popsize, rounds))
        if concurrency is not None and concurrency < 1:
            raise ValueError("concurrency must be >= 1, got %r" % concurrency)
        self.script = os.path.abspath(script)
        self.params = hparams.load(param_file)
        self.output_dir = os.path.abspath(output_dir)
        self.popsize = popsize
        self.rounds = rounds
        self.concurrency = min(concurrency or usable_cores(), popsize)
        self.pruning = pruning
        self.seed = seed
        self.script_args = list(script_args)
        self.python = python

    @property
    def budget(self) -> int:
        return self.popsize * self.rounds

    def run(self) -> Dict:
        """Run (or resume) the search; returns the best trial ``{"number", "score",
        "params"}``."""
        os.makedirs(self.output_dir, exist_ok=True)
        with RunLock(self.output_dir):
            study = self._study()
            self._run_trials(study)
            return self._write_results(study)

    # ----- the study ----------------------------------------------------------------------------
    def _study(self):
        import optuna
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        pruner = (optuna.pruners.MedianPruner(n_startup_trials=2) if self.pruning
                  else optuna.pruners.NopPruner())
        study = optuna.create_study(
            study_name=STUDY, storage="sqlite:///" + os.path.join(self.output_dir, "study.db"),
            direction="maximize", load_if_exists=True, pruner=pruner)
        # a resumed search must not replay the proposals of the first (same seed, new RNG)
        study.sampler = optuna.samplers.TPESampler(seed=self.seed + len(study.trials),
                                                   constant_liar=True)
        settings = {"script": self.script, "params": [p.__dict__ for p in self.params],
                    "script_args": self.script_args}
        saved = study.user_attrs.get("settings")
        if saved is None:
            study.set_user_attr("settings", settings)
            study.enqueue_trial({p.name: p.init_value for p in self.params})
        elif saved != settings:
            differs = [k for k in settings if saved.get(k) != settings[k]]
            raise ValueError("%s holds a search of another %s: give a new --output_dir"
                             % (self.output_dir, " and ".join(differs)))
        for trial in study.trials:                # running when a search was killed: again
            if trial.state == optuna.trial.TrialState.RUNNING:
                study.tell(trial.number, state=optuna.trial.TrialState.FAIL)
                study.set_user_attr("interrupted_%d" % trial.number, True)
                study.enqueue_trial(trial.params)
                logger.info("trial %d was interrupted: it runs again", trial.number)
        return study

    def _finished(self, study) -> int:
        import optuna
        done = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED,
                optuna.trial.TrialState.FAIL)
        return sum(1 for t in study.trials if t.state in done
                   and not study.user_attrs.get("interrupted_%d" % t.number))

    # ----- the trials ---------------------------------------------------------------------------
    def _run_trials(self, study) -> None:
        from tqdm import tqdm
        cores = sorted(os.sched_getaffinity(0))
        slots = [cores[k::self.concurrency] for k in range(self.concurrency)]
        running: List[_Trial] = []
        bar = tqdm(total=self.budget, initial=self._finished(study), desc="autofinetune",
                   unit="trial")
        try:
            while True:
                started = self._finished(study) + len(running)
                free = [s for s in slots if all(r.cores != s for r in running)]
                while free and started < self.budget:
                    running.append(self._start(study, free.pop(0)))
                    started += 1
                if not running:
                    break
                time.sleep(0.2)
                for trial in list(running):
                    if trial.poll(study, self.pruning):
                        running.remove(trial)
                        bar.update(1)
                        if study.best_trials:
                            bar.set_postfix(best="%.5f" % study.best_value)
        finally:
            for trial in running:               # Ctrl-C or an error: no orphans left training
                trial.process.kill()
                trial.process.wait()
            bar.close()

    def _start(self, study, cores: List[int]) -> "_Trial":
        trial = study.ask()
        values = {p.name: p.suggest(trial) for p in self.params}
        directory = os.path.join(self.output_dir, "trials", "trial_%d" % trial.number)
        os.makedirs(directory, exist_ok=True)
        result = os.path.join(directory, "result.jsonl")
        if os.path.exists(result):
            os.remove(result)                   # a trial number is never reused; be sure
        flags = [p.flag(values[p.name]) for p in self.params]
        cmd = [self.python, self.script] + flags + self.script_args
        logger.info("trial %d: %s", trial.number, " ".join(flags))
        log = open(os.path.join(directory, "log.txt"), "w", encoding="utf-8")
        process = subprocess.Popen(cmd, cwd=directory, stdout=log, stderr=subprocess.STDOUT,
                                   env=dict(os.environ, **{RESULT_ENV: result}),
                                   preexec_fn=lambda: _prepare_child(cores))
        log.close()
        return _Trial(trial, process, result, cores, directory)

    # ----- the results --------------------------------------------------------------------------
    def _write_results(self, study) -> Dict:
        import optuna
        rows = ["| trial | state | score | " + " | ".join(p.name for p in self.params) + " |",
                "|---" * (3 + len(self.params)) + "|"]
        for t in study.trials:
            if study.user_attrs.get("interrupted_%d" % t.number):
                continue
            rows.append("| %d | %s | %s | %s |" % (
                t.number, t.state.name.lower(), "" if t.value is None else "%.5f" % t.value,
                " | ".join("%.6g" % t.params[p.name] if p.name in t.params else ""
                           for p in self.params)))
        self._write("results.md", "\n".join(rows) + "\n")
        complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
        if not complete:
            raise ValueError("no trial reported a score (see the logs under %s)"
                             % os.path.join(self.output_dir, "trials"))
        best = study.best_trial
        params = {p.name: (int(best.params[p.name]) if p.type == "int"
                           else float(best.params[p.name])) for p in self.params}
        self._write("best_params.yaml", "".join("%s: %r\n" % item for item in params.items()))
        self._write("best_flags.txt", " ".join(p.flag(params[p.name]) for p in self.params) +
                    "\n")
        logger.info("best trial %d: score %.5f with %s (results in %s)", best.number,
                    best.value, json.dumps(params), self.output_dir)
        return {"number": best.number, "score": best.value, "params": params}


    def _write(self, name: str, text: str) -> None:
        from paddlehub_lite.utils.atomic import atomic_file
        with atomic_file(os.path.join(self.output_dir, name), "w", encoding="utf-8") as handle:
            handle.write(text)


def _prepare_child(cores: List[int]) -> None:
    """In a trial's process before the script starts: its own cores, and an end when the
    search dies (a killed search leaves no trial training)."""
    from paddlehub_lite.utils.child_process import die_with_parent
    os.sched_setaffinity(0, cores)
    die_with_parent()


class _Trial:
    """A running trial: its Optuna trial, process and result file."""

    def __init__(self, trial, process, result_path: str, cores: List[int], directory: str):
        self.trial = trial
        self.process = process
        self.result_path = result_path
        self.cores = cores
        self.directory = directory
        self.steps_seen = set()

    def _records(self) -> List[Dict]:
        if not os.path.exists(self.result_path):
            return []
        with open(self.result_path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.endswith("\n")]

    def poll(self, study, pruning: bool) -> bool:
        """Read its reports; returns True when it has finished (told to the study)."""
        import optuna
        records = self._records()
        for record in records:
            if "step" in record and record["step"] not in self.steps_seen:
                self.steps_seen.add(record["step"])
                self.trial.report(record["score"], record["step"])
                if pruning and self.trial.should_prune():
                    self.process.kill()
                    self.process.wait()
                    study.tell(self.trial, state=optuna.trial.TrialState.PRUNED)
                    logger.info("trial %d pruned at step %d (score %.5f)", self.trial.number,
                                record["step"], record["score"])
                    return True
        if self.process.poll() is None:
            return False
        finals = [r["final"] for r in records if "final" in r]
        if self.process.returncode == 0 and finals:
            study.tell(self.trial, finals[-1])
            logger.info("trial %d: score %.5f", self.trial.number, finals[-1])
        else:
            study.tell(self.trial, state=optuna.trial.TrialState.FAIL)
            logger.warning("trial %d failed (exit %d%s): see %s", self.trial.number,
                           self.process.returncode,
                           "" if finals else ", no hub.report_final_result",
                           os.path.join(self.directory, "log.txt"))
        return True
