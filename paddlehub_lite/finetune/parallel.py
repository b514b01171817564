"""Devices and data parallelism.

Data parallel on Paddle 3's static graph (``fleet.distributed_optimizer`` fails under PIR):
``init_parallel_env()`` before the program is built, then every gradient is summed over the
processes with ``all_reduce`` between backward and the update. Each process feeds its own part
of the global batch and scales its loss by 1 / (global batch size), so the summed gradient is
exactly the gradient of the mean loss over the global batch. gloo on CPUs, NCCL on GPUs: the
same calls.
"""
import contextlib
import os

import paddle

from paddlehub_lite.utils.log import logger


@contextlib.contextmanager
def _dynamic_mode():
    """Run a collective in dynamic mode, then return to static mode if that was on."""
    static = not paddle.in_dynamic_mode()
    if static:
        paddle.disable_static()
    try:
        yield
    finally:
        if static:
            paddle.enable_static()


class ParallelEnv:
    """Rank and world size, and whether collectives are needed."""

    def __init__(self, use_data_parallel: bool):
        world = int(os.environ.get("PADDLE_TRAINERS_NUM", "1"))
        self.enabled = bool(use_data_parallel) and world > 1
        self.world_size = world if self.enabled else 1
        self.rank = int(os.environ.get("PADDLE_TRAINER_ID", "0")) if self.enabled else 0
        if self.enabled:
            import paddle.distributed as dist
            if not dist.is_initialized():
                # The gloo/NCCL communicators that static-graph all_reduce kernels use are only
                # created when init_parallel_env runs in dynamic mode.
                with _dynamic_mode():
                    dist.init_parallel_env()
            logger.info("Data parallel: rank %d of %d", self.rank, self.world_size)
        elif use_data_parallel:
            logger.info("use_data_parallel=True with a single process: world size 1")

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def shard(self):
        """This process's ``Shard`` of a split every process prepares, or None alone."""
        if not self.enabled:
            return None
        from paddlehub_lite.module.inputs import Shard
        return Shard(self.rank, self.world_size, self.barrier)

    def barrier(self) -> None:
        """Wait until every process gets here (the collective runs in dynamic mode, as
        ``init_parallel_env`` did)."""
        import paddle.distributed as dist
        with _dynamic_mode():
            dist.barrier()

    def any_rank(self, flag: bool) -> bool:
        """True on every process when ``flag`` is true on any: a stop that a callback decides
        on one rank (early stopping runs where evaluation runs, on rank 0) stops them all at
        the same step; otherwise the others would wait for its gradients forever."""
        if not self.enabled:
            return flag
        import paddle.distributed as dist
        with _dynamic_mode():
            value = paddle.to_tensor([1 if flag else 0], dtype="int32")
            dist.all_reduce(value, op=dist.ReduceOp.MAX)
            return bool(int(value.numpy()[0]))

    def explain_step_failure(self, err: Exception, step: int) -> Exception:
        """What to raise when a training step fails: with data parallelism, a step that fails
        inside Paddle (observed: a bare ``RuntimeError: std::exception`` on every surviving
        rank when one rank was killed) most likely means a peer process stopped."""
        if not self.enabled or not isinstance(err, RuntimeError):
            return err
        return RuntimeError(
            "data-parallel step %d failed on rank %d of %d (Paddle: %s). Most likely a peer "
            "process died or stopped (the gradient exchange needs every rank): see the other "
            "ranks' logs (paddle.distributed.launch --log_dir, workerlog.N). Rerunning resumes "
            "from the last checkpoint." % (step, self.rank, self.world_size,
                                           str(err).strip().splitlines()[-1][:200]))

    def all_reduce_gradients(self, params_grads):
        """The grad hook for ``Strategy.build``: sum every gradient over the processes."""
        if not self.enabled:
            return params_grads
        import paddle.distributed as dist
        for _, grad in params_grads:
            if grad is not None:
                dist.all_reduce(grad)
        return params_grads


_warned_cpu = False


def select_place(use_cuda: bool, rank: int = 0):
    """CUDAPlace(local device) when asked for and available, else CPUPlace (one warning)."""
    global _warned_cpu
    if use_cuda:
        if paddle.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0:
            local = int(os.environ.get("FLAGS_selected_gpus", os.environ.get("PADDLE_LOCAL_RANK",
                                                                             rank)))
            return paddle.CUDAPlace(local)
        if not _warned_cpu:
            logger.warning("use_cuda=True but this Paddle has no CUDA device available; "
                           "running on the CPU")
            _warned_cpu = True
    return paddle.CPUPlace()
