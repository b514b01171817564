"""``hub.RunConfig``: how a task trains (PaddleHub 1.1.2's arguments, order and defaults, plus
``seed``, ``max_ckpt_to_keep`` and ``num_threads``)."""
import dataclasses
import time
from typing import Any, Optional

from paddlehub_lite.utils.disk_cache import parse_size
from paddlehub_lite.utils.log import logger


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """Settings for finetuning, evaluation and prediction. Every value is stored as given and
    read-only; nothing is changed behind the user's back.

    Args:
        log_interval: log training loss and metrics every N steps (default 10).
        eval_interval: evaluate on dev every N steps (default 100), and at the end.
        use_pyreader: accepted for compatibility; Paddle 3 has no py_reader and feeding is
            always from Python (default False).
        use_data_parallel: all-reduce gradients over the processes started by
            ``python -m paddle.distributed.launch`` (NCCL on GPUs, gloo on CPUs); with one
            process it is world size 1 (default False).
        save_ckpt_interval: also checkpoint every N steps (default None: only at the end of
            each epoch and of training).
        use_cuda: use a GPU when Paddle has CUDA and one is visible; otherwise warn once and use
            the CPU (default True, as in PaddleHub).
        checkpoint_dir: where checkpoints, ``best_model/`` and ``vdllog/`` go (default None:
            ``ckpt_<YYYYmmddHHMMSS>`` in the current directory). An existing checkpoint there
            is resumed automatically.
        num_epoch: passes over the training data (default 1).
        batch_size: examples per optimizer step, over all processes (default 32).
        enable_memory_optim: accepted for compatibility; Paddle 3 manages memory itself and
            the flag has no effect (default True).
        strategy: the optimization strategy (default None: ``DefaultStrategy()``, Adam 1e-4).
        seed: seeds parameter initialisation, dropout and data order, making a run
            reproducible and its resume exact (default None: a random seed, logged).
        max_ckpt_to_keep: keep the newest N ``step_*`` checkpoints (default 3).
        num_threads: CPU threads for Paddle's kernels (default None: the cores this process
            may use, its CPU affinity, divided by the number of data-parallel processes).
            Paddle has one such setting per process: a task sets it when it builds its
            programs.
        early_stopping_patience: stop training when the first metric has not improved in this
            many consecutive dev evaluations (every ``eval_interval`` steps); the best model is
            kept and the test evaluation uses it (default None: never stop early). Only
            ``finetune_and_eval`` (or ``finetune(do_eval=True)``) evaluates.
        cache_budget: the disk that modules' precomputed features (the frozen ELMo's) may take
            under ``$PADDLEHUB_LITE_HOME/cache``, in bytes or as a size like ``"20GB"``
            (default None: half of the disk's free space plus what the cache already holds,
            measured before each write). Features past it are computed again in every epoch;
            0 keeps none on disk. ``hub-lite cache list`` shows the cache.
    """

    log_interval: int = 10
    eval_interval: int = 100
    use_pyreader: bool = False
    use_data_parallel: bool = False
    save_ckpt_interval: Optional[int] = None
    use_cuda: bool = True
    checkpoint_dir: Optional[str] = None
    num_epoch: int = 1
    batch_size: int = 32
    enable_memory_optim: bool = True
    strategy: Any = None
    seed: Optional[int] = None
    max_ckpt_to_keep: int = 3
    num_threads: Optional[int] = None
    early_stopping_patience: Optional[int] = None
    cache_budget: Any = None

    def __post_init__(self):
        for name in ("log_interval", "eval_interval", "num_epoch", "batch_size",
                     "max_ckpt_to_keep"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError("RunConfig: %s must be a positive integer, got %r"
                                 % (name, value))
        if self.save_ckpt_interval is not None and self.save_ckpt_interval < 1:
            raise ValueError("RunConfig: save_ckpt_interval must be positive or None")
        for name in ("num_threads", "early_stopping_patience"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError("RunConfig: %s must be a positive integer or None, got %r"
                                 % (name, value))
        try:
            parse_size(self.cache_budget)
        except ValueError as error:
            raise ValueError("RunConfig: cache_budget: %s" % error) from None
        if self.strategy is None:
            from paddlehub_lite.finetune.strategy import DefaultStrategy
            object.__setattr__(self, "strategy", DefaultStrategy())
        if self.checkpoint_dir is None:
            object.__setattr__(self, "checkpoint_dir",
                               "ckpt_" + time.strftime("%Y%m%d%H%M%S", time.localtime()))
        logger.info("Checkpoint dir: %s", self.checkpoint_dir)
