"""How much arithmetic a bundle's prediction is, and the machine's fp32 limit for it: the
denominator of "fraction of the arithmetic limit" in compare_pytorch.py's prediction table.

    python bench/arithmetic.py --bundle DIR [--data ../shared/data/chnsenticorp] [--json]

Multiply-adds: every recurrent node of the bundle's ONNX models (``LSTM``, ``GRU``) costs
``gates * hidden * (input + hidden)`` per direction and word, every ``MatMul`` against a
weight matrix ``K x N`` costs ``K * N`` per word (an upper bound: the head's fully connected
layers after pooling run once per text, not per word; they are < 1% of the total), summed
over the words the reader gives each test text. Element-wise work (activations, the gate
arithmetic) is left out, so the count is a lower bound of the work.

The limit: ONNX Runtime's own fp32 ``MatMul`` of two 1024 x 1024 matrices on every core
this process may use (best of 20): what this machine's cores deliver on the most favourable
dense fp32 work, measured rather than taken from a datasheet.
"""
import argparse
import json
import os
import time

import numpy as np

GATES = {"LSTM": 4, "GRU": 3}


def macs_per_word(onnx_path: str) -> int:
    """Multiply-adds per word of one ONNX model (see the module docstring)."""
    import onnx
    model = onnx.load(onnx_path)
    shapes = {init.name: tuple(init.dims) for init in model.graph.initializer}
    total = 0
    for node in model.graph.node:
        if node.op_type in GATES:                      # W: [directions, gates*H, input]
            directions, gates_h, inputs = shapes[node.input[1]]
            hidden = gates_h // GATES[node.op_type]
            total += directions * gates_h * (inputs + hidden)
        elif node.op_type == "MatMul" and node.input[1] in shapes:
            dims = shapes[node.input[1]]
            total += int(np.prod(dims[-2:]))
    return total


def peak_gflops(threads: int, size: int = 1024, repeats: int = 20) -> float:
    """ONNX Runtime's fp32 MatMul of two ``size`` x ``size`` matrices, GFLOP/s (2 per
    multiply-add), best of ``repeats``."""
    import onnxruntime
    from onnx import TensorProto, helper
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["c"])], "matmul",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [size, size]) for n in "ab"],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, [size, size])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    session = onnxruntime.InferenceSession(model.SerializeToString(), options,
                                           providers=["CPUExecutionProvider"])
    a = np.random.default_rng(0).standard_normal((size, size)).astype("float32")
    feed = {"a": a, "b": a}
    session.run(None, feed)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        session.run(None, feed)
        best = min(best, time.perf_counter() - start)
    return 2 * size ** 3 / best / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundle", required=True, help="a bundle with ONNX models")
    parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                       "shared", "data", "chnsenticorp"))
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()
    from paddlehub_lite.deploy import TextClassifier
    per_word = sum(macs_per_word(os.path.join(args.bundle, name))
                   for name in sorted(os.listdir(args.bundle)) if name.endswith(".onnx"))
    with open(os.path.join(args.data, "test.tsv"), encoding="utf-8") as handle:
        texts = [line.rstrip("\n").split("\t", 1)[1] for line in list(handle)[1:]
                 if line.strip()]
    classifier = TextClassifier(args.bundle, backend="onnx").load()
    words = sum(min(len(s[0]), classifier.max_len)
                for s in classifier.reader.get_samples("predict", texts))
    threads = len(os.sched_getaffinity(0))
    result = {"macs": per_word * words, "texts": len(texts), "words": words,
              "macs_per_word": per_word, "peak_gflops": peak_gflops(threads),
              "how": "%d words x %.2f M per word: LSTM/GRU gates and weight MatMuls"
                     % (words, per_word / 1e6),
              "peak_how": "ONNX Runtime MatMul 1024x1024, %d threads, best of 20" % threads}
    print(json.dumps(result) if args.json else
          "%.1f M multiply-adds for %d texts (%s); fp32 limit %.1f GFLOP/s (%s): at most %.0f "
          "texts/s" % (result["macs"] / 1e6, len(texts), result["how"], result["peak_gflops"],
                       result["peak_how"],
                       result["peak_gflops"] * 1e9 / 2 / (result["macs"] / len(texts))))


if __name__ == "__main__":
    main()
