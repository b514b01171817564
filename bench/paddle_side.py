"""The paddlehub_lite prediction side of compare_pytorch.py: loads the best model a demo run
wrote (``--checkpoint_dir``: a checkpoint, or a bundle ``hub-lite export`` wrote) the way users
do after training (``deploy.TextClassifier``: the bundle alone, no training program), predicts
the 1,200 test texts from raw text in batches, then 200 single texts one at a time. Prints one
JSON line (with ``"paddle_imported"``: whether Paddle entered the process).

    python bench/paddle_side.py --data ../shared/data/chnsenticorp --checkpoint_dir CKPT \
        [--backend auto|onnx|paddle] [--num_threads N] [--singles 200]
"""
import argparse
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from paddlehub_lite.utils.quiet import quiet_known_warnings  # noqa: E402

quiet_known_warnings()

from paddlehub_lite.deploy import TextClassifier  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--checkpoint_dir", required=True)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--singles", type=int, default=200)
    parser.add_argument("--num_threads", type=int, default=None,
                        help="CPU math threads (default: every core)")
    parser.add_argument("--single_threads", type=int, default=None,
                        help="threads for the one-text-at-a-time part (default: --num_threads)")
    parser.add_argument("--backend", default="auto", help="auto, onnx or paddle")
    args = parser.parse_args()
    with open(os.path.join(args.data, "test.tsv"), encoding="utf-8") as handle:
        texts = [line.rstrip("\n").split("\t", 1)[1] for line in list(handle)[1:]
                 if line.strip()]
    classifier = TextClassifier(args.checkpoint_dir, num_threads=args.num_threads,
                                batch_size=args.batch_size, backend=args.backend).load()
    classifier.predict(texts[:8])                          # first call: predictor warm-up
    t0 = time.perf_counter()
    classifier.predict(texts)
    batch_speed = len(texts) / (time.perf_counter() - t0)
    if args.single_threads:
        classifier = TextClassifier(args.checkpoint_dir, num_threads=args.single_threads,
                                    backend=args.backend).load()
        classifier.predict(texts[:8])
    latencies = []
    for text in texts[:args.singles]:
        t0 = time.perf_counter()
        classifier.predict([text])
        latencies.append(time.perf_counter() - t0)
    print(json.dumps({
        "side": "paddlehub_lite", "backend": classifier.backend,
        "paddle_imported": "paddle" in sys.modules, "predict_texts_per_second": batch_speed,
        "latency_p50_ms": 1000 * float(np.percentile(latencies, 50)),
        "latency_p99_ms": 1000 * float(np.percentile(latencies, 99))}))


if __name__ == "__main__":
    main()
