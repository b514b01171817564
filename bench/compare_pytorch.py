"""paddlehub_lite vs a straightforward PyTorch implementation of the same ELMo demo, side by side
in one run on this machine; prints a Markdown table.

    python bench/compare_pytorch.py --data ../shared/data/chnsenticorp [--num_epoch 3]

Needs PyTorch for the reference side (``pip install torch==2.13.0``; bench-only).

Every timed figure is taken the same way on both sides:

1. **biLM check** first: the reference's biLM, loaded from the module's weights, must give the
   module's ELMo layers on 64 test texts (max abs difference <= 1e-5), else nothing is reported.
2. **End to end**: each side is one whole process, timed here from launch to exit: the Paddle
   side is ``sh run_elmo_finetune.sh`` exactly as a user runs it (empty home: nothing segmented
   or cached) with ``--bilm_trainable False`` spelled out (the reference's model, a frozen biLM
   and its layer mix, whatever the demo's default), the reference ``torch_reference.py train``
   (imports, data, training, dev after each epoch, test with the best model, saving it). Peak
   RSS is that process tree's (``wait4``). The in-process split (training steps; the one-off
   ELMo feature pass on the Paddle side) is read from each side's own report.
3. **Prediction**: each side again in a new process that loads the saved best model (the Paddle
   side as users do after training, ``deploy.TextClassifier`` on the exported bundle): 1,200 test
   texts from raw text in batches, then 200 single texts one at a time.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BILM_TOLERANCE = 1e-5


def timed(cmd, env, cwd, log_path):
    """Run ``cmd`` to completion; returns (wall seconds launch->exit, peak RSS MB, stdout)."""
    start = time.perf_counter()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=log,
                                text=True)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit("%s failed (exit %d); see %s" % (" ".join(cmd), proc.returncode,
                                                           log_path))
    return wall, usage.ru_maxrss / 1024, out


def last_json(text):
    return json.loads(text.strip().split("\n")[-1])


def paddle_log_figures(text):
    """Dev/test accuracy and the training split from the demo's own log lines."""
    acc = re.findall(r"\[(dev|test) dataset evaluation result\] loss=[0-9.]+ acc=([0-9.]+)", text)
    steps = re.search(r"Training steps: (\d+) examples in ([0-9.]+)s", text)
    features = re.search(r"ELMo features of (\d+) train examples ready in ([0-9.]+)s", text)
    if not acc or not steps or not features:
        raise SystemExit("the demo's log lacks its evaluation / training lines")
    dev = [float(v) for p, v in acc if p == "dev"][-1]
    test = [float(v) for p, v in acc if p == "test"][-1]
    return {"dev_acc": dev, "test_acc": test, "train_examples": int(steps.group(1)),
            "train_step_seconds": float(steps.group(2)),
            "feature_seconds": float(features.group(2))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--num_epoch", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--module_dir", default=None, help="default: the shipped module")
    parser.add_argument("--work", default=None, help="default: a temporary directory")
    parser.add_argument("--paddle_predict_flags", default="",
                        help="extra flags of paddle_side.py, e.g. '--single_threads 1'")
    args = parser.parse_args()
    import machine  # bench/machine.py, beside this script
    machine.announce()  # which CPU these figures came from
    data = os.path.abspath(args.data)
    work = args.work or tempfile.mkdtemp(prefix="phl-compare-")
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, GLOG_minloglevel="2", PADDLEHUB_LITE_HOME=os.path.join(work, "home"))
    py = sys.executable
    module = ["--module_dir", os.path.abspath(args.module_dir)] if args.module_dir else []
    ref = [py, os.path.join(HERE, "torch_reference.py")]

    _, _, out = timed(ref + ["check", "--data", data] + module, env, work,
                      os.path.join(work, "check.log"))
    check = last_json(out)
    if not check["max_abs_diff"] <= BILM_TOLERANCE:
        raise SystemExit("the reference's biLM differs from the module's by %.3g (> %g): "
                         "no comparison reported" % (check["max_abs_diff"], BILM_TOLERANCE))

    ckpt = os.path.join(work, "ckpt_paddle")
    demo = ["sh", os.path.join(REPO, "run_elmo_finetune.sh"), "--data_dir", data,
            "--num_epoch", str(args.num_epoch), "--seed", str(args.seed),
            "--bilm_trainable", "False",          # the reference's model: frozen biLM + mix
            "--checkpoint_dir", ckpt] + module
    p_wall, p_rss, _ = timed(demo, env, work, os.path.join(work, "paddle_train.log"))
    ours = paddle_log_figures(open(os.path.join(work, "paddle_train.log")).read())
    torch_model = os.path.join(work, "torch_best.pt")
    t_wall, t_rss, out = timed(ref + ["train", "--data", data, "--num_epoch", str(args.num_epoch),
                                      "--seed", str(args.seed), "--save", torch_model] + module,
                               env, work, os.path.join(work, "torch_train.log"))
    theirs = last_json(out)
    _, p_pred_rss, out = timed([py, os.path.join(HERE, "paddle_side.py"), "--data", data,
                                "--checkpoint_dir", ckpt] + args.paddle_predict_flags.split(),
                               env, work,
                               os.path.join(work, "paddle_predict.log"))
    ours_pred = last_json(out)
    _, t_pred_rss, out = timed(ref + ["predict", "--data", data, "--load", torch_model] + module,
                               env, work, os.path.join(work, "torch_predict.log"))
    theirs_pred = last_json(out)

    p_steps = ours["train_examples"] / ours["train_step_seconds"]
    p_with_features = ours["train_examples"] / (ours["train_step_seconds"] +
                                                 ours["feature_seconds"])
    t_steps = theirs["train_examples"] / theirs["train_step_seconds"]
    rows = [
        ("biLM outputs, max abs difference (64 test texts)", "%.2g" % check["max_abs_diff"],
         "", ""),
        ("test accuracy (best-by-dev)", "%.4f" % ours["test_acc"], "%.4f" % theirs["test_acc"],
         ours["test_acc"] / theirs["test_acc"]),
        ("dev accuracy (best)", "%.4f" % ours["dev_acc"], "%.4f" % theirs["dev_acc"],
         ours["dev_acc"] / theirs["dev_acc"]),
        ("end-to-end wall time, launch to exit, s", "%.0f" % p_wall, "%.0f" % t_wall,
         p_wall / t_wall),
        ("peak RSS of the training process, MB", "%.0f" % p_rss, "%.0f" % t_rss, p_rss / t_rss),
        ("training examples/s, steps only", "%.0f" % p_steps, "%.0f" % t_steps, p_steps / t_steps),
        ("training examples/s, incl. the one-off ELMo feature pass (reference: biLM in every "
         "step)", "%.0f" % p_with_features, "%.0f" % t_steps, p_with_features / t_steps),
        ("batch prediction texts/s (1,200 test texts from raw text)",
         "%.0f" % ours_pred["predict_texts_per_second"],
         "%.0f" % theirs_pred["predict_texts_per_second"],
         ours_pred["predict_texts_per_second"] / theirs_pred["predict_texts_per_second"]),
        ("single-text latency p50, ms", "%.1f" % ours_pred["latency_p50_ms"],
         "%.1f" % theirs_pred["latency_p50_ms"],
         ours_pred["latency_p50_ms"] / theirs_pred["latency_p50_ms"]),
        ("single-text latency p99, ms", "%.1f" % ours_pred["latency_p99_ms"],
         "%.1f" % theirs_pred["latency_p99_ms"],
         ours_pred["latency_p99_ms"] / theirs_pred["latency_p99_ms"]),
        ("peak RSS of the prediction process, MB", "%.0f" % p_pred_rss, "%.0f" % t_pred_rss,
         p_pred_rss / t_pred_rss),
    ]
    print("| figure | paddlehub_lite | PyTorch reference | ratio |")
    print("|---|---|---|---|")
    for label, a, b, ratio in rows:
        print("| %s | %s | %s | %s |" % (label, a, b, "%.2f" % ratio if b else ""))
    print("\nin-process split, Paddle side: ELMo features of the train set %.1f s, training steps "
          "%.1f s; reference: training steps %.1f s (logs in %s)"
          % (ours["feature_seconds"], ours["train_step_seconds"], theirs["train_step_seconds"],
             work))


if __name__ == "__main__":
    main()
