"""Text corpus -> language-model batches for biLM pretraining.

Input files are plain text, one sentence per line, or TSV files with a header row whose
``text_a`` column is taken (ChnSentiCorp's format). Sentences are segmented with the same
segmenter as the reader, so pretraining and finetuning see the same words.
"""
import os
import time
from typing import Iterator, List, Sequence, Tuple

import numpy as np

from paddlehub_lite.reader.segmenter import get_segmenter
from paddlehub_lite.reader.vocab import BOS, EOS, Vocab
from paddlehub_lite.utils.atomic import atomic_file
from paddlehub_lite.utils.cpu import usable_cores
from paddlehub_lite.utils.log import logger

IGNORE_INDEX = -100


def read_corpus_lines(path: str) -> List[str]:
    """Non-empty lines of a text file, or the ``text_a`` column of a TSV with a header."""
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    if path.endswith(".tsv"):
        header = lines[0].split("\t")
        if "text_a" not in header:
            raise ValueError("%s:1: TSV header has no 'text_a' column: %r" % (path, lines[0]))
        column = header.index("text_a")
        texts = []
        for line_no, line in enumerate(lines[1:], start=2):
            if not line:
                continue
            fields = line.split("\t")
            if len(fields) != len(header):
                raise ValueError("%s:%d: expected %d fields, got %d"
                                 % (path, line_no, len(header), len(fields)))
            texts.append(fields[column])
        return texts
    return [line.strip() for line in lines if line.strip()]


def chunk(ids: Sequence[int], max_len: int) -> List[List[int]]:
    """Split a long sentence into windows of at most ``max_len`` tokens."""
    return [list(ids[i:i + max_len]) for i in range(0, len(ids), max_len)] if ids else []


def make_batches(sentences: Sequence[Sequence[int]], batch_tokens: int, rng: np.random.Generator,
                 max_batch: int = 256) -> List[List[int]]:
    """Group sentence indices of similar length so that each batch holds ~batch_tokens tokens."""
    lengths = np.array([len(s) for s in sentences])
    order = np.argsort(lengths + rng.random(len(lengths)), kind="stable")
    batches, current, current_max = [], [], 0
    for idx in order:
        n = int(lengths[idx])
        if current and (max(current_max, n) * (len(current) + 1) > batch_tokens
                        or len(current) >= max_batch):
            batches.append(current)
            current, current_max = [], 0
        current.append(int(idx))
        current_max = max(current_max, n)
    if current:
        batches.append(current)
    rng.shuffle(batches)
    return batches


def lm_arrays(batch: Sequence[Sequence[int]], vocab: Vocab, pad_id: int) -> Tuple[np.ndarray, ...]:
    """Padded ids plus forward / backward targets for one batch.

    For a sentence w_1..w_n the forward LM at position t predicts w_{t+1} (``</S>`` after the
    last word) and the backward LM predicts w_{t-1} (``<S>`` before the first); padded
    positions get IGNORE_INDEX.
    """
    bos, eos = vocab[BOS], vocab[EOS]
    size = len(batch)
    max_len = max(len(s) for s in batch)
    ids = np.full((size, max_len), pad_id, dtype="int64")
    fw = np.full((size, max_len), IGNORE_INDEX, dtype="int64")
    bw = np.full((size, max_len), IGNORE_INDEX, dtype="int64")
    lengths = np.zeros(size, dtype="int64")
    for row, sent in enumerate(batch):
        n = len(sent)
        ids[row, :n] = sent
        fw[row, :n - 1] = sent[1:]
        fw[row, n - 1] = eos
        bw[row, 1:n] = sent[:n - 1]
        bw[row, 0] = bos
        lengths[row] = n
    return ids, lengths, fw, bw


def sample_candidates(fw: np.ndarray, bw: np.ndarray, vocab_size: int, num_sampled: int,
                      rng: np.random.Generator, directions: Sequence[str] = ("fw", "bw")
                      ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The softmax candidates of one batch: every target of the trained ``directions`` in it
    plus uniform negatives.

    Returns (candidate ids, fw targets, bw targets) with targets re-indexed into the
    candidate list. Frequent words are in almost every batch, so they compete with each other
    every step; rare words compete with the sampled negatives.
    """
    wanted = {"fw": fw, "bw": bw}
    targets = np.concatenate([wanted[d][wanted[d] != IGNORE_INDEX] for d in directions])
    present = np.unique(targets)
    extra = max(0, num_sampled - len(present))
    if extra:
        negatives = rng.choice(vocab_size, size=min(vocab_size, extra + len(present)), replace=False)
        negatives = np.setdiff1d(negatives, present, assume_unique=False)[:extra]
        candidates = np.concatenate([present, negatives])
    else:
        candidates = present
    local = np.full(vocab_size, IGNORE_INDEX, dtype="int64")
    local[candidates] = np.arange(len(candidates))

    def remap(t):
        out = np.full_like(t, IGNORE_INDEX)
        keep = t != IGNORE_INDEX
        out[keep] = local[t[keep]]
        return out

    return candidates.astype("int64"), remap(fw), remap(bw)


def iter_token_files(paths: Sequence[str]) -> Iterator[str]:
    for path in paths:
        if not os.path.isfile(path):
            raise FileNotFoundError("corpus file not found: %s" % path)
        yield path


def segmented(corpus_files: Sequence[str], cache_path: str, segmenter: str = "jieba"
              ) -> List[List[str]]:
    """The sentences of ``corpus_files`` as word lists, segmented once (on every core) and
    cached in ``cache_path`` (one sentence a line, words separated by spaces)."""
    if os.path.exists(cache_path):
        with open(cache_path, encoding="utf-8") as handle:
            token_lists = [line.split(" ") if line else []
                           for line in handle.read().split("\n")[:-1]]
        logger.info("Loaded %d segmented sentences from %s", len(token_lists), cache_path)
        return token_lists
    texts = []
    for path in iter_token_files(corpus_files):
        lines = read_corpus_lines(path)
        logger.info("Corpus %s: %d sentences", path, len(lines))
        texts.extend(lines)
    start = time.time()
    token_lists = get_segmenter(segmenter).segment_many(texts,
                                                        processes=usable_cores())
    logger.info("Segmented %d sentences in %.1fs", len(texts), time.time() - start)
    with atomic_file(cache_path, "w", encoding="utf-8") as handle:
        for tokens in token_lists:
            handle.write(" ".join(tokens) + "\n")
    return token_lists


def split_heldout(token_lists: List[List[str]], every: int, at_most: int):
    """(train, held-out) word lists: every ``every``-th sentence, at most ``at_most``, is held
    out; empty sentences are dropped."""
    heldout_idx = set(range(0, len(token_lists), every)[:at_most])
    train = [t for i, t in enumerate(token_lists) if i not in heldout_idx and t]
    heldout = [token_lists[i] for i in sorted(heldout_idx) if token_lists[i]]
    return train, heldout
