"""Accuracy of the ELMo demo over several seeds: runs ``examples/elmo/elmo_finetune.py`` once
per seed (each in its own process and checkpoint dir) and prints dev and test accuracy of the
best-by-dev model per seed, their mean and sample standard deviation.

    python bench/elmo_seeds.py --work WORK --label elmo-v1 --seeds 1 2 3 4 5 -- \
        --data_dir ../shared/data/chnsenticorp [--use_elmo False] [--module_dir DIR] ...

Everything after ``--`` goes to the demo script. Finished runs are recorded in
``WORK/<label>/results.json`` and skipped when the command is repeated (so a long study resumes,
an interrupted run from its last checkpoint); a run whose flags changed is redone from scratch,
its old checkpoint dir and log moved aside (``ckpt_seedN.flags-changed-K``), not resumed.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(REPO, "examples", "elmo", "elmo_finetune.py")
RESULT = re.compile(r"\[(dev|test) dataset evaluation result\] loss=[0-9.]+ acc=([0-9.]+)")
SPEED = re.compile(r"Training steps: \d+ examples in [0-9.]+s \[examples/sec: ([0-9.]+)\]")


def best_dev(ckpt_dir: str) -> float:
    """The dev accuracy of the run's best model (``best_model/meta.json``)."""
    with open(os.path.join(ckpt_dir, "best_model", "meta.json")) as handle:
        return float(json.load(handle)["scores"]["acc"])


def run_seed(seed: int, flags, ckpt_dir: str, log_path: str):
    """One finetune_and_eval; returns (dev acc of the best model, test acc, wall seconds)."""
    cmd = [sys.executable, "-u", SCRIPT, "--seed", str(seed), "--checkpoint_dir", ckpt_dir] + flags
    start = time.time()
    with open(log_path, "w") as log:
        code = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT)
    wall = time.time() - start
    text = open(log_path, encoding="utf-8", errors="replace").read()
    if code != 0:
        raise SystemExit("seed %d failed (exit %d); see %s" % (seed, code, log_path))
    test = [float(v) for phase, v in RESULT.findall(text) if phase == "test"]
    if not test:
        raise SystemExit("seed %d: no final test evaluation in %s" % (seed, log_path))
    speed = SPEED.findall(text)
    return best_dev(ckpt_dir), test[-1], wall, float(speed[-1]) if speed else None


def fresh_for(flags, ckpt_dir: str, log_path: str) -> None:
    """Make ``ckpt_dir`` a checkpoint of a run with ``flags``: one begun with other flags
    (recorded in ``ckpt_dir.flags.json``) is moved aside with its log, so the demo does not
    resume it; a run with the same flags resumes."""
    record = ckpt_dir + ".flags.json"
    if os.path.exists(record):
        with open(record) as handle:
            if json.load(handle) == flags:
                return
        k = 1
        while os.path.exists("%s.flags-changed-%d" % (ckpt_dir, k)):
            k += 1
        suffix = ".flags-changed-%d" % k
        for path in (ckpt_dir, log_path, record):
            if os.path.exists(path):
                os.rename(path, path + suffix)
        print("flags changed: the old run moved to %s" % (ckpt_dir + suffix), flush=True)
    elif os.path.exists(ckpt_dir):
        raise SystemExit("%s holds a run whose flags are not recorded; move it away to redo "
                         "it with %s" % (ckpt_dir, flags))
    save(record, flags)


def save(path: str, results) -> None:
    with open(path + ".tmp", "w") as handle:
        json.dump(results, handle, indent=1)
    os.replace(path + ".tmp", path)


def summary(values):
    mean = statistics.mean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return "%.2f (sd %.2f)" % (100 * mean, 100 * sd)


def main():
    argv = sys.argv[1:]
    flags = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", required=True, help="checkpoints, logs and results")
    parser.add_argument("--label", required=True, help="name of this arm")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    args = parser.parse_args(own)
    import machine  # bench/machine.py, beside this script
    facts = machine.announce()  # which CPU these figures came from
    arm = os.path.join(args.work, args.label)
    os.makedirs(arm, exist_ok=True)
    results_path = os.path.join(arm, "results.json")
    results = json.load(open(results_path)) if os.path.exists(results_path) else {}
    for seed in args.seeds:
        key = str(seed)
        ckpt_dir = os.path.join(arm, "ckpt_seed%d" % seed)
        log_path = os.path.join(arm, "seed%d.log" % seed)
        if key in results and results[key]["flags"] == flags:
            # runs recorded before this script read best_model/meta.json took the last dev
            # evaluation, which need not be the best one
            results[key]["dev"] = best_dev(ckpt_dir)
            save(results_path, results)
            continue
        fresh_for(flags, ckpt_dir, log_path)
        dev, test, wall, speed = run_seed(seed, flags, ckpt_dir, log_path)
        results[key] = {"flags": flags, "dev": dev, "test": test, "wall_s": round(wall, 1),
                        "train_examples_per_s": speed, "machine": facts}
        save(results_path, results)
        print("%s seed %d: dev %.2f test %.2f (%.0f s, %s training examples/s)"
              % (args.label, seed, 100 * dev, 100 * test, wall, speed), flush=True)
    rows = [results[str(s)] for s in args.seeds]
    print("| %s | %s | %s | %s | %s |" % (
        args.label, " ".join(str(s) for s in args.seeds),
        " / ".join("%.2f" % (100 * r["test"]) for r in rows),
        summary([r["dev"] for r in rows]), summary([r["test"] for r in rows])))


if __name__ == "__main__":
    main()
