"""What a trial's script reports to ``hub-lite autofinetune`` (PaddleHub 1.x:
``hub.report_final_result(score)``). The search tells the script where to write through the
environment; run outside a search, a report is logged and nothing else happens.

Each report is one JSON line appended to the file (``{"final": score}`` or
``{"step": s, "score": x}``), flushed and fsynced, so the search reads whole lines only.
"""
import json
import math
import os

from paddlehub_lite.utils.log import logger

RESULT_ENV = "PADDLEHUB_LITE_AUTOFINETUNE_RESULT"


def _append(record: dict) -> bool:
    path = os.environ.get(RESULT_ENV)
    if not path:
        return False
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return True


def _checked(score) -> float:
    value = float(score)
    if not math.isfinite(value):
        raise ValueError("a reported score must be a finite number, got %r" % (score,))
    return value


def report_final_result(result) -> None:
    """Report the trial's score (higher is better) to the search that runs this script."""
    value = _checked(result)
    if not _append({"final": value}):
        logger.info("final result %.6g (not in an autofinetune search: nothing reported)", value)


def report_intermediate_result(score, step: int) -> None:
    """Report a score reached at ``step`` (the search may stop a trial that lags: pruning).
    ``TextClassifierTask`` reports each dev evaluation this way by itself."""
    _append({"step": int(step), "score": _checked(score)})
