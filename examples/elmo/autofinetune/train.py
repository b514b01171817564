"""One trial of ``hub-lite autofinetune`` on the ELMo demo (PaddleHub 1.x's
demo/autofinetune_text, on ChnSentiCorp): the demo's training with the hyperparameters the
search passes as flags, reporting the best dev accuracy as the trial's score.

    hub-lite autofinetune examples/elmo/autofinetune/train.py \\
        --param_file examples/elmo/autofinetune/hparam.yaml --popsize 2 --round 4 \\
        --output_dir search -- --data_dir ../shared/data/chnsenticorp

Every flag of ``elmo_finetune.py`` works here (``--num_epoch``, ``--bilm_trainable``, ...);
each trial checkpoints into its own directory (``ckpt`` in its working directory) and
evaluates its best model on test as well (in its ``log.txt``; the search never reads it).
"""
import argparse
import os
import sys

DEMO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, DEMO)

from elmo_demo_net import add_common_args, build  # noqa: E402

import paddlehub_lite as hub  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--num_epoch", type=int, default=3, help="default 3 (the demo's)")
    parser.add_argument("--batch_size", type=int, default=32, help="default 32")
    add_common_args(parser)
    args = parser.parse_args(argv)
    if args.checkpoint_dir is None:
        args.checkpoint_dir = "ckpt"
    task, _ = build(args, num_epoch=args.num_epoch)
    task.finetune_and_eval()
    hub.report_final_result(task.best_score)


if __name__ == "__main__":
    main()
