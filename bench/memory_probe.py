"""Where the demo's resident memory grows during training: the demo's task on a dataset, then
(1) ``--repeat`` dev evaluations, (2) ``--repeat`` best-model exports (the inference model, the
biLM's feature network, the bundle: what every new best dev score writes), (3) one epoch of
training steps without evaluations; the process's RSS after each, and the growth per call
or per 1,000 steps. One process, one thing at a time, so each growth has one cause.

    python bench/memory_probe.py --work W --demo_flags "--data_dir ../shared/data/chnsenticorp"

``--malloc_trim`` calls glibc's ``malloc_trim(0)`` after each call (does the allocator hold
freed memory, or does something keep it?).
"""
import argparse
import ctypes
import os
import shlex
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "examples", "elmo"))


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", required=True, help="checkpoint dir and exports go here")
    parser.add_argument("--demo_flags", default="", help="the demo's flags (data, recipe)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--malloc_trim", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, HERE)
    import machine
    machine.announce()
    from elmo_demo_net import add_common_args, build
    demo = argparse.ArgumentParser()
    add_common_args(demo)
    demo.add_argument("--num_epoch", type=int, default=1)
    demo.add_argument("--batch_size", type=int, default=32)
    flags = demo.parse_args(shlex.split(args.demo_flags) +
                            ["--checkpoint_dir", os.path.join(args.work, "ckpt")])
    task, _ = build(flags, num_epoch=1)
    trim = ctypes.CDLL("libc.so.6").malloc_trim if args.malloc_trim else None

    def after(label, start):
        if trim:
            trim(0)
        now = rss_mb()
        print("%-34s RSS %7.0f MB (%+.1f)" % (label, now, now - start), flush=True)
        return now

    base = after("built", rss_mb())
    task.evaluate("dev")
    first = after("first dev evaluation", base)
    for i in range(args.repeat):
        task.evaluate("dev")
    evals = after("%d more dev evaluations" % args.repeat, first)
    export_dir = tempfile.mkdtemp(dir=args.work)
    task.training.export_inference_model(os.path.join(export_dir, "model"))
    one = after("first best-model export", evals)
    for i in range(args.repeat):
        task.training.export_inference_model(os.path.join(export_dir, "model"))
    exports = after("%d more exports" % args.repeat, one)
    peak = [exports]
    done = threading.Event()

    def sample():
        while not done.wait(0.5):
            peak[0] = max(peak[0], rss_mb())

    threading.Thread(target=sample, daemon=True).start()
    start = time.time()
    task.finetune(do_eval=False)
    done.set()
    steps = task.global_step
    end = after("%d training steps (%.0f s)" % (steps, time.time() - start), exports)
    print("per dev evaluation: %+.2f MB; per export: %+.2f MB; per 1,000 steps: %+.1f MB "
          "(peak during steps %.0f MB)" % ((evals - first) / args.repeat,
                                          (exports - one) / args.repeat,
                                          1000 * (end - exports) / max(steps, 1), peak[0]))


if __name__ == "__main__":
    main()
