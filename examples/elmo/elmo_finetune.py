"""Finetune ELMo + a GRU classifier on ChnSentiCorp (PaddleHub 1.x demo/elmo, on Paddle 3).

    python elmo_finetune.py --checkpoint_dir ./ckpt_chnsenticorp --num_epoch 3

Data parallel: python -m paddle.distributed.launch --nproc_per_node N elmo_finetune.py ...
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from paddlehub_lite.utils.quiet import quiet_known_warnings  # noqa: E402

quiet_known_warnings()  # before Paddle is imported: only warnings nobody can act on

from elmo_demo_net import add_common_args, build  # noqa: E402

from paddlehub_lite.finetune.run_settings import ResumeMismatch  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--num_epoch", type=int, default=3,
                        help="default 3, as PaddleHub's demo (chosen by dev with the default "
                             "--bilm_trainable top; with --bilm_trainable False, 5 won on dev: "
                             "BENCHMARKS.md)")
    parser.add_argument("--batch_size", type=int, default=32, help="default 32")
    add_common_args(parser)
    args = parser.parse_args(argv)
    task, _ = build(args, num_epoch=args.num_epoch)
    try:
        task.finetune_and_eval()
    except ResumeMismatch as err:    # a checkpoint_dir of another run: one line, exit 1
        raise SystemExit("elmo_finetune.py: error: %s" % err) from None


if __name__ == "__main__":
    main()
