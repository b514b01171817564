import os

import numpy as np
import pytest

import paddlehub_lite as hub
from paddlehub_lite.reader.segmenter import JiebaSegmenter

from ..conftest import CHNSENTICORP

WORDS = ["<S>", "</S>", "<UNK>", "，", "的", "。", "酒店", "很", "好", "不错", "房间", "服务"]


@pytest.fixture
def vocab_path(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(WORDS) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def dataset():
    return hub.dataset.ChnSentiCorp(base_path=CHNSENTICORP)


def test_predict_is_aligned_for_awkward_texts(vocab_path, tmp_path):
    reader = hub.reader.LACClassifyReader(vocab_path=vocab_path, cache_dir=str(tmp_path / "c"))
    texts = ["酒店很好", "", "   ", "！！！。。", "zzz qqq", "房间" * 50000, "服务不错", ["酒店", "很好"]]
    samples = reader.get_samples("predict", data=texts)
    assert len(samples) == len(texts)
    unk = WORDS.index("<UNK>")
    ids = [s[0].tolist() for s in samples]
    assert ids[0] == [6, 7, 8]
    assert ids[1] == [unk] and ids[2] == [unk]          # empty texts stay, as one <UNK>
    assert len(ids[3]) >= 1 and 5 in ids[3]             # punctuation-only: "。" is known
    assert set(ids[4]) == {unk}                         # OOV words become <UNK>, not dropped
    assert ids[5] == [10] * 128                         # 100,000 characters, truncated
    assert ids[6] == [11, 9]
    assert ids[7] == [6, 7, 8]                          # PaddleHub 1.6 style [[text_a, ...]]
    assert reader.get_num_examples("predict") == len(texts)
    batches = list(reader.data_generator(batch_size=3, phase="predict", data=texts)())
    assert [len(b) for b in batches] == [3, 3, 2]
    flat = [s[0].tolist() for b in batches for s in b]
    assert flat == ids                                   # order kept across batches


def test_max_seq_len(vocab_path):
    reader = hub.reader.LACClassifyReader(vocab_path=vocab_path, max_seq_len=2, use_cache=False)
    assert reader.get_samples("predict", ["酒店很好很好"])[0][0].tolist() == [6, 7]
    with pytest.raises(ValueError, match="max_seq_len"):
        hub.reader.LACClassifyReader(vocab_path=vocab_path, max_seq_len=0)


def test_phases_counts_and_labels(vocab_path, dataset, tmp_path):
    reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=vocab_path,
                                          cache_dir=str(tmp_path / "c"))
    assert reader.get_num_examples("val") == 1200
    assert reader.get_num_examples("dev") == 1200
    assert reader.get_num_examples("test") == 1200
    assert reader.get_num_examples("train") == 9600
    dev = reader.get_samples("dev")
    assert len(dev) == 1200
    assert [label for _, label in dev[:5]] == [int(ex.label) for ex in dataset.get_dev_examples()[:5]]
    assert all(1 <= len(ids) <= 128 for ids, _ in dev)
    with pytest.raises(ValueError, match="unknown phase"):
        reader.get_samples("training")


def test_train_reshuffles_each_pass_dev_keeps_order(vocab_path, dataset, tmp_path):
    reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=vocab_path,
                                          cache_dir=str(tmp_path / "c"), seed=3)
    gen = reader.data_generator(batch_size=32, phase="train")
    first = [s[0].tolist() for b in gen() for s in b]
    second = [s[0].tolist() for b in gen() for s in b]
    assert len(first) == len(second) == 9600
    assert first != second and sorted(map(tuple, first)) == sorted(map(tuple, second))
    dev_gen = reader.data_generator(batch_size=100, phase="val")
    assert [s[1] for b in dev_gen() for s in b] == [s[1] for b in dev_gen() for s in b]


def test_old_argument_order(vocab_path, dataset):
    reader = hub.reader.LACClassifyReader(vocab_path, dataset)
    assert reader.dataset is dataset and reader.vocab_path == vocab_path


def test_predict_without_dataset_only(vocab_path):
    reader = hub.reader.LACClassifyReader(vocab_path=vocab_path)
    with pytest.raises(ValueError, match="needs a dataset"):
        reader.get_samples("train")


class CountingSegmenter(JiebaSegmenter):
    calls = 0

    def segment_many(self, texts, processes=1):
        CountingSegmenter.calls += len(texts)
        return super().segment_many(texts, processes=1)


def test_disk_cache_hit_on_second_run(vocab_path, dataset, tmp_path):
    cache = str(tmp_path / "cache")
    CountingSegmenter.calls = 0
    first = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=vocab_path, cache_dir=cache,
                                         segmenter=CountingSegmenter())
    a = first.get_samples("test")
    segmented = CountingSegmenter.calls
    assert segmented > 1000                     # distinct test texts were segmented once
    first.get_samples("test")
    assert CountingSegmenter.calls == segmented  # in-memory hit
    assert len(os.listdir(cache)) == 1
    second = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=vocab_path, cache_dir=cache,
                                          segmenter=CountingSegmenter())
    b = second.get_samples("test")
    assert CountingSegmenter.calls == segmented  # disk hit: nothing segmented again
    assert all(np.array_equal(x[0], y[0]) and x[1] == y[1] for x, y in zip(a, b))
    # A different vocab is a different key: the cache is not reused wrongly.
    other = tmp_path / "other.txt"
    other.write_text("\n".join(WORDS + ["不"]) + "\n", encoding="utf-8")
    hub.reader.LACClassifyReader(dataset=dataset, vocab_path=str(other), cache_dir=cache,
                                 segmenter=CountingSegmenter()).get_samples("test")
    assert CountingSegmenter.calls == 2 * segmented
    assert len(os.listdir(cache)) == 2


def test_damaged_cache_entry_is_a_miss(vocab_path, dataset, tmp_path):
    cache = tmp_path / "cache"
    reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=vocab_path, cache_dir=str(cache))
    good = reader.get_samples("dev")
    (entry,) = os.listdir(cache)
    (cache / entry).write_bytes(b"not an npz")
    again = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=vocab_path,
                                         cache_dir=str(cache)).get_samples("dev")
    assert all(np.array_equal(x[0], y[0]) for x, y in zip(good, again))
