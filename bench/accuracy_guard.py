"""The distribution behind the CI accuracy guard (``tests/e2e/test_accuracy_guard.py``): test
accuracy of the demo at its defaults on the learning curve's 1,000-example subset of
ChnSentiCorp train (full dev and test), over seeds, beside the recipes the guard must reject:
the learning rate at 1e-4 (PaddleHub's recipe) and the ELMo left out (the word embedding alone).

    python bench/accuracy_guard.py --work WORK --data ../shared/data/chnsenticorp \
        [--seeds 1 2 3 4 5 6] [--broken_seeds 1 2 3]

Runs go through ``elmo_seeds.py`` (resumable: finished seeds are kept in WORK). Prints one
Markdown row per arm; the guard's threshold is set between the lowest seed of the defaults
and the best seed of the broken arms (see the test's docstring).
"""
import argparse
import os

from learning_curve import run_arm, subset_dir

BROKEN = (("lr1e-4", ["--learning_rate", "1e-4"]), ("noelmo", ["--use_elmo", "False"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", required=True, help="checkpoints, logs and results")
    parser.add_argument("--data", required=True, help="ChnSentiCorp train/dev/test.tsv")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    parser.add_argument("--broken_seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    data = subset_dir(args.work, os.path.abspath(args.data), 1000)
    arms = [("ok", args.seeds, [])] + [(n, args.broken_seeds, f) for n, f in BROKEN]
    rows = [(label, run_arm(args.work, label, seeds, ["--data_dir", data] + flags))
            for label, seeds, flags in arms]
    print("| arm | test % per seed | mean | lowest | highest |")
    print("|---|---|---|---|---|")
    for label, tests in rows:
        print("| %s | %s | %.2f | %.2f | %.2f |" % (
            label, " / ".join("%.2f" % (100 * t) for t in tests),
            100 * sum(tests) / len(tests), 100 * min(tests), 100 * max(tests)))


if __name__ == "__main__":
    main()
