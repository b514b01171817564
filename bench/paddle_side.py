"""The paddlehub_lite prediction side of compare_pytorch.py: loads the best model a demo run
wrote (``--checkpoint_dir``), predicts the 1,200 test texts from raw text in batches, then 200
single texts one at a time. Prints one JSON line.

    python bench/paddle_side.py --data ../shared/data/chnsenticorp --checkpoint_dir CKPT
"""
import argparse
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "examples", "elmo"))

from elmo_demo_net import add_common_args, build  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--singles", type=int, default=200)
    add_common_args(parser)
    args = parser.parse_args()
    args.data_dir = args.data
    task, dataset = build(args)
    texts = [ex.text_a for ex in dataset.get_test_examples()]
    task.predict(texts[:8])                              # load the predictor once
    t0 = time.perf_counter()
    task.predict(texts)
    batch_speed = len(texts) / (time.perf_counter() - t0)
    latencies = []
    for text in texts[:args.singles]:
        t0 = time.perf_counter()
        task.predict([text])
        latencies.append(time.perf_counter() - t0)
    print(json.dumps({
        "side": "paddlehub_lite", "predict_texts_per_second": batch_speed,
        "latency_p50_ms": 1000 * float(np.percentile(latencies, 50)),
        "latency_p99_ms": 1000 * float(np.percentile(latencies, 99))}))


if __name__ == "__main__":
    main()
