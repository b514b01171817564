"""Reader throughput on ChnSentiCorp train, texts/s: cold (segment + map, no cache) and warm
(a new reader in a new process finding the disk cache, timed from the reader's construction,
after the imports; and the same reader again, from memory).

    python bench/reader_throughput.py [--data ../shared/data/chnsenticorp] [--vocab VOCAB]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import paddlehub_lite as hub  # noqa: E402

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..",
                            "shared", "data", "chnsenticorp")


def new_process_warm(data: str, vocab: str, cache: str) -> float:
    """texts/s of a new reader in a new Python process, reading the disk cache."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--data", data, "--vocab",
                          vocab, "--child-warm", cache], check=True, capture_output=True,
                         text=True)
    return float(out.stdout.strip().split("\n")[-1])


def child_warm(dataset, vocab: str, cache: str) -> None:
    n = len(dataset.get_train_examples())
    start = time.perf_counter()
    reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=vocab, cache_dir=cache)
    reader.get_samples("train")
    print(n / (time.perf_counter() - start))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--vocab", default=None, help="default: the shipped ELMo module's vocab")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is shown")
    parser.add_argument("--child-warm", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    import machine  # bench/machine.py, beside this script
    machine.announce()  # which CPU these figures came from
    vocab = args.vocab or hub.Module(name="elmo").get_vocab_path()
    dataset = hub.dataset.ChnSentiCorp(base_path=args.data)
    if args.child_warm:
        return child_warm(dataset, vocab, args.child_warm)
    n = len(dataset.get_train_examples())
    best = {"cold": 0.0, "warm_disk_new_process": 0.0, "warm_memory": 0.0}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as cache:
            start = time.perf_counter()
            reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=vocab,
                                                  cache_dir=cache)
            reader.get_samples("train")
            best["cold"] = max(best["cold"], n / (time.perf_counter() - start))
            best["warm_disk_new_process"] = max(best["warm_disk_new_process"],
                                                new_process_warm(args.data, vocab, cache))
            start = time.perf_counter()
            reader.get_samples("train")
            best["warm_memory"] = max(best["warm_memory"], n / (time.perf_counter() - start))
    print("reader throughput on %d ChnSentiCorp train texts (%d CPUs), best of %d:"
          % (n, os.cpu_count(), args.repeat))
    for key, value in best.items():
        print("  %-22s %10.0f texts/s" % (key, value))


if __name__ == "__main__":
    main()
