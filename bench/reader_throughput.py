"""Reader throughput on ChnSentiCorp train, texts/s: cold (segment + map, no cache) and warm
(a new reader finding the disk cache; and the same reader again, from memory).

    python bench/reader_throughput.py [--data ../shared/data/chnsenticorp] [--vocab VOCAB]
"""
import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import paddlehub_lite as hub  # noqa: E402

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..",
                            "shared", "data", "chnsenticorp")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--vocab", default=None, help="default: the shipped ELMo module's vocab")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is shown")
    args = parser.parse_args()
    vocab = args.vocab or hub.Module(name="elmo").get_vocab_path()
    dataset = hub.dataset.ChnSentiCorp(base_path=args.data)
    n = len(dataset.get_train_examples())
    best = {"cold": 0.0, "warm_disk": 0.0, "warm_memory": 0.0}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as cache:
            start = time.perf_counter()
            reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=vocab,
                                                  cache_dir=cache)
            reader.get_samples("train")
            best["cold"] = max(best["cold"], n / (time.perf_counter() - start))
            start = time.perf_counter()
            reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=vocab,
                                                  cache_dir=cache)
            reader.get_samples("train")
            best["warm_disk"] = max(best["warm_disk"], n / (time.perf_counter() - start))
            start = time.perf_counter()
            reader.get_samples("train")
            best["warm_memory"] = max(best["warm_memory"], n / (time.perf_counter() - start))
    print("reader throughput on %d ChnSentiCorp train texts (%d CPUs), best of %d:"
          % (n, os.cpu_count(), args.repeat))
    for key, value in best.items():
        print("  %-12s %10.0f texts/s" % (key, value))


if __name__ == "__main__":
    main()
