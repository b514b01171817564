"""PaddleHub 1.x's AutoDL Finetuner on Optuna: ``hub-lite autofinetune train.py --param_file
hparam.yaml --popsize P --round R --output_dir DIR`` (``search.py``), the ``hparam.yaml``
format (``hparams.py``) and ``hub.report_final_result`` (``report.py``), which a trial's
script calls with its score. Imports neither Paddle nor Optuna until a search runs.
"""
from paddlehub_lite.autofinetune.report import report_final_result, report_intermediate_result

__all__ = ["report_final_result", "report_intermediate_result"]
