"""A large, real text-classification set for measuring how costs grow with the data: each line
of five of the shared corpora, labelled by the file it came from (news sentences, news
headlines, customer-service questions, reviews and opinions, general text), deduplicated
across files, in ``BaseNLPDataset``'s TSV format (``text_a<TAB>label``, with a header).

    python bench/build_corpus.py --shared ../shared/data --out W/source5 [--seed 1]

Writes ``OUT/size_<N>/{train,dev,test}.tsv`` for N = 10,000, 30,000, 100,000, 300,000 and
"all" (every remaining line): dev and test are the same 2,000 + 2,000 lines for every size, and
each size's train is a prefix of the next one's (one seeded shuffle), so the sizes differ only
in how much training data they have. ``OUT/manifest.json`` records the counts per class and
file sizes. Never committed as data: the sets are rebuilt from ``../shared`` in a minute.

Dedupe: texts equal after NFKC normalisation and whitespace removal are one text (the first
file in SOURCES keeps it); texts of fewer than 4 characters are dropped. The sources' READMEs
(``zh_corpus/README.md``, ``zh_corpus_extra/README.md``) say where each line came from.
"""
import argparse
import json
import os
import random
import unicodedata

SOURCES = (("news", "zh_corpus/msra_news.txt"), ("headline", "zh_corpus/tnews_titles.txt"),
           ("question", "zh_corpus/afqmc_questions.txt"),
           ("review", "zh_corpus_extra/reviews.txt"), ("general", "zh_corpus_extra/general.txt"))
SIZES = (10000, 30000, 100000, 300000)
HELD_OUT = 2000          # dev, and again test


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def read_sources(shared: str):
    """[(text, label)], deduplicated in SOURCES order."""
    seen, rows = set(), []
    for label, rel in SOURCES:
        with open(os.path.join(shared, rel), encoding="utf-8") as handle:
            for line in handle:
                text = " ".join(line.split())
                key = _key(text)
                if len(key) < 4 or key in seen:
                    continue
                seen.add(key)
                rows.append((text, label))
    return rows


def write_tsv(path: str, rows) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write("text_a\tlabel\n")
        handle.writelines("%s\t%s\n" % row for row in rows)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                          "shared", "data"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = read_sources(args.shared)
    random.Random(args.seed).shuffle(rows)
    dev, test, pool = rows[:HELD_OUT], rows[HELD_OUT:2 * HELD_OUT], rows[2 * HELD_OUT:]
    manifest = {"seed": args.seed, "sources": dict(SOURCES), "sizes": {}}
    for size in list(SIZES) + ["all"]:
        train = pool if size == "all" else pool[:size]
        if size != "all" and len(pool) < size:
            continue
        directory = os.path.join(args.out, "size_%s" % size)
        os.makedirs(directory, exist_ok=True)
        for name, split in (("train", train), ("dev", dev), ("test", test)):
            write_tsv(os.path.join(directory, name + ".tsv"), split)
        counts = {}
        for _, label in train:
            counts[label] = counts.get(label, 0) + 1
        manifest["sizes"][str(size)] = {
            "train": len(train), "dev": len(dev), "test": len(test), "train_per_label": counts,
            "train_bytes": os.path.getsize(os.path.join(directory, "train.tsv"))}
        print("size %s: %d train texts %s" % (size, len(train), counts), flush=True)
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1)


if __name__ == "__main__":
    main()
