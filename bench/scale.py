"""How the demo's costs grow with the data: for each size of ``build_corpus.py``'s set, one
cold run of the demo's recipe (``sh run_elmo_finetune.sh --dataset_dir D --num_epoch 1``, an
empty home, so segmentation and ELMo features are computed), timed by phase from its own log,
with the process's peak RSS and the disk it used (home: segment and feature caches;
checkpoint dir). Prints a Markdown table and draws seconds per 1,000 texts and bytes per text
against size (``--plot``). Resumable: a size whose record exists in ``WORK/scale.json`` is not
run again (delete the record to redo it).

    python bench/build_corpus.py --out W/source5
    python bench/scale.py --corpus W/source5 --work W/scale [--sizes 10000 30000 100000 ...] \
        [--plot docs/scale.png] [--flags "--batch_size 32"] [--nproc 2]

``--nproc N`` (N > 1) runs the demo's script with the same flags under Paddle's launcher,
``python -m paddle.distributed.launch --nproc_per_node N`` (gloo on CPUs: each process
computes the features of its shard of the train split, feeds its part of every batch; rank 0
evaluates), timed from rank 0's log; its records are kept as ``<size>/nproc<N>``.

Phases (from the log's timestamps): "read + segment" is launch to ``PaddleHub finetune
start`` (imports, reading the TSVs, segmenting and mapping the train texts, building the
programs); "features" the train split's ``ELMo features ... ready in`` figure; "steps" the
``Training steps`` figure; "dev evaluations" every dev evaluation start -> result (its
feature pass included); "best-model export" every dev result -> ``best model saved``.

Memory: the demo's process tree is sampled (``/proc``, every 0.25 s) for its resident memory;
``rss_by_phase`` is the largest sample up to the end of each phase (after reading and
segmenting, after the train features, after the training steps, the whole run), which says
where memory grows with the data.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
STAMP = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\]")


def _time(line: str):
    found = STAMP.match(line)
    return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp() if found \
        else None


def phases(log_lines, launched: float, ended: float) -> dict:
    """Seconds per phase (see the module docstring) from the demo's log lines."""
    out = {"read_segment": None, "features": None, "steps": None, "dev_eval": 0.0,
           "export": 0.0, "wall": ended - launched}
    eval_start = result_at = None
    for line in log_lines:
        at = _time(line)
        if at is None:
            continue
        if "PaddleHub finetune start" in line and out["read_segment"] is None:
            out["read_segment"] = at - launched
        found = re.search(r"ELMo features of \d+ train examples ready in ([0-9.]+)s", line)
        if found:
            out["features"] = float(found.group(1))
        found = re.search(r"Training steps: \d+ examples in ([0-9.]+)s", line)
        if found:
            out["steps"] = float(found.group(1))
        if "Evaluation on dev dataset start" in line:
            eval_start = at
        if "[dev dataset evaluation result]" in line and eval_start is not None:
            out["dev_eval"] += at - eval_start
            eval_start, result_at = None, at
        if "best model saved to" in line and result_at is not None:
            out["export"] += at - result_at
            result_at = None
    return out


def disk_bytes(*paths) -> int:
    total = 0
    for path in paths:
        for root, _, files in os.walk(path):
            total += sum(os.path.getsize(os.path.join(root, f)) for f in files
                         if os.path.isfile(os.path.join(root, f)))
    return total


def tree_rss_mb(pid: int) -> float:
    """Resident MB of ``pid``'s largest process in its tree (the demo under its shell)."""
    best, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open("/proc/%d/status" % current) as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        best = max(best, int(line.split()[1]) / 1024)
            with open("/proc/%d/task/%d/children" % (current, current)) as handle:
                todo.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return best


