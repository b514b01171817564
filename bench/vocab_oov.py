"""Out-of-vocabulary rate on ChnSentiCorp dev for vocabularies of several sizes built from a
pretraining corpus, and for the shipped module's vocabulary (chooses ``--vocab-size``).

    python bench/vocab_oov.py --work-dir WORK [--sizes 30000 40000 50000 60000] \
        [--compare NAME=VOCAB ...]

WORK is a pretraining work dir whose ``segmented.txt`` exists (``hub-lite pretrain-elmo`` writes
it first; its held-out lines are left out of the counts as pretraining does). Prints, per
vocabulary: its size, the share of dev word tokens that map to <UNK>, and the share of dev
word types that do.
"""
import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import paddlehub_lite as hub  # noqa: E402
from paddlehub_lite.zoo.elmo.pretrain import ELMoPretrainer, PretrainConfig  # noqa: E402
from paddlehub_lite.reader.segmenter import get_segmenter  # noqa: E402
from paddlehub_lite.reader.vocab import Vocab  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared",
                    "data", "chnsenticorp")


def oov(vocab: Vocab, dev_tokens):
    tokens = [t for sent in dev_tokens for t in sent]
    types = set(tokens)
    return (sum(t not in vocab for t in tokens) / len(tokens),
            sum(t not in vocab for t in types) / len(types))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[30000, 40000, 50000, 60000])
    parser.add_argument("--min-freq", type=int, default=3)
    parser.add_argument("--data", default=DATA)
    parser.add_argument("--compare", nargs="*", default=[],
                        help="NAME=VOCAB_FILE: other vocabularies to report (default: the shipped "
                             "module's)")
    args = parser.parse_args()
    import machine  # bench/machine.py, beside this script
    machine.announce()  # which CPU these figures came from
    trainer = ELMoPretrainer(PretrainConfig(corpus_files=[], work_dir=args.work_dir))
    train_tokens, _ = trainer.split_heldout(trainer.segmented_corpus())
    counts = collections.Counter(t for sent in train_tokens for t in sent)
    dev = hub.dataset.ChnSentiCorp(base_path=args.data).get_dev_examples()
    dev_tokens = get_segmenter("jieba").segment_many([ex.text_a for ex in dev])
    others = [item.split("=", 1) for item in args.compare] or [
        ("shipped module %s" % hub.Module(name="elmo").version,
         hub.Module(name="elmo").get_vocab_path())]
    print("corpus: %d sentences, %d words, %d distinct" % (len(train_tokens), sum(counts.values()),
                                                          len(counts)))
    print("| vocabulary | size | dev tokens <UNK> | dev word types <UNK> |")
    print("|---|---|---|---|")
    for name, path in others:
        vocab = Vocab.load(path)
        tok, typ = oov(vocab, dev_tokens)
        print("| %s | %d | %.2f%% | %.2f%% |" % (name, len(vocab), 100 * tok, 100 * typ))
    ordered = [t for t, c in counts.most_common() if c >= args.min_freq]
    for size in args.sizes:
        vocab = Vocab({t: i for i, t in enumerate(["<S>", "</S>", "<UNK>"] + ordered[:size - 3])})
        tok, typ = oov(vocab, dev_tokens)
        print("| new corpus, top %d (min count %d) | %d | %.2f%% | %.2f%% |"
              % (size, args.min_freq, len(vocab), 100 * tok, 100 * typ))


if __name__ == "__main__":
    main()
