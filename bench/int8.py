"""int8 against fp32 on ONNX Runtime, side by side in one process: ChnSentiCorp test accuracy,
batch prediction (texts/s, the reader included, warmed first) and single-text p50, of two
bundles exported from each checkpoint (``hub-lite export`` with and without ``--quantize
int8``); with several checkpoints (one per seed) also the mean and spread of the accuracy
difference.

    python bench/int8.py --checkpoint_dir CKPT [CKPT ...] --work W \
        [--data ../shared/data/chnsenticorp]

CKPT: demo checkpoints trained on the whole of ChnSentiCorp (e.g. ``sh run_elmo_finetune.sh
--seed N``, or ``bench/elmo_seeds.py``'s ``ckpt_seedN``).
"""
import argparse
import os
import statistics
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint_dir", required=True, nargs="+")
    parser.add_argument("--work", required=True, help="where the two bundles are written")
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data",
                                                       "chnsenticorp"))
    parser.add_argument("--single", type=int, default=200)
    args = parser.parse_args()
    import machine  # bench/machine.py, beside this script
    machine.announce()
    from paddlehub_lite.deploy import TextClassifier
    from paddlehub_lite.deploy.export import export
    with open(os.path.join(args.data, "test.tsv"), encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in list(handle)[1:] if line.strip()]
    labels, texts = [r[0] for r in rows], [r[1] for r in rows]
    print("| checkpoint | model | test accuracy % | batch texts/s (best of 3) | "
          "single-text p50 ms |")
    print("|---|---|---|---|---|")
    differences = []
    for k, checkpoint in enumerate(args.checkpoint_dir):
        accuracy = {}
        for name, quantize in (("fp32", None), ("int8", "int8")):
            path = os.path.join(args.work, "%d_%s" % (k, name))
            if not os.path.isdir(path):
                export(checkpoint, path, onnx=True, quantize=quantize)
            accuracy[name], speed, p50 = measure(TextClassifier(path, backend="onnx").load(),
                                                 texts, labels, args.single)
            print("| %s | %s | %.2f | %.0f | %.2f |" % (checkpoint, name, 100 * accuracy[name],
                                                        speed, p50), flush=True)
        differences.append(100 * (accuracy["int8"] - accuracy["fp32"]))
    print("\nint8 - fp32 test accuracy, points: %s; mean %+.2f, sd %.2f over %d checkpoints"
          % (" / ".join("%+.2f" % d for d in differences), statistics.mean(differences),
             statistics.stdev(differences) if len(differences) > 1 else 0.0, len(differences)))


def measure(classifier, texts, labels, single):
    """(test accuracy, batch texts/s best of 3, single-text p50 ms) of a loaded bundle."""
    classifier.probabilities(texts)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        probs = classifier.probabilities(texts)
        best = min(best, time.perf_counter() - start)
    accuracy = float(np.mean([classifier.labels[i] == y
                              for i, y in zip(probs.argmax(1), labels)]))
    latencies = []
    for text in texts[:single]:
        start = time.perf_counter()
        classifier.probabilities([text])
        latencies.append(1000 * (time.perf_counter() - start))
    return accuracy, len(texts) / best, statistics.median(latencies)


if __name__ == "__main__":
    main()
