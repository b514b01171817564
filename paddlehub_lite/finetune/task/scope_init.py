"""``ScopeMethods``: how a task's scope gets its values: the startup programs (module, user,
task, optimizer) under the task's seed, the modules' pretrained values, and the parameters
of a checkpoint (checked against the program before any is loaded)."""
import paddle

from paddlehub_lite.finetune.run_settings import check_parameters, check_recorded
from paddlehub_lite.utils import params_io
from paddlehub_lite.utils.scope import restored_rng, set_values, startup_for


class ScopeMethods:
    """Part of ``BaseTask`` (its programs, ``scope``, ``exe``, ``seed``, ``contexts``)."""

    def _run_startup(self, program, scope) -> None:
        with paddle.static.scope_guard(scope):
            self.exe.run(program)

    def initialize(self) -> None:
        """Initialise the task's scope once (see ``initialize_scope``); when
        ``checkpoint_dir`` has a checkpoint, its parameters replace the initial ones (training
        restores the rest of its state in ``Training.resume``)."""
        if self._initialized:
            return
        self._build()
        self.initialize_scope(self.scope)
        self._initialized = True
        self.loaded_checkpoint = self.checkpointer.latest()
        if self.loaded_checkpoint is not None:
            state_path, trainer = self.loaded_checkpoint
            check_recorded(trainer.settings, self.recorded_settings, self.checkpoint_dir)
            self.load_params(state_path, self.test_program, self.scope)
            self.current_epoch = trainer.epoch
            self.global_step = trainer.global_step
            self.best_score = trainer.best_score
            self.log.info("PaddleHub model checkpoint loaded. current_epoch=%d, global_step=%d, "
                          "best_score=%.5f", self.current_epoch + 1, self.global_step,
                          self.best_score)

    def initialize_scope(self, scope) -> None:
        """Run the module's startup, the user's, the task's (and the optimizer's), then write
        the module's pretrained values; nothing runs a startup program again afterwards. Of
        the user's startup program (default: Paddle's default one, which collects the
        initialisers of every program built without one, earlier tasks' included) only what
        initialises this task's parameters runs (``utils/scope.startup_for``)."""
        user_startup = startup_for(self.startup_program or paddle.static.default_startup_program(),
                                   self.train_program)
        with restored_rng():
            paddle.seed(self.seed)  # identical initial parameters on every data-parallel rank
            for program in ([ctx.startup_program for ctx in self.contexts] +
                            [user_startup, self.task_startup] +
                            ([self.opt_startup] if self._train_ready else [])):
                self._run_startup(program, scope)
        for ctx in self.contexts:
            ctx.load_pretrained(scope)

    def load_params(self, path: str, program, scope) -> None:
        """Set ``program``'s parameters in ``scope`` from the state file at ``path``; a
        parameter missing there or of another shape raises ``ResumeMismatch``."""
        state = params_io.load_state(path)
        names = params_io.state_names(program)
        check_parameters(state, {n: tuple(scope.find_var(n).get_tensor().shape())
                                 for n in names if scope.find_var(n) is not None},
                         self.checkpoint_dir)       # shapes only: no copy of the values
        set_values(scope, {n: state[n] for n in names if n in state})

