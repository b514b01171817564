"""A straightforward PyTorch implementation of the ELMo demo, as a competent PyTorch user would
write it: the same shipped biLM weights (frozen, run in every step), the same head and recipe,
shuffled padded batches. Bench-only: needs ``pip install torch`` (never a package dependency).

    python bench/torch_reference.py train --data ../shared/data/chnsenticorp --save M.pt
    python bench/torch_reference.py predict --data ../shared/data/chnsenticorp --load M.pt
    python bench/torch_reference.py check --data ../shared/data/chnsenticorp

``train``: training (dev after each epoch), test with the best-by-dev state, which is saved;
``predict``: batch and single-text prediction from raw text with a saved state; ``check``: the
largest difference between this biLM's layers and the Paddle module's on 64 test texts. Each
prints one JSON line (read by compare_pytorch.py).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F



class BiLM(nn.Module):
    """The shipped biLM (see paddlehub_lite/zoo/elmo/network.py), weights from weights.npz."""

    def __init__(self, weights, config):
        super().__init__()
        e, h, layers = config["embed_dim"], config["hidden_size"], config["num_layers"]
        self.layers = layers
        self.embeddings = nn.ModuleDict()
        for d in ("fw", "bw"):   # one shared table, or one per direction (module v2)
            shared = config.get("shared_embedding", True)
            name = "elmo_word_emb" if shared else "elmo_%s_word_emb" % d
            if d == "bw" and name == "elmo_word_emb":
                self.embeddings[d] = self.embeddings["fw"]
                continue
            self.embeddings[d] = nn.Embedding(config["vocab_size"], e)
            self.embeddings[d].weight.data = torch.from_numpy(weights[name].astype("float32"))
        self.lstms, self.projs = nn.ModuleDict(), nn.ModuleDict()
        for d in ("fw", "bw"):
            for k in range(1, layers + 1):
                p = "elmo_%s_l%d" % (d, k)
                lstm = nn.LSTM(e, h, batch_first=True)
                # Paddle's nn.LSTM and PyTorch's share the gate order (i, f, g, o) and layout.
                w = {k: torch.from_numpy(weights[p + k].astype("float32"))
                     for k in ("_w_ih", "_w_hh", "_b_ih", "_b_hh", "_proj_w")}
                lstm.weight_ih_l0.data, lstm.weight_hh_l0.data = w["_w_ih"], w["_w_hh"]
                lstm.bias_ih_l0.data, lstm.bias_hh_l0.data = w["_b_ih"], w["_b_hh"]
                proj = nn.Linear(h, e, bias=False)
                proj.weight.data = w["_proj_w"].t().contiguous()
                self.lstms["%s%d" % (d, k)], self.projs["%s%d" % (d, k)] = lstm, proj

    @staticmethod
    def reverse(x, lengths):
        t = torch.arange(x.size(1)).unsqueeze(0)
        idx = torch.where(t < lengths.unsqueeze(1), lengths.unsqueeze(1) - 1 - t, t)
        return x.gather(1, idx.unsqueeze(-1).expand_as(x))

    def forward(self, ids, lengths):
        mask = (ids != 0).float().unsqueeze(-1)
        embs = {d: self.embeddings[d](ids) * mask for d in ("fw", "bw")}
        reps = [torch.cat([embs["fw"], embs["bw"]], -1)]
        outs = {}
        for d in ("fw", "bw"):
            x = embs[d] if d == "fw" else self.reverse(embs[d], lengths)
            layers = []
            for k in range(1, self.layers + 1):
                packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True,
                                                           enforce_sorted=False)
                h, _ = self.lstms["%s%d" % (d, k)](packed)
                h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True,
                                                        total_length=x.size(1))
                out = self.projs["%s%d" % (d, k)](h)
                if k > 1:
                    out = out + x
                layers.append(out)
                x = out
            outs[d] = layers if d == "fw" else [self.reverse(o, lengths) for o in layers]
        for fw, bw in zip(outs["fw"], outs["bw"]):
            reps.append(torch.cat([fw, bw], -1))
        return torch.stack(reps, 2) * mask.unsqueeze(-1), mask


class Classifier(nn.Module):
    def __init__(self, bilm, vocab_size, elmo_dim, num_layers):
        super().__init__()
        self.bilm = bilm
        for p in self.bilm.parameters():
            p.requires_grad_(False)
        self.mix_w = nn.Parameter(torch.zeros(num_layers))
        self.gamma = nn.Parameter(torch.ones(1))
        self.word_emb = nn.Embedding(vocab_size, 128)
        nn.init.uniform_(self.word_emb.weight, -0.1, 0.1)
        # PaddleHub's fc(384) is the GRU's input projection (see paddlehub_lite/nets.py)
        self.gru = nn.GRU(elmo_dim + 128, 128, batch_first=True)
        for name, param in self.gru.named_parameters():
            (nn.init.xavier_uniform_ if name.startswith("weight") else nn.init.zeros_)(param)
        self.fc1 = nn.Linear(128, 96)
        self.out = nn.Linear(96, 2)
        nn.init.trunc_normal_(self.out.weight, std=0.02)
        nn.init.zeros_(self.out.bias)

    def forward(self, ids, lengths):
        with torch.no_grad():
            layers, mask = self.bilm(ids, lengths)
        weights = torch.softmax(self.mix_w + 1.0 / layers.size(2), 0)
        elmo = self.gamma * (layers * weights.view(1, 1, -1, 1)).sum(2) * mask
        x = torch.cat([elmo, self.word_emb(ids)], -1)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True,
                                                   enforce_sorted=False)
        h, _ = self.gru(packed)
        h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=x.size(1),
                                                padding_value=-1e4)
        feature = torch.tanh(self.fc1(torch.tanh(h.max(1).values)))
        return self.out(F.dropout(feature, 0.1, self.training))


def pad(batch):
    lengths = torch.tensor([len(s) for s in batch])
    ids = torch.zeros(len(batch), int(lengths.max()), dtype=torch.long)
    for i, s in enumerate(batch):
        ids[i, :len(s)] = torch.from_numpy(np.asarray(s, dtype="int64"))
    return ids, lengths


def evaluate(model, samples, batch_size=64):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(samples), batch_size):
            chunk = samples[i:i + batch_size]
            ids, lengths = pad([s[0] for s in chunk])
            pred = model(ids, lengths).argmax(-1).numpy()
            correct += int((pred == np.array([s[1] for s in chunk])).sum())
    return correct / len(samples)


class Reader:
    """Text -> word ids the way the Paddle side's ``LACClassifyReader`` does it (jieba's
    dictionary mode, whitespace tokens dropped, ``<UNK>`` for unknown words, at most
    ``max_seq_len`` words, an empty text as ``[<UNK>]``), written here so that the reference
    process never imports ``paddlehub_lite`` (whose import sets CPU environment defaults).
    ``check`` verifies that it gives the Paddle reader's ids."""

    def __init__(self, vocab_path, max_seq_len=128):
        import logging

        import jieba
        jieba.setLogLevel(logging.WARNING)
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        with open(vocab_path, encoding="utf-8") as handle:
            tokens = [line.rstrip("\r\n").split("\t")[0] for line in handle if line.strip()]
        self.vocab = {t: i for i, t in enumerate(tokens)}
        self.unk = self.vocab["<UNK>"]
        self.max_seq_len = max_seq_len

    def __len__(self):
        return len(self.vocab)

    def ids(self, text):
        words = [w for w in self.tokenizer.lcut(text, HMM=False) if not w.isspace()]
        return [self.vocab.get(w, self.unk) for w in words][:self.max_seq_len] or [self.unk]


