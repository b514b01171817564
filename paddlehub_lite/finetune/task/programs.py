"""``ProgramMethods``: how a task builds its programs: the user's program cloned (never
modified), the head and loss appended, test and predict clones, the feeder, then backward and
the strategy's update for training. Part of ``BaseTask``; every attribute it sets is declared
(None) in ``BaseTask.__init__``."""
import os
from typing import Dict, List

import numpy as np
import paddle

from paddlehub_lite.finetune.parallel import ParallelEnv, select_place
from paddlehub_lite.finetune.task.feeder import Feeder
from paddlehub_lite.finetune.visualdl_log import ScalarLog
from paddlehub_lite.module.inputs import attached
from paddlehub_lite.utils.cpu import usable_cores
from paddlehub_lite.utils.log import rank_logger
from paddlehub_lite.utils.scope import clone_program, ensure_static


class ProgramMethods:
    """Part of ``BaseTask`` (its config, main program, feature, feeds and head)."""

    def _build(self) -> None:
        """Clone the user's program, append the head and loss, clone a test program."""
        if self._built:
            return
        ensure_static()
        cfg = self.config
        self.parallel = ParallelEnv(cfg.use_data_parallel)
        self.log = rank_logger(self.parallel.rank)   # other ranks: warnings only
        # Paddle's CPU kernels use one thread unless told; processes on one machine share cores.
        # The setting is process-wide and Paddle has no getter to restore it: each run of this
        # task's programs sets its own count (``run_program``): tasks do not see each other's.
        self.num_threads = cfg.num_threads or max(1, usable_cores() // self.parallel.world_size)
        self.seed = cfg.seed
        if self.seed is None:
            self.seed = (0 if self.parallel.enabled
                         else int(np.random.SeedSequence().entropy % (2**31)))
            self.log.info("RunConfig seed=None: using seed %d", self.seed)
        self.place = select_place(cfg.use_cuda, self.parallel.rank)
        self.exe = paddle.static.Executor(self.place)
        self.scope = paddle.static.Scope()
        self.vdl = ScalarLog(os.path.join(self.checkpoint_dir, "vdllog"), self.parallel.is_main)
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
        self.feeder = Feeder(self.data_reader, self.feed_list, self.contexts, self._label_feed,
                             self.loss_scale_name, self.num_threads, cfg.batch_size, self.seed,
                             self.parallel, cfg.cache_budget)
        self._built = True

    def _fetch_values(self) -> Dict:
        return {"probs": self.outputs[0], "loss": self.mean_loss}

    def _build_optimizer(self) -> None:
        """Append backward, (all-reduce,) and the strategy's update to the train program."""
        if self._train_ready:
            return
        self._build()
        self.steps_per_epoch = len(self.feeder.train_batches(0, self.feeder.samples("train")))
        self.max_train_steps = self.steps_per_epoch * self.config.num_epoch
        self.opt_startup = paddle.static.Program()
        with paddle.utils.unique_name.guard(self.name_guard), \
                paddle.static.program_guard(self.train_program, self.opt_startup):
            self.strategy_update = self.config.strategy.build(
                self.loss, self.max_train_steps, grad_hook=self.parallel.all_reduce_gradients,
                blocks=self._depth_blocks())
        self.scheduler, self.lr_name = (self.strategy_update.scheduler,
                                        self.strategy_update.lr_name)
        if self._initialized:
            self._run_startup(self.opt_startup, self.scope)
        self._train_ready = True

    def _depth_blocks(self) -> List[List[str]]:
        """The modules' parameter names in depth blocks, top down (``ModuleInputs.
        depth_blocks``, optional): what discriminative rates and gradual unfreezing act on."""
        blocks: List[List[str]] = []
        for context in self.contexts:
            blocks.extend(getattr(context, "depth_blocks", lambda: [])())
        return blocks
