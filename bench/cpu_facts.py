"""The CPU facts BENCHMARKS.md and DEVELOPERS.md quote, each measured side by side in fresh
processes (so environment variables read at start-up take effect):

    python bench/cpu_facts.py [matmul] [cbwr] [max-vs-pool] [omp] [jieba-ports]

- matmul: a [256, 256] x [256, 1024] ``paddle.matmul``, ms, with MKL's default dispatch and
  with ``MKL_DEBUG_CPU_TYPE=5`` (what the package sets on AMD CPUs).
- cbwr: what ``MKL_CBWR=AUTO,STRICT`` (set by the package on every CPU) costs: the matmul
  above and a 2-layer LSTM forward ([32, 60, 256] -> 512, the shipped biLM's size, 2 threads),
  ms, with and without it, each with the ``MKL_DEBUG_CPU_TYPE`` the package sets on this CPU.
- max-vs-pool: forward + backward of a max over time of [32, 128, 128], ``paddle.max`` vs
  ``F.adaptive_max_pool1d``, ms.
- omp: steps/s of a small GRU classifier training step, ``OMP_NUM_THREADS`` 1 vs 2 (2 Paddle
  threads both times).
- jieba-ports: texts/s of jieba and of the C port ``jieba_fast_dat`` (bench-only:
  ``pip install jieba-fast-dat``) on ChnSentiCorp train, and how many texts they segment alike.
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "data", "chnsenticorp", "train.tsv")


def child(name: str, env_extra, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra)
    env["GLOG_minloglevel"] = "2"
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", name], env=env,
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().split("\n")[-1])


def _best_ms(fn, repeat=50):
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return 1000 * best


def child_matmul():
    import numpy as np
    import paddle  # no paddlehub_lite import: the parent's environment decides MKL's dispatch
    paddle.base.core.set_num_threads(1)
    a = paddle.to_tensor(np.random.rand(256, 256).astype("float32"))
    b = paddle.to_tensor(np.random.rand(256, 1024).astype("float32"))
    return {"ms": _best_ms(lambda: paddle.matmul(a, b).numpy())}


def child_lstm():
    import numpy as np
    import paddle
    paddle.base.core.set_num_threads(2)
    lstm = paddle.nn.LSTM(256, 512, num_layers=2)
    x = paddle.to_tensor(np.random.rand(32, 60, 256).astype("float32"))
    with paddle.no_grad():
        return {"ms": _best_ms(lambda: lstm(x)[0].numpy(), 20)}


def child_max_vs_pool():
    import numpy as np
    import paddle
    import paddle.nn.functional as F
    x = paddle.to_tensor(np.random.rand(32, 128, 128).astype("float32"), stop_gradient=False)

    def run(reduce):
        out = reduce(x)
        out.sum().backward()
        x.clear_gradient()
    return {"max_ms": _best_ms(lambda: run(lambda t: paddle.max(t, axis=1)), 10),
            "pool_ms": _best_ms(lambda: run(
                lambda t: F.adaptive_max_pool1d(t.transpose([0, 2, 1]), 1).squeeze(-1)), 10)}


def child_omp():
    import numpy as np
    import paddle
    paddle.enable_static()
    paddle.base.core.set_num_threads(2)
    main, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(main, startup):
        x = paddle.static.data("x", [32, 64, 384], "float32")
        y = paddle.static.data("y", [32, 1], "int64")
        h, _ = paddle.nn.GRU(384, 128)(x)
        loss = paddle.nn.functional.cross_entropy(paddle.nn.Linear(128, 2)(h[:, -1]), y)
        paddle.optimizer.Adam(1e-3).minimize(loss)
    exe = paddle.static.Executor(paddle.CPUPlace())
    exe.run(startup)
    feed = {"x": np.random.rand(32, 64, 384).astype("float32"),
            "y": np.random.randint(0, 2, (32, 1)).astype("int64")}
    ms = _best_ms(lambda: exe.run(main, feed=feed, fetch_list=[loss]), 20)
    return {"steps_per_s": 1000 / ms}


def child_jieba_ports():
    import jieba
    import jieba_fast_dat
    with open(DATA, encoding="utf-8") as handle:
        texts = [line.split("\t")[1] for line in handle.read().split("\n")[1:] if line]
    result = {}
    outputs = {}
    for name, module in (("jieba", jieba), ("jieba_fast_dat", jieba_fast_dat)):
        tokenizer = module.Tokenizer()
        tokenizer.initialize()
        start = time.perf_counter()
        outputs[name] = [tokenizer.lcut(t, HMM=False) for t in texts]
        result[name + "_texts_per_s"] = len(texts) / (time.perf_counter() - start)
    result["identical"] = sum(a == b for a, b in zip(outputs["jieba"], outputs["jieba_fast_dat"]))
    result["texts"] = len(texts)
    return result


def main():
    if "--child" in sys.argv:
        print(json.dumps(globals()["child_" + sys.argv[-1].replace("-", "_")]()))
        return
    import machine
    machine.announce(yardstick=False)
    wanted = sys.argv[1:] or ["matmul", "cbwr", "max-vs-pool", "omp", "jieba-ports"]
    mkl = ("MKL_DEBUG_CPU_TYPE", "MKL_CBWR")
    if "matmul" in wanted:
        default = child("matmul", {}, drop=mkl)["ms"]
        avx2 = child("matmul", {"MKL_DEBUG_CPU_TYPE": "5", "MKL_CBWR": "AUTO,STRICT"})["ms"]
        print("matmul [256,256]x[256,1024], 1 thread: MKL default %.2f ms, "
              "MKL_DEBUG_CPU_TYPE=5 %.2f ms (%.1fx)" % (default, avx2, default / avx2))
    if "cbwr" in wanted:
        from paddlehub_lite.utils.cpu import MKL_CPU_TYPE_ENV, MKL_REPRODUCIBILITY_ENV, \
            apply_math_library_defaults
        package = {}
        apply_math_library_defaults(package)
        cpu_type = {k: v for k, v in package.items() if k == MKL_CPU_TYPE_ENV}
        for probe in ("matmul", "lstm"):
            off = child(probe, cpu_type, drop=mkl)["ms"]
            on = child(probe, package, drop=mkl)["ms"]
            print("%s with %s: MKL_CBWR unset %.2f ms, %s=%s %.2f ms (%.2fx)"
                  % (probe, cpu_type or "MKL's own dispatch", off, MKL_REPRODUCIBILITY_ENV,
                     package[MKL_REPRODUCIBILITY_ENV], on, on / off))
    if "max-vs-pool" in wanted:
        r = child("max-vs-pool", {"OMP_NUM_THREADS": "1"})
        print("max over time of [32,128,128], forward + backward: paddle.max %.1f ms, "
              "adaptive_max_pool1d %.1f ms (%.0fx)" % (r["max_ms"], r["pool_ms"],
                                                       r["max_ms"] / r["pool_ms"]))
    if "omp" in wanted:
        one = child("omp", {"OMP_NUM_THREADS": "1"})["steps_per_s"]
        two = child("omp", {"OMP_NUM_THREADS": "2"})["steps_per_s"]
        print("GRU training step, 2 Paddle threads: OMP_NUM_THREADS=1 %.1f steps/s, "
              "OMP_NUM_THREADS=2 %.1f steps/s (%.1fx slower)" % (one, two, one / two))
    if "jieba-ports" in wanted:
        r = child("jieba-ports", {})
        print("segmentation of %d ChnSentiCorp train texts, one process: jieba %.0f texts/s, "
              "jieba_fast_dat %.0f texts/s; identical segmentations: %d"
              % (r["texts"], r["jieba_texts_per_s"], r["jieba_fast_dat_texts_per_s"],
                 r["identical"]))


if __name__ == "__main__":
    main()
