"""ELMo throughput on this machine: feature extraction (forward only, batch 32) and
pretraining (forward + backward + update of both language models), in corpus tokens/s, side by
side: one process with 2 threads (``--directions both``, shared embedding; the v1 recipe) and
two one-thread processes (``--directions split``), each with ``--batch-tokens`` and
``--num-sampled`` as given; then one language model in this process on one thread (the work of
one split process) with the softmax bias folded into the logits product (the code) and, for
comparison, added by broadcasting as before (``BroadcastBias``).

    python bench/elmo_throughput.py [--module-dir DIR] [--pretrain-steps 200]
"""
import argparse
import os
import sys
import tempfile
import time


sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import paddlehub_lite as hub  # noqa: E402
from paddlehub_lite.finetune.batching import eval_batches, pad_ids  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared",
                    "data")


def feature_extraction(module, texts, batch_size=32):
    import paddle
    paddle.enable_static()
    reader = hub.reader.LACClassifyReader(vocab_path=module.get_vocab_path(), use_cache=False)
    ids = [s[0] for s in reader.get_samples("predict", texts)]
    batches = eval_batches([len(x) for x in ids], batch_size)
    module.bilm_layers(pad_ids([ids[i] for i in batches[0]], 0, 1 << 30))  # build + warm up
    start = time.perf_counter()
    tokens = 0
    for batch in batches:
        padded = pad_ids([ids[i] for i in batch], 0, 1 << 30)
        module.bilm_layers(padded)
        tokens += sum(len(ids[i]) for i in batch)
    return tokens / (time.perf_counter() - start)


def broadcast_bias_pretrainer():
    """``ELMoPretrainer`` with the softmax layer as it was before: ``h @ W.T + b``, the bias
    added by broadcasting (whose backward was ~20% of a step)."""
    import paddle
    from paddlehub_lite.zoo.elmo.pretrain import ELMoPretrainer

    class BroadcastBias(ELMoPretrainer):
        @staticmethod
        def _logits(hidden, weight, bias):
            return paddle.matmul(hidden, weight, transpose_y=True) + bias
    return BroadcastBias


def pretraining(module, steps, directions, batch_tokens, num_sampled, trainer_class=None):
    """Corpus tokens/s of ``steps`` pretraining steps on msra_news (both language models;
    with ``split`` the slower of the two processes; ``fw`` one language model, one thread)."""
    from paddlehub_lite.zoo.elmo.pretrain import ELMoPretrainer, PretrainConfig
    from paddlehub_lite.zoo.elmo.pretrain_split import SplitPretrainer
    net = module.bilm_config
    with tempfile.TemporaryDirectory() as work:
        config = PretrainConfig(
            corpus_files=[os.path.join(ROOT, "zh_corpus", "msra_news.txt")], work_dir=work,
            vocab_size=net.vocab_size, embed_dim=net.embed_dim, hidden_size=net.hidden_size,
            num_layers=net.num_layers, num_sampled=num_sampled, batch_tokens=batch_tokens,
            epochs=1.0, max_steps=steps, eval_every=10 ** 9, heldout_every=1000, heldout_max=10,
            directions=directions, threads=1 if directions == "fw" else 2)
        trainer_class = trainer_class or (SplitPretrainer if directions == "split"
                                          else ELMoPretrainer)
        record = trainer_class(config).run()
    return record["tokens_per_second"], record["step"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--module-dir", default=None, help="default: the shipped module")
    parser.add_argument("--texts", type=int, default=2000, help="ChnSentiCorp texts to embed")
    parser.add_argument("--pretrain-steps", type=int, default=200)
    parser.add_argument("--batch-tokens", type=int, default=4096)
    parser.add_argument("--num-sampled", type=int, default=2048)
    args = parser.parse_args()
    import machine  # bench/machine.py, beside this script
    machine.announce()  # which CPU these figures came from
    module = hub.Module(directory=args.module_dir) if args.module_dir else hub.Module(name="elmo")
    dataset = hub.dataset.ChnSentiCorp(base_path=os.path.join(ROOT, "chnsenticorp"))
    texts = [ex.text_a for ex in dataset.get_train_examples()[: args.texts]]
    extract = feature_extraction(module, texts)
    print("ELMo feature extraction (forward, batch 32): %.0f tokens/s" % extract)
    for directions, label in (("both", "one process, 2 threads, shared embedding"),
                              ("split", "two processes, 1 thread each")):
        speed, steps = pretraining(module, args.pretrain_steps, directions, args.batch_tokens,
                                   args.num_sampled)
        print("biLM pretraining, %s (%d steps, batch %d tokens, %d candidates): %.0f corpus "
              "tokens/s" % (label, steps, args.batch_tokens, args.num_sampled, speed))
    for trainer_class, label in ((None, "softmax bias folded into the product (the code)"),
                                 (broadcast_bias_pretrainer(), "softmax bias added by "
                                  "broadcasting (before)")):
        speed, steps = pretraining(module, args.pretrain_steps, "fw", args.batch_tokens,
                                   args.num_sampled, trainer_class)
        print("one language model, 1 thread, %s (%d steps): %.0f tokens/s" % (label, steps, speed))


if __name__ == "__main__":
    main()
