"""Load on ``hub-lite serve``: for each model directory given (a checkpoint or an exported
bundle) starts the server (a new process on 127.0.0.1), times launch to its first answer (the
process started -> the first ``/predict`` reply received), then for each concurrency C, C
client threads send one-text requests (ChnSentiCorp test texts) back to back; prints
requests/s, latency p50/p99 and the mean texts per model call (from /health), one Markdown row
per directory and concurrency.

    python bench/serve_load.py --checkpoint_dir CKPT [BUNDLE ...] \
        --data ../shared/data/chnsenticorp [--concurrency 1 8] [--requests 400] \
        [--serve_flags "--max_wait_ms 10"] [--root OTHER_CHECKOUT]

``--root`` serves with another checkout's code (e.g. a ``git worktree`` of an earlier commit),
to compare with it side by side in one run.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_server(checkpoint_dir: str, extra=(), root: str = ROOT):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root] + sys.path))
    proc = subprocess.Popen([sys.executable, "-m", "paddlehub_lite.cli", "serve",
                             "--checkpoint_dir", checkpoint_dir, "--port", "0"] + list(extra),
                            env=env, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        found = re.search(r"Serving .* on (http://[\d.]+:\d+)", line)
        if found:
            threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
            return proc, found.group(1)
    raise SystemExit("the server did not start")


def post(base: str, texts):
    body = json.dumps({"texts": texts}).encode("utf-8")
    request = urllib.request.Request(base + "/predict", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def health(base: str):
    with urllib.request.urlopen(base + "/health", timeout=10) as response:
        return json.loads(response.read())


def load(base: str, texts, concurrency: int, requests: int):
    latencies = []
    lock = threading.Lock()

    def client(k):
        for i in range(k, requests, concurrency):
            t0 = time.perf_counter()
            post(base, [texts[i % len(texts)]])
            with lock:
                latencies.append(time.perf_counter() - t0)

    before = health(base)
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(client, range(concurrency)))
    wall = time.perf_counter() - start
    after = health(base)
    batches = after["batches"] - before["batches"]
    return {"concurrency": concurrency, "requests_per_second": requests / wall,
            "p50_ms": 1000 * float(np.percentile(latencies, 50)),
            "p99_ms": 1000 * float(np.percentile(latencies, 99)),
            "texts_per_model_call": (after["texts"] - before["texts"]) / max(1, batches)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint_dir", required=True, nargs="+",
                        help="checkpoint or bundle directories, served one after the other")
    parser.add_argument("--data", required=True)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--serve_flags", default="", help="extra hub-lite serve flags")
    parser.add_argument("--root", default=ROOT, help="the checkout whose code serves "
                                                     "(default: this one)")
    args = parser.parse_args()
    import machine  # bench/machine.py, beside this script
    machine.announce()  # which CPU these figures came from
    with open(os.path.join(args.data, "test.tsv"), encoding="utf-8") as handle:
        texts = [line.rstrip("\n").split("\t", 1)[1] for line in list(handle)[1:]]
    print("| model | launch to first answer s | concurrency | requests/s | p50 ms | p99 ms | "
          "texts per model call |")
    print("|---|---|---|---|---|---|---|")
    for directory in args.checkpoint_dir:
        launched = time.perf_counter()
        proc, base = start_server(directory, args.serve_flags.split(), args.root)
        try:
            post(base, [texts[0]])
            first_answer = time.perf_counter() - launched
            load(base, texts, 2, 40)                           # warm-up
            for c in args.concurrency:
                row = load(base, texts, c, args.requests)
                print("| %s | %.2f | %d | %.1f | %.1f | %.1f | %.2f |" % (
                    os.path.basename(os.path.normpath(directory)), first_answer, c,
                    row["requests_per_second"], row["p50_ms"], row["p99_ms"],
                    row["texts_per_model_call"]), flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
