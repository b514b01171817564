"""ELMo throughput on this machine: feature extraction (forward only, batch 32) and
pretraining (forward + backward + update, both directions), in tokens/s.

    python bench/elmo_throughput.py [--module-dir DIR] [--pretrain-steps 30]
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


def pretraining(module, steps):
    from paddlehub_lite.modules.elmo.pretrain import ELMoPretrainer, PretrainConfig
    net = module.bilm_config
    info = module.manifest.get("info", {}).get("pretraining", {})
    with tempfile.TemporaryDirectory() as work:
        config = PretrainConfig(
            corpus_files=[os.path.join(ROOT, "zh_corpus", "msra_news.txt")], work_dir=work,
            vocab_size=net.vocab_size, embed_dim=net.embed_dim, hidden_size=net.hidden_size,
            num_layers=net.num_layers, num_sampled=info.get("num_sampled", 2048),
            batch_tokens=info.get("batch_tokens", 2048), epochs=1.0, max_steps=steps,
            eval_every=10 ** 9, heldout_every=1000, heldout_max=10)
        record = ELMoPretrainer(config).run()
    return record["tokens_per_second"], record["step"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--module-dir", default=None, help="default: the shipped module")
    parser.add_argument("--texts", type=int, default=2000, help="ChnSentiCorp texts to embed")
    parser.add_argument("--pretrain-steps", type=int, default=30)
    args = parser.parse_args()
    module = hub.Module(directory=args.module_dir) if args.module_dir else hub.Module(name="elmo")
    dataset = hub.dataset.ChnSentiCorp(base_path=os.path.join(ROOT, "chnsenticorp"))
    texts = [ex.text_a for ex in dataset.get_train_examples()[: args.texts]]
    extract = feature_extraction(module, texts)
    print("ELMo feature extraction (forward, batch 32): %.0f tokens/s" % extract)
    pretrain, steps = pretraining(module, args.pretrain_steps)
    print("biLM pretraining (both directions, %d steps): %.0f tokens/s" % (steps, pretrain))


if __name__ == "__main__":
    main()
