"""The paddlehub_lite side of compare_pytorch.py: the ELMo demo (examples/elmo) end to end, then
batch prediction and single-sentence latency with the best model. Prints one JSON line.

    python bench/paddle_side.py --data ../shared/data/chnsenticorp [--num_epoch 3] [...demo flags]
"""
import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "examples", "elmo"))

from elmo_demo_net import add_common_args, build  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--num_epoch", type=int, default=3)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--cold", action="store_true",
                        help="empty caches first (segmentation and ELMo features)")
    add_common_args(parser)
    args = parser.parse_args()
    args.data_dir = args.data
    workdir = tempfile.mkdtemp(prefix="phl-bench-")
    if args.cold:
        os.environ["PADDLEHUB_LITE_HOME"] = os.path.join(workdir, "home")
    args.checkpoint_dir = os.path.join(workdir, "ckpt")
    start = time.perf_counter()
    task, dataset = build(args, num_epoch=args.num_epoch)
    task.finetune_and_eval()
    wall = time.perf_counter() - start
    test_acc = task.last_eval_scores["acc"]
    texts = [ex.text_a for ex in dataset.get_test_examples()]
    task.predict(texts[:8])                              # load the predictor once
    t0 = time.perf_counter()
    task.predict(texts)
    batch_speed = len(texts) / (time.perf_counter() - t0)
    latencies = []
    for text in texts[:200]:
        t0 = time.perf_counter()
        task.predict([text])
        latencies.append(time.perf_counter() - t0)
    best = __import__("paddlehub_lite.finetune.checkpoint", fromlist=["x"]).load_best_meta(
        args.checkpoint_dir)
    print(json.dumps({
        "side": "paddlehub_lite", "dev_acc": best["score"], "test_acc": test_acc,
        "wall_seconds": wall,
        "train_examples_per_second": task.train_examples / task.train_seconds,
        "predict_sentences_per_second": batch_speed,
        "latency_p50_ms": 1000 * float(np.percentile(latencies, 50)),
        "latency_p99_ms": 1000 * float(np.percentile(latencies, 99)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
