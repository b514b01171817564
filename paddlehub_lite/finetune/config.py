"""``hub.RunConfig``: how a task trains (PaddleHub 1.1.2 signature and defaults, plus ``seed``)."""
import time
from typing import Optional

from paddlehub_lite.utils.log import logger


class RunConfig:
    """Settings for finetuning, evaluation and prediction. Every value is stored as given and
    readable as a property; nothing is changed behind the user's back.

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
        num_threads: CPU threads for Paddle's kernels (default None: the cores divided by the
            number of data-parallel processes).
    """

    def __init__(self, log_interval: int = 10, eval_interval: int = 100,
                 use_pyreader: bool = False, use_data_parallel: bool = False,
                 save_ckpt_interval: Optional[int] = None, use_cuda: bool = True,
                 checkpoint_dir: Optional[str] = None, num_epoch: int = 1, batch_size: int = 32,
                 enable_memory_optim: bool = True, strategy=None, seed: Optional[int] = None,
                 max_ckpt_to_keep: int = 3, num_threads: Optional[int] = None):
        for name, value in (("log_interval", log_interval), ("eval_interval", eval_interval),
                            ("num_epoch", num_epoch), ("batch_size", batch_size),
                            ("max_ckpt_to_keep", max_ckpt_to_keep)):
            if not isinstance(value, int) or value < 1:
                raise ValueError("RunConfig: %s must be a positive integer, got %r" % (name, value))
        if save_ckpt_interval is not None and save_ckpt_interval < 1:
            raise ValueError("RunConfig: save_ckpt_interval must be positive or None")
        if strategy is None:
            from paddlehub_lite.finetune.strategy import DefaultStrategy
            strategy = DefaultStrategy()
        if checkpoint_dir is None:
            checkpoint_dir = "ckpt_" + time.strftime("%Y%m%d%H%M%S", time.localtime())
        self._log_interval = log_interval
        self._eval_interval = eval_interval
        self._use_pyreader = use_pyreader
        self._use_data_parallel = use_data_parallel
        self._save_ckpt_interval = save_ckpt_interval
        self._use_cuda = use_cuda
        self._checkpoint_dir = checkpoint_dir
        self._num_epoch = num_epoch
        self._batch_size = batch_size
        self._enable_memory_optim = enable_memory_optim
        self._strategy = strategy
        self._seed = seed
        self._max_ckpt_to_keep = max_ckpt_to_keep
        self._num_threads = num_threads
        logger.info("Checkpoint dir: %s", checkpoint_dir)

    log_interval = property(lambda self: self._log_interval)
    eval_interval = property(lambda self: self._eval_interval)
    use_pyreader = property(lambda self: self._use_pyreader)
    use_data_parallel = property(lambda self: self._use_data_parallel)
    save_ckpt_interval = property(lambda self: self._save_ckpt_interval)
    use_cuda = property(lambda self: self._use_cuda)
    checkpoint_dir = property(lambda self: self._checkpoint_dir)
    num_epoch = property(lambda self: self._num_epoch)
    batch_size = property(lambda self: self._batch_size)
    enable_memory_optim = property(lambda self: self._enable_memory_optim)
    strategy = property(lambda self: self._strategy)
    seed = property(lambda self: self._seed)
    max_ckpt_to_keep = property(lambda self: self._max_ckpt_to_keep)
    num_threads = property(lambda self: self._num_threads)

    def __repr__(self) -> str:
        fields = ("log_interval", "eval_interval", "use_pyreader", "use_data_parallel",
                  "save_ckpt_interval", "use_cuda", "checkpoint_dir", "num_epoch", "batch_size",
                  "enable_memory_optim", "strategy", "seed", "max_ckpt_to_keep", "num_threads")
        return "RunConfig(%s)" % ", ".join("%s=%r" % (f, getattr(self, f)) for f in fields)
