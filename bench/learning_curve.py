"""Learning curve of the ELMo demo vs its ablation (``--use_elmo False``): test accuracy of the
best-by-dev model when training on the first N examples of one fixed seeded shuffle of
ChnSentiCorp train (the same subset for both arms; full dev and test), several seeds a point.
Prints a Markdown table and draws ``docs/learning_curve.png`` (bench-only: ``pip install
matplotlib``).

    python bench/learning_curve.py --work WORK --data ../shared/data/chnsenticorp \
        [--sizes 500 1000 2000 4800 9600] [--seeds 1 2 3] [-- extra demo flags]

Runs go through ``elmo_seeds.py`` (results kept in WORK, so a stopped study resumes).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def subset_dir(work: str, data: str, size: int) -> str:
    """WORK/data_<size>: the first ``size`` rows of train in a fixed (seed 0) shuffle."""
    target = os.path.join(work, "data_%d" % size)
    if os.path.isfile(os.path.join(target, "train.tsv")):
        return target
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(data, "train.tsv"), encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    header, rows = lines[0], [r for r in lines[1:] if r]
    order = np.random.default_rng(0).permutation(len(rows))[:size]
    with open(os.path.join(target, "train.tsv"), "w", encoding="utf-8") as handle:
        handle.write("\n".join([header] + [rows[i] for i in order]) + "\n")
    for name in ("dev.tsv", "test.tsv"):
        shutil.copy(os.path.join(data, name), os.path.join(target, name))
    return target


def run_arm(work, label, seeds, flags):
    cmd = [sys.executable, os.path.join(HERE, "elmo_seeds.py"), "--work", work, "--label", label,
           "--seeds"] + [str(s) for s in seeds] + ["--"] + flags
    subprocess.run(cmd, check=True)
    results = json.load(open(os.path.join(work, label, "results.json")))
    return [results[str(s)]["test"] for s in seeds]


def main():
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000, 4800, 9600])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--plot", default=os.path.join(REPO, "docs", "learning_curve.png"))
    args = parser.parse_args(own)
    import machine  # bench/machine.py, beside this script
    machine.announce()  # which CPU these figures came from
    rows = []
    for size in args.sizes:
        data = subset_dir(args.work, os.path.abspath(args.data), size)
        elmo = run_arm(args.work, "curve-elmo-%d" % size, args.seeds, ["--data_dir", data] + extra)
        abl = run_arm(args.work, "curve-ablation-%d" % size, args.seeds,
                      ["--data_dir", data, "--use_elmo", "False"] + extra)
        rows.append((size, elmo, abl))
    print("| train examples | ELMo test % (mean, sd) | ablation test % (mean, sd) "
          "| ELMo - ablation |")
    print("|---|---|---|---|")
    for size, elmo, abl in rows:
        sd = lambda v: statistics.stdev(v) if len(v) > 1 else 0.0  # noqa: E731
        print("| %d | %.2f (%.2f) | %.2f (%.2f) | %+.2f |" % (
            size, 100 * statistics.mean(elmo), 100 * sd(elmo), 100 * statistics.mean(abl),
            100 * sd(abl), 100 * (statistics.mean(elmo) - statistics.mean(abl))))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    for index, name in ((1, "ELMo + word embedding"), (2, "word embedding only (ablation)")):
        means = [100 * statistics.mean(r[index]) for r in rows]
        sds = [100 * statistics.stdev(r[index]) if len(r[index]) > 1 else 0.0 for r in rows]
        ax.errorbar([r[0] for r in rows], means, yerr=sds, marker="o", capsize=3, label=name)
    ax.set_xscale("log")
    ax.set_xlabel("ChnSentiCorp training examples")
    ax.set_ylabel("test accuracy %% (mean and sd of %d seeds)" % len(args.seeds))
    ax.legend()
    ax.grid(alpha=0.3)
    os.makedirs(os.path.dirname(args.plot), exist_ok=True)
    fig.tight_layout()
    fig.savefig(args.plot, dpi=120)
    print("plot written to %s" % args.plot)


if __name__ == "__main__":
    main()
