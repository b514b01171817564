"""Prediction on each backend of an exported bundle, side by side in one process: batch
prediction of the ChnSentiCorp test texts (texts/s, the reader included, its segmentation
warmed first), single-text latency p50/p99, the cost of explaining a text (occlusion: one model
call of words + 1 variants per text), and how far the backends' probabilities are apart.

    python bench/backends.py --bundle DIR [--data ../shared/data/chnsenticorp] [--single 200]

DIR is a directory ``hub-lite export`` wrote with ONNX models (paddle2onnx installed).
"""
import argparse
import os
import statistics
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundle", required=True)
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data",
                                                       "chnsenticorp"))
    parser.add_argument("--single", type=int, default=200, help="single-text requests")
    parser.add_argument("--rounds", type=int, default=3, help="batch rounds (best is kept)")
    parser.add_argument("--explain", type=int, default=100, help="texts explained")
    args = parser.parse_args()
    import machine  # bench/machine.py, beside this script
    machine.announce()
    from paddlehub_lite.deploy import TextClassifier
    with open(os.path.join(args.data, "test.tsv"), encoding="utf-8") as handle:
        texts = [line.rstrip("\n").split("\t", 1)[1] for line in list(handle)[1:] if line.strip()]
    probs = {}
    print("| backend | batch texts/s (best of %d) | single-text p50 ms | p99 ms | "
          "explain ms per text (%d texts) |" % (args.rounds, args.explain))
    print("|---|---|---|---|---|")
    for backend in ("paddle", "onnx"):
        classifier = TextClassifier(args.bundle, backend=backend).load()
        classifier.probabilities(texts)                      # warm: segmentation, kernels
        best = float("inf")
        for _ in range(args.rounds):
            start = time.perf_counter()
            probs[backend] = classifier.probabilities(texts)
            best = min(best, time.perf_counter() - start)
        latencies = []
        for text in texts[:args.single]:
            start = time.perf_counter()
            classifier.probabilities([text])
            latencies.append(1000 * (time.perf_counter() - start))
        latencies.sort()
        start = time.perf_counter()
        classifier.explain(texts[:args.explain])
        explain_ms = 1000 * (time.perf_counter() - start) / args.explain
        print("| %s | %.0f | %.2f | %.2f | %.1f |" % (
            backend, len(texts) / best, statistics.median(latencies),
            latencies[int(0.99 * (len(latencies) - 1))], explain_ms))
    diff = np.abs(probs["onnx"] - probs["paddle"]).max()
    same = (probs["onnx"].argmax(1) == probs["paddle"].argmax(1)).mean()
    print("\n%d test texts: largest probability difference %.2e, same label for %.2f%%"
          % (len(texts), diff, 100 * same))


if __name__ == "__main__":
    main()
