"""Readers: ``hub.reader.LACClassifyReader`` and the pieces it is made of."""
from paddlehub_lite.reader.lac_classify_reader import LACClassifyReader
from paddlehub_lite.reader.segmenter import JiebaSegmenter, LACSegmenter, Segmenter
from paddlehub_lite.reader.vocab import Vocab

__all__ = ["JiebaSegmenter", "LACClassifyReader", "LACSegmenter", "Segmenter", "Vocab"]
