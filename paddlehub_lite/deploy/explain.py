"""Why this label: per-word contributions by occlusion.

For a text, the model's probability of its predicted label is computed again with each word
replaced by ``<UNK>``, all of the text's variants in one model call; a word's contribution is
how much the probability falls without it (negative: the label is more probable without the
word). The words are those the model saw: the reader's segmentation, cut at the model's
longest sequence. Single-label models only.
"""
from typing import Dict, List, Sequence

import numpy as np


def explain(classifier, texts: Sequence[str]) -> List[Dict]:
    """``classifier.predict(texts)``'s results, each with ``"words": [{"word",
    "contribution"}, ...]`` in text order (``classifier``: a ``TextClassifier``)."""
    if classifier.kind != "classifier":
        raise ValueError("explain is for single-label models; this one is %s" % classifier.kind)
    unk = classifier.reader.vocab.unk_id
    if unk is None:
        raise ValueError("explain needs a vocabulary with <UNK> to occlude words with")
    results = classifier.predict(texts)
    max_len = classifier.max_len
    explained = []
    for text, result in zip(texts, results):
        words = classifier.reader.segmenter.segment(text)[:max_len]
        contributions: List[float] = []
        if words:
            ids = np.array(classifier.reader.vocab.map_tokens(words), dtype="int64")
            variants = np.tile(ids, (len(ids) + 1, 1))          # row 0: the text itself
            variants[np.arange(1, len(ids) + 1), np.arange(len(ids))] = unk
            label = classifier.labels.index(result["label"])
            probs = classifier.ids_probabilities(variants)[:, label]
            contributions = [float(c) for c in probs[0] - probs[1:]]
        explained.append(dict(result, words=[{"word": w, "contribution": c}
                                             for w, c in zip(words, contributions)]))
    return explained
