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


def busy_neighbours(count):
    """``count`` processes each spinning one core at full speed (a busy machine's other jobs);
    stop them with ``stop_neighbours``."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def stop_neighbours(procs):
    for proc in procs:
        proc.kill()
        proc.wait()


def predict_process(cmd, env, work, name, busy):
    """(result JSON, peak RSS MB) of one prediction process, with ``busy`` neighbours."""
    neighbours = busy_neighbours(busy)
    try:
        _, rss, out = timed(cmd, env, work, os.path.join(work, name + ".log"))
    finally:
        stop_neighbours(neighbours)
    return dict(last_json(out), rss_mb=rss)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--num_epoch", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--module_dir", default=None, help="default: the shipped module")
    parser.add_argument("--work", default=None, help="default: a temporary directory")
    parser.add_argument("--torch_python", default=sys.executable,
                        help="the Python that has torch (default: this one)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the trained models and exports already in --work (re-measure "
                             "prediction only; the training rows are then not printed)")
    parser.add_argument("--busy", type=int, default=len(os.sched_getaffinity(0)),
                        help="CPU-busy neighbour processes for the 'busy' rows (default: one "
                             "per core)")
    parser.add_argument("--paddle_predict_flags", default="",
                        help="extra flags of paddle_side.py, e.g. '--single_threads 1'")
    args = parser.parse_args()
    clean_env = dict(os.environ)       # before anything of ours runs: the reference's env
    import machine  # bench/machine.py, beside this script
    machine.announce()  # which CPU these figures came from
    data = os.path.abspath(args.data)
    work = args.work or tempfile.mkdtemp(prefix="phl-compare-")
    os.makedirs(work, exist_ok=True)
    home = os.path.join(work, "home")
    env = dict(clean_env, GLOG_minloglevel="2", PADDLEHUB_LITE_HOME=home)
    ref_env = dict(clean_env, PADDLEHUB_LITE_HOME=home)
    py = sys.executable
    module = ["--module_dir", os.path.abspath(args.module_dir)] if args.module_dir else []
    ref = [args.torch_python, os.path.join(HERE, "torch_reference.py")]

    _, _, out = timed(ref + ["check", "--data", data] + module, env, work,
                      os.path.join(work, "check.log"))
    check = last_json(out)
    if not check["max_abs_diff"] <= BILM_TOLERANCE:
        raise SystemExit("the reference's biLM differs from the module's by %.3g (> %g): "
                         "no comparison reported" % (check["max_abs_diff"], BILM_TOLERANCE))
    if check["reader_same_ids"] != check["reader_texts"]:
        raise SystemExit("the reference's reader gives other word ids than ours on %d of %d "
                         "test texts: no comparison reported"
                         % (check["reader_texts"] - check["reader_same_ids"],
                            check["reader_texts"]))

    ckpt = os.path.join(work, "ckpt_paddle")
    torch_model = os.path.join(work, "torch_best.pt")
    trained = args.reuse and os.path.isdir(os.path.join(ckpt, "best_model")) and \
        os.path.isfile(torch_model)
    rows = [("biLM outputs, max abs difference (64 test texts)", "%.2g" % check["max_abs_diff"],
             "", ""),
            ("reader: the same word ids", "%d / %d test texts" % (check["reader_same_ids"],
                                                                check["reader_texts"]), "", "")]
    if not trained:
        rows += train_rows(args, data, work, ckpt, torch_model, env, ref_env, ref, module)

    bundles = {"Paddle Inference": ckpt}
    for name, flags in (("ONNX Runtime fp32", []), ("ONNX Runtime int8", ["--quantize", "int8"])):
        bundles[name] = os.path.join(work, "bundle_" + name.split()[-1])
        if not os.path.isdir(bundles[name]):
            timed([py, "-m", "paddlehub_lite.cli", "export", "--checkpoint_dir", ckpt,
                   "--output", bundles[name]] + flags, env, work,
                  os.path.join(work, "export_%s.log" % name.split()[-1]))
    results = {}
    for busy in (0, args.busy):
        tag = "busy" if busy else "quiet"
        results["torch", tag] = predict_process(
            ref + ["predict", "--data", data, "--load", torch_model] + module, ref_env, work,
            "torch_predict_" + tag, busy)
        for name, path in bundles.items():
            backend = "paddle" if name == "Paddle Inference" else "onnx"
            results[name, tag] = predict_process(
                [py, os.path.join(HERE, "paddle_side.py"), "--data", data, "--checkpoint_dir",
                 path, "--backend", backend] + args.paddle_predict_flags.split(), env, work,
                "paddle_predict_%s_%s" % (name.split()[-1], tag), busy)
    macs = json.loads(subprocess.run(
        [py, os.path.join(HERE, "arithmetic.py"), "--bundle", bundles["ONNX Runtime fp32"],
         "--data", data, "--json"], env=env, check=True, capture_output=True,
        text=True).stdout.strip().split("\n")[-1])
    print_tables(rows, results, bundles, macs, args.busy, work)


def train_rows(args, data, work, ckpt, torch_model, env, ref_env, ref, module):
    """Train both sides (whole processes, timed) and return the training rows."""
    demo = ["sh", os.path.join(REPO, "run_elmo_finetune.sh"), "--data_dir", data,
            "--num_epoch", str(args.num_epoch), "--seed", str(args.seed),
            "--bilm_trainable", "False",          # the reference's model: frozen biLM + mix
            "--checkpoint_dir", ckpt] + module
    p_wall, p_rss, _ = timed(demo, env, work, os.path.join(work, "paddle_train.log"))
    ours = paddle_log_figures(open(os.path.join(work, "paddle_train.log")).read())
    t_wall, t_rss, out = timed(ref + ["train", "--data", data, "--num_epoch", str(args.num_epoch),
                                      "--seed", str(args.seed), "--save", torch_model] + module,
                               ref_env, work, os.path.join(work, "torch_train.log"))
    theirs = last_json(out)
    p_steps = ours["train_examples"] / ours["train_step_seconds"]
    p_with_features = ours["train_examples"] / (ours["train_step_seconds"] +
                                                 ours["feature_seconds"])
    t_steps = theirs["train_examples"] / theirs["train_step_seconds"]
    print("in-process split, Paddle side: ELMo features of the train set %.1f s, training steps "
          "%.1f s; reference: training steps %.1f s" % (ours["feature_seconds"],
                                                        ours["train_step_seconds"],
                                                        theirs["train_step_seconds"]))
    return [
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
    ]


def print_tables(rows, results, bundles, macs, busy, work):
    """The training rows, then one prediction table: each backend against the reference."""
    print("| figure | paddlehub_lite | PyTorch reference | ratio |")
    print("|---|---|---|---|")
    for label, a, b, ratio in rows:
        print("| %s | %s | %s | %s |" % (label, a, b, "%.2f" % ratio if b else ""))
    ref_q, ref_b = results["torch", "quiet"], results["torch", "busy"]
    print("\nPrediction, each a new process loading the saved model; 'busy': %d CPU-busy "
          "neighbour processes running beside it. Ratios are against the reference's figure "
          "in the same column. Fraction of the arithmetic limit: %.1f M multiply-adds for the "
          "1,200 test texts (%s) at the measured fp32 matmul peak of %.1f GFLOP/s (%s).\n"
          % (busy, macs["macs"] / 1e6, macs["how"], macs["peak_gflops"], macs["peak_how"]))
    print("| side | batch texts/s | (ratio) | of the fp32 limit | p50 ms | (ratio) | p99 ms | "
          "busy p50 ms | busy/quiet p50 | peak RSS MB | (ratio) | Paddle imported |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    limit = macs["peak_gflops"] * 1e9 / 2 / (macs["macs"] / macs["texts"])   # texts/s
    for name in ["torch"] + list(bundles):
        q, b = results[name, "quiet"], results[name, "busy"]
        speed = q["predict_texts_per_second"]
        print("| %s | %.0f | %.2f | %.1f%% | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.2f | %s |"
              % ("PyTorch reference" if name == "torch" else name, speed,
                 speed / ref_q["predict_texts_per_second"], 100 * speed / limit,
                 q["latency_p50_ms"], q["latency_p50_ms"] / ref_q["latency_p50_ms"],
                 q["latency_p99_ms"], b["latency_p50_ms"],
                 b["latency_p50_ms"] / q["latency_p50_ms"], q["rss_mb"],
                 q["rss_mb"] / ref_q["rss_mb"], q.get("paddle_imported", "")))
    print("\n(busy reference: batch %.0f texts/s, p50 %.2f ms; logs in %s)"
          % (ref_b["predict_texts_per_second"], ref_b["latency_p50_ms"], work))


if __name__ == "__main__":
    main()
