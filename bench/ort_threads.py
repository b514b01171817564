"""ONNX Runtime's thread options side by side in one process, model time only (the reader's
word ids computed once before): batch prediction of the ChnSentiCorp test texts (batches of
32 in length order, best of 3) and single-text p50/p99 (200 texts), for sessions built with
each option. What ``deploy/backends.py``'s thread policy was chosen from.

    python bench/ort_threads.py --bundle DIR [--data ../shared/data/chnsenticorp]

DIR: a bundle ``hub-lite export`` wrote with ONNX models (fp32 or int8).
"""
import argparse
import os
import statistics
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> (intra-op threads, inter-op threads, parallel execution, spin-waiting)
CONFIGS = {
    "2 threads, spinning (ONNX Runtime's default)": (2, 1, False, True),
    "2 threads, no spinning": (2, 1, False, False),
    "1 thread, no spinning": (1, 1, False, False),
    "1 thread per direction (ORT_PARALLEL, 2 inter-op), no spinning": (1, 2, True, False),
}


def session(path, intra, inter, parallel, spin):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = intra, inter
    if parallel:
        options.execution_mode = ort.ExecutionMode.ORT_PARALLEL
    if not spin:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundle", required=True)
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data",
                                                       "chnsenticorp"))
    args = parser.parse_args()
    import machine  # bench/machine.py, beside this script
    machine.announce()
    from paddlehub_lite.deploy import TextClassifier
    from paddlehub_lite.finetune import batching
    with open(os.path.join(args.data, "test.tsv"), encoding="utf-8") as handle:
        texts = [line.rstrip("\n").split("\t", 1)[1] for line in list(handle)[1:]
                 if line.strip()]
    classifier = TextClassifier(args.bundle, backend="onnx").load()
    description = classifier.description
    (module,) = [m for m in description["modules"] if "features" in m]
    spec = module["features"]
    samples = [s[0] for s in classifier.reader.get_samples("predict", texts)]
    print("| sessions | batch texts/s | single p50 ms | single p99 ms |")
    print("|---|---|---|---|")
    for name, options in CONFIGS.items():
        features = session(os.path.join(args.bundle, spec["prefix"] + ".onnx"), *options)
        model = session(os.path.join(args.bundle, "model.onnx"), *options)

        def run(ids):
            feed = {n: ids for n in description["feed_names"]}
            feed[spec["output"]] = features.run(None, {spec["input"]: ids})[0]
            return model.run(None, feed)[0]

        def batch():
            start = time.perf_counter()
            batching.in_length_order([len(s) for s in samples], 32, lambda idx: run(
                batching.pad_ids([samples[i] for i in idx], 0, classifier.max_len)))
            return time.perf_counter() - start

        batch()                                               # warm: memory for each shape
        best = min(batch() for _ in range(3))
        latencies = []
        for ids in samples[:200]:
            start = time.perf_counter()
            run(batching.pad_ids([ids], 0, classifier.max_len))
            latencies.append(1000 * (time.perf_counter() - start))
        latencies.sort()
        print("| %s | %.0f | %.2f | %.2f |" % (name, len(samples) / best,
                                              statistics.median(latencies),
                                              latencies[int(0.99 * (len(latencies) - 1))]),
              flush=True)


if __name__ == "__main__":
    main()
