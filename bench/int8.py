"""int8 against fp32 on ONNX Runtime, side by side in one process: ChnSentiCorp test accuracy,
batch prediction (texts/s, the reader included, warmed first) and single-text p50, of two
bundles exported from one checkpoint (``hub-lite export`` with and without ``--quantize int8``).

    python bench/int8.py --checkpoint_dir CKPT --work W [--data ../shared/data/chnsenticorp]

CKPT: a demo checkpoint trained on the whole of ChnSentiCorp (e.g. ``sh run_elmo_finetune.sh``).
"""
import argparse
import os
import statistics
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint_dir", required=True)
    parser.add_argument("--work", required=True, help="where the two bundles are written")
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data",
                                                       "chnsenticorp"))
    parser.add_argument("--single", type=int, default=200)
    args = parser.parse_args()
    import machine  # bench/machine.py, beside this script
    machine.announce()
    from paddlehub_lite.deploy import TextClassifier
    from paddlehub_lite.deploy.export import export
    bundles = {}
    for name, quantize in (("fp32", None), ("int8", "int8")):
        bundles[name] = os.path.join(args.work, name)
        if not os.path.isdir(bundles[name]):
            export(args.checkpoint_dir, bundles[name], onnx=True, quantize=quantize)
    with open(os.path.join(args.data, "test.tsv"), encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in list(handle)[1:] if line.strip()]
    labels, texts = [r[0] for r in rows], [r[1] for r in rows]
    print("| model | test accuracy % | batch texts/s (best of 3) | single-text p50 ms |")
    print("|---|---|---|---|")
    for name, path in bundles.items():
        classifier = TextClassifier(path, backend="onnx").load()
        classifier.probabilities(texts)
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            probs = classifier.probabilities(texts)
            best = min(best, time.perf_counter() - start)
        accuracy = np.mean([classifier.labels[i] == y for i, y in zip(probs.argmax(1), labels)])
        latencies = []
        for text in texts[:args.single]:
            start = time.perf_counter()
            classifier.probabilities([text])
            latencies.append(1000 * (time.perf_counter() - start))
        print("| %s | %.2f | %.0f | %.2f |" % (name, 100 * accuracy, len(texts) / best,
                                                statistics.median(latencies)))


if __name__ == "__main__":
    main()