def read_tsv(path):
    """ChnSentiCorp's ``label<TAB>text_a`` rows after the header: [(text, label)]."""
    with open(path, encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t", 1) for line in list(handle)[1:] if line.strip()]
    return [(text, int(label)) for label, text in rows]


def module_dir_of(args):
    return args.module_dir or os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "paddlehub_lite", "zoo", "elmo", "pretrained")


def load(args):
    """(reader, module_dir, model), without importing paddlehub_lite."""
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    module_dir = module_dir_of(args)
    with open(os.path.join(module_dir, "module.json"), encoding="utf-8") as handle:
        config = json.load(handle)["network"]
    with np.load(os.path.join(module_dir, "weights.npz"), allow_pickle=False) as data:
        weights = {k: data[k].astype("float32") for k in data.files}
    reader = Reader(os.path.join(module_dir, "assets", "vocab.txt"))
    model = Classifier(BiLM(weights, config), len(reader), 2 * config["embed_dim"],
                       config["num_layers"] + 1)
    return reader, module_dir, model


def samples(reader, args, split):
    return [(reader.ids(text), label)
            for text, label in read_tsv(os.path.join(args.data, split + ".tsv"))]


def train(args, reader, model):
    train_set, dev, test = (samples(reader, args, p) for p in ("train", "dev", "test"))
    no_decay = lambda n: n.endswith("bias")  # noqa: E731
    groups = [
        {"params": [model.word_emb.weight], "lr": args.learning_rate * 30,
         "weight_decay": args.weight_decay / 30},  # decay at the global rate, as PaddleHub
        {"params": [p for n, p in model.named_parameters() if p.requires_grad and
                    not n.startswith("word_emb") and not no_decay(n)],
         "weight_decay": args.weight_decay},
        {"params": [p for n, p in model.named_parameters() if p.requires_grad and no_decay(n)],
         "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=args.learning_rate)
    steps = args.num_epoch * ((len(train_set) + args.batch_size - 1) // args.batch_size)
    warmup = int(steps * args.warmup_proportion)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda t: t / warmup if t < warmup else 1 - min(t, steps) / steps)
    rng = np.random.default_rng(args.seed)
    best_dev, best_state, train_time, trained = -1.0, None, 0.0, 0
    for _ in range(args.num_epoch):
        model.train()
        order = rng.permutation(len(train_set))
        epoch_start = time.perf_counter()
        for i in range(0, len(order), args.batch_size):
            chunk = [train_set[j] for j in order[i:i + args.batch_size]]
            ids, lengths = pad([s[0] for s in chunk])
            loss = F.cross_entropy(model(ids, lengths), torch.tensor([s[1] for s in chunk]))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad],
                                           1.0)
            optimizer.step()
            schedule.step()
            trained += len(chunk)
        train_time += time.perf_counter() - epoch_start
        dev_acc = evaluate(model, dev)
        if dev_acc > best_dev:
            best_dev = dev_acc
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    torch.save(best_state, args.save)
    return {"side": "pytorch", "dev_acc": best_dev, "test_acc": evaluate(model, test),
            "train_examples": trained, "train_step_seconds": train_time}


