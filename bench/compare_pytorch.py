"""paddlehub_lite vs a straightforward PyTorch implementation of the same ELMo demo, measured one
after the other in one run on this machine; prints a Markdown table.

    python bench/compare_pytorch.py --data ../shared/data/chnsenticorp [--num_epoch 3]

Needs PyTorch for the reference side (``pip install torch``; bench-only).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = [("test accuracy (best-by-dev)", "test_acc", "%.4f"), ("dev accuracy", "dev_acc", "%.4f"),
        ("end-to-end wall time, s", "wall_seconds", "%.0f"),
        ("training examples/s", "train_examples_per_second", "%.0f"),
        ("batch prediction sentences/s", "predict_sentences_per_second", "%.0f"),
        ("single-sentence latency p50, ms", "latency_p50_ms", "%.1f"),
        ("single-sentence latency p99, ms", "latency_p99_ms", "%.1f"),
        ("peak RSS, MB", "peak_rss_mb", "%.0f")]


def run(script, args):
    env = dict(os.environ, GLOG_minloglevel="2")
    out = subprocess.run([sys.executable, os.path.join(HERE, script)] + args, env=env,
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit("%s failed:\n%s" % (script, out.stderr[-4000:]))
    return json.loads(out.stdout.strip().split("\n")[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--num_epoch", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--module_dir", default=None, help="default: the shipped module")
    args = parser.parse_args()
    common = ["--data", args.data, "--num_epoch", str(args.num_epoch), "--seed", str(args.seed)]
    if args.module_dir:
        common += ["--module_dir", args.module_dir]
    ours = run("paddle_side.py", common + ["--cold"])
    theirs = run("torch_reference.py", common)
    print("| figure | paddlehub_lite | PyTorch reference | ratio |")
    print("|---|---|---|---|")
    for label, key, fmt in ROWS:
        ratio = ours[key] / theirs[key] if theirs[key] else float("nan")
        print("| %s | %s | %s | %.2f |" % (label, fmt % ours[key], fmt % theirs[key], ratio))


if __name__ == "__main__":
    main()