class RssSampler(threading.Thread):
    """Samples ``tree_rss_mb(pid)`` every ``every`` seconds until ``stop``: [(time, MB)]."""

    def __init__(self, pid: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every, self.samples = pid, every, []
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(self.every):
            self.samples.append((time.time(), tree_rss_mb(self.pid)))

    def stop(self):
        self.done.set()
        self.join()
        return self.samples


def rss_by_phase(log_lines, samples) -> dict:
    """The largest RSS sample up to the end of each phase (``None``: phase not logged)."""
    ends = {"read_segment": None, "features": None, "steps": None}
    for line in log_lines:
        at = _time(line)
        if at is None:
            continue
        if "PaddleHub finetune start" in line and ends["read_segment"] is None:
            ends["read_segment"] = at
        if re.search(r"ELMo features of \d+ train examples ready", line):
            ends["features"] = at
        if "Training steps:" in line:
            ends["steps"] = at
    out = {k: max([mb for t, mb in samples if t <= end] or [0.0]) if end else None
           for k, end in ends.items()}
    out["whole"] = max([mb for _, mb in samples] or [0.0])
    return out


# log lines whose times are kept with the RSS samples (where memory grows)
EVENTS = (("dev", "Evaluation on dev dataset start"), ("saved", "best model saved to"),
          ("checkpoint", "Saving model checkpoint to"))
DEMO_FLAGS = ["--batch_size=32", "--use_gpu=True", "--learning_rate=1e-3", "--weight_decay=0.01"]


def run_size(corpus: str, size: str, work: str, flags, nproc: int = 1) -> dict:
    data = os.path.join(corpus, "size_%s" % size)
    with open(os.path.join(data, "train.tsv"), encoding="utf-8") as handle:
        texts = sum(1 for _ in handle) - 1
    tag = size if nproc == 1 else "%s_nproc%d" % (size, nproc)
    home, ckpt = os.path.join(work, "home_%s" % tag), os.path.join(work, "ckpt_%s" % tag)
    logs = os.path.join(work, "logs_%s" % tag)
    for path in (home, ckpt, logs):
        shutil.rmtree(path, ignore_errors=True)          # a cold run: nothing cached
    log_path = os.path.join(work, "log_%s.txt" % tag)
    env = dict(os.environ, PADDLEHUB_LITE_HOME=home)
    run_flags = ["--dataset_dir", data, "--num_epoch", "1", "--checkpoint_dir", ckpt] + list(flags)
    if nproc == 1:
        cmd = ["sh", os.path.join(REPO, "run_elmo_finetune.sh")] + run_flags
    else:
        env.update(GLOG_minloglevel="2", FLAGS_eager_delete_tensor_gb="0.0")
        cmd = [sys.executable, "-m", "paddle.distributed.launch", "--nproc_per_node", str(nproc),
               "--log_dir", logs, os.path.join(REPO, "examples", "elmo", "elmo_finetune.py")] + \
            DEMO_FLAGS + run_flags
    launched = time.time()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
        sampler = RssSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        samples = sampler.stop()
    ended = time.time()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit("size %s failed; see %s" % (size, log_path))
    if nproc > 1:
        log_path = os.path.join(logs, "workerlog.0")
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        lines = handle.readlines()
    dev = [float(x) for x in re.findall(r"\[dev dataset evaluation result\].*? acc=([0-9.]+)",
                                        "".join(lines))]
    events = [(round(_time(l) - launched, 2), kind) for l in lines for kind, mark in EVENTS
              if mark in l and _time(l) is not None]
    return dict(phases(lines, launched, ended), size=size, nproc=nproc, train_texts=texts,
                rss_samples=[(round(t - launched, 2), round(mb)) for t, mb in samples[::4]],
                events=events,
                peak_rss_mb=usage.ru_maxrss / 1024, disk_bytes=disk_bytes(home, ckpt),
                dev_acc=dev[-1] if dev else None, command=" ".join(cmd),
                rss_by_phase=rss_by_phase(lines, samples))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", required=True, help="build_corpus.py's --out")
    parser.add_argument("--work", required=True)
    parser.add_argument("--sizes", nargs="+", default=["10000", "30000", "100000", "300000",
                                                       "all"])
    parser.add_argument("--flags", default="", help="extra flags of the demo")
    parser.add_argument("--plot", default=None, help="a PNG to draw")
    parser.add_argument("--nproc", type=int, default=1,
                        help="processes under paddle.distributed.launch (default 1: none)")
    args = parser.parse_args()
    sys.path.insert(0, HERE)
    import machine
    facts = machine.announce()
    os.makedirs(args.work, exist_ok=True)
    record_path = os.path.join(args.work, "scale.json")
    records = json.load(open(record_path)) if os.path.exists(record_path) else {}
    keys = [s if args.nproc == 1 else "%s/nproc%d" % (s, args.nproc) for s in args.sizes]
    for size, key in zip(args.sizes, keys):
        if key not in records:
            records[key] = dict(run_size(args.corpus, size, args.work, args.flags.split(),
                                         args.nproc), machine=facts)
            with open(record_path + ".tmp", "w") as handle:
                json.dump(records, handle, indent=1)
            os.replace(record_path + ".tmp", record_path)
        print("size %s done: %.0f s" % (key, records[key]["wall"]), flush=True)
    rows = [records[k] for k in keys]
    print("| train texts | wall s | read + segment s | features s | steps s | dev evaluations s "
          "| export s | s per 1,000 texts | peak RSS MB | disk MB | bytes per text | dev acc |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %d | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.0f | %.0f | %.0f | %s |"
              % (r["train_texts"], r["wall"], r["read_segment"] or 0, r["features"] or 0,
                 r["steps"] or 0, r["dev_eval"], r["export"], 1000 * r["wall"] / r["train_texts"],
                 r["peak_rss_mb"], r["disk_bytes"] / 2 ** 20, r["disk_bytes"] / r["train_texts"],
                 "%.4f" % r["dev_acc"] if r["dev_acc"] is not None else ""))
    print("\n| train texts | RSS MB after read + segment | after features | after steps "
          "| whole run |")
    print("|---|---|---|---|---|")
    for r in rows:
        phase = r.get("rss_by_phase") or {}
        print("| %d | %s |" % (r["train_texts"], " | ".join(
            "%.0f" % phase[k] if phase.get(k) else "" for k in
            ("read_segment", "features", "steps", "whole"))))
    if args.plot:
        draw(rows, args.plot)


def draw(rows, path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    sizes = [r["train_texts"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(sizes, [1000 * r["wall"] / r["train_texts"] for r in rows], "o-", label="whole run")
    for key, name in (("features", "features"), ("steps", "steps"), ("dev_eval", "dev evals")):
        left.plot(sizes, [1000 * (r[key] or 0) / r["train_texts"] for r in rows], ".--",
                  label=name)
    left.set(xscale="log", xlabel="training texts", ylabel="seconds per 1,000 texts")
    left.legend()
    right.plot(sizes, [r["disk_bytes"] / r["train_texts"] for r in rows], "o-",
               label="disk per text")
    right.set(xscale="log", xlabel="training texts", ylabel="bytes per text")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