def predict(args, reader, model):
    model.load_state_dict(torch.load(args.load))
    model.eval()
    texts = [text for text, _ in read_tsv(os.path.join(args.data, "test.tsv"))]
    size = args.predict_batch_size
    with torch.no_grad():
        model(*pad([reader.ids(t) for t in texts[:8]]))  # warm up
        t0 = time.perf_counter()
        ids = [reader.ids(t) for t in texts]
        for i in range(0, len(ids), size):
            model(*pad(ids[i:i + size]))
        batch_speed = len(texts) / (time.perf_counter() - t0)
        latencies = []
        for text in texts[:200]:
            t0 = time.perf_counter()
            model(*pad([reader.ids(text)]))
            latencies.append(time.perf_counter() - t0)
    return {"side": "pytorch", "predict_texts_per_second": batch_speed,
            "latency_p50_ms": 1000 * float(np.percentile(latencies, 50)),
            "latency_p99_ms": 1000 * float(np.percentile(latencies, 99)),
            "predict_batch_size": size, "threads": torch.get_num_threads()}


def check(args, reader, module_dir, model, checked=64):
    """The largest |difference| between this biLM's stacked layers and the Paddle module's on
    the first ``checked`` test texts, and on how many test texts this reader gives the Paddle
    reader's word ids (the one mode that imports paddlehub_lite; it is not timed)."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import paddlehub_lite as hub
    from paddlehub_lite.finetune.batching import pad_ids
    module = hub.Module(directory=module_dir)
    texts = [text for text, _ in read_tsv(os.path.join(args.data, "test.tsv"))]
    paddle_reader = hub.reader.LACClassifyReader(
        vocab_path=os.path.join(module_dir, "assets", "vocab.txt"), use_cache=False)
    paddle_ids = [s[0] for s in paddle_reader.get_samples("predict", texts)]
    same_ids = sum(list(a) == reader.ids(t) for a, t in zip(paddle_ids, texts))
    ids = pad_ids(paddle_ids[:checked], 0, 1 << 30)
    theirs = module.bilm_layers(ids)
    with torch.no_grad():
        ours, _ = model.bilm(torch.from_numpy(ids),
                             torch.tensor([len(i) for i in paddle_ids[:checked]]))
    return {"max_abs_diff": float(np.abs(ours.numpy() - theirs).max()),
            "max_abs_value": float(np.abs(theirs).max()),
            "reader_same_ids": same_ids, "reader_texts": len(texts)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["train", "predict", "check"])
    parser.add_argument("--data", required=True)
    parser.add_argument("--module_dir", default=None)
    parser.add_argument("--num_epoch", type=int, default=3)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--learning_rate", type=float, default=1e-3)
    parser.add_argument("--weight_decay", type=float, default=0.01)
    parser.add_argument("--warmup_proportion", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--predict_batch_size", type=int, default=32,
                        help="predict: texts per batch (the Paddle side's: the training batch)")
    parser.add_argument("--save", help="train: where the best state goes")
    parser.add_argument("--load", help="predict: the state train saved")
    args = parser.parse_args()
    reader, module_dir, model = load(args)
    if args.mode == "train":
        result = train(args, reader, model)
    elif args.mode == "predict":
        result = predict(args, reader, model)
    else:
        result = check(args, reader, module_dir, model)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
