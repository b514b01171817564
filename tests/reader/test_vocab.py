import pytest

from paddlehub_lite.reader.vocab import Vocab


def test_load_plain_and_with_ids(tmp_path):
    (tmp_path / "v.txt").write_text("<S>\n</S>\n<UNK>\n好\n的\n", encoding="utf-8")
    vocab = Vocab.load(str(tmp_path / "v.txt"))
    assert len(vocab) == 5 and vocab["好"] == 3 and vocab.unk_id == 2
    assert vocab.map_tokens(["好", "没见过", "的"]) == [3, 2, 4]
    (tmp_path / "w.txt").write_text("a\t10\nb\t3\n", encoding="utf-8")
    ids = Vocab.load(str(tmp_path / "w.txt"))
    assert ids["a"] == 10 and ids.size_for_embedding == 11
    assert ids.map_tokens(["a", "zzz", "b"]) == [10, 3]  # no <UNK>: dropped, as PaddleHub did


@pytest.mark.parametrize("content, message", [
    ("a\nb\na\n", r"v.txt:3: duplicate token 'a'"),
    ("a\tb\tc\n", r"v.txt:1: expected 'token' or 'token<TAB>id', got 3 fields"),
    ("a\nx\ty\n", r"v.txt:2: id 'y' is not an integer"),
    ("a\n\nb\n", r"v.txt:2: empty token"),
    ("", r"the vocabulary is empty"),
])
def test_malformed_vocab(tmp_path, content, message):
    (tmp_path / "v.txt").write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        Vocab.load(str(tmp_path / "v.txt"))


def test_build_and_save_roundtrip(tmp_path):
    vocab = Vocab.build([["好", "的", "好"], ["的", "好", "罕见"]], max_size=5, min_freq=2)
    assert list(vocab.keys()) == ["<S>", "</S>", "<UNK>", "好", "的"]
    vocab.save(str(tmp_path / "vocab.txt"))
    again = Vocab.load(str(tmp_path / "vocab.txt"))
    assert again.token_to_id == vocab.token_to_id
    assert again.fingerprint() == vocab.fingerprint()
