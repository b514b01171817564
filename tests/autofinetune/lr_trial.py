"""A trial script of the kind ``hub-lite autofinetune`` runs: the tiny ELMo + GRU classifier
(tests/finetune/tiny_finetune.py) trained with the --learning_rate it is given, its best dev
accuracy reported with ``hub.report_final_result``."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import paddlehub_lite as hub  # noqa: E402
from tests.finetune import tiny_finetune  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--learning_rate", type=float, required=True)
parser.add_argument("--module", required=True)
parser.add_argument("--data", required=True)
args = parser.parse_args()
task = tiny_finetune.build_task(args.module, args.data, "ckpt", num_epoch=3,
                                learning_rate=args.learning_rate, eval_interval=25)
task.finetune(do_eval=True)
hub.report_final_result(task.best_score)
