"""The "PaddleHub" logger, formatted the way PaddleHub 1.x users know it.

``[2019-09-16 10:00:00,000] [    INFO] - step 10 / 900: loss=0.69 acc=0.50 [step/sec: 3.10]``
"""
import logging
import sys

_FORMAT = "[%(asctime)-15s] [%(levelname)8s] - %(message)s"


def get_logger(name: str = "PaddleHub") -> logging.Logger:
    logger = logging.getLogger(name)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


logger = get_logger()


def rank_logger(rank: int) -> logging.Logger:
    """The logger of a data-parallel process: the PaddleHub logger on rank 0; on the others a
    child of it that passes only warnings and errors (the process-wide logger's level is never
    changed)."""
    if rank == 0:
        return logger
    child = logger.getChild("rank%d" % rank)
    child.setLevel(logging.WARNING)
    return child
