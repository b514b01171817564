import pytest

from paddlehub_lite.dataset import BaseNLPDataset, InputExample


def _write(tmp_path, name, content, mode="w"):
    path = tmp_path / name
    if mode == "wb":
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return name


def test_input_example_str():
    assert str(InputExample(0, "好", label="1")) == "text=好\tlabel=1"
    assert "text_b=b" in str(InputExample(0, "a", "b", "1"))


def test_custom_dataset_two_and_three_columns(tmp_path):
    _write(tmp_path, "train.tsv", "text_a\tlabel\n很好\tpos\n很差\tneg\n")
    _write(tmp_path, "dev.tsv", "一般\tneg\n")
    _write(tmp_path, "test.tsv", "甲\t乙\tpos\n")
    _write(tmp_path, "predict.tsv", "好吗\n不好\n")
    ds = BaseNLPDataset(str(tmp_path), train_file="train.tsv", dev_file="dev.tsv",
                        test_file="test.tsv", predict_file="predict.tsv",
                        label_list=["neg", "pos"], train_file_with_header=True)
    train = ds.get_train_examples()
    assert [(e.guid, e.text_a, e.label) for e in train] == [(0, "很好", "pos"), (1, "很差", "neg")]
    assert ds.get_val_examples()[0].label == "neg"
    test = ds.get_test_examples()[0]
    assert (test.text_a, test.text_b, test.label) == ("甲", "乙", "pos")
    assert [e.text_a for e in ds.get_predict_examples()] == ["好吗", "不好"]
    assert ds.get_predict_examples()[0].label is None
    assert ds.num_labels == 2


def test_labels_from_label_file_or_train(tmp_path):
    _write(tmp_path, "train.tsv", "a\tz\nb\ty\n")
    _write(tmp_path, "labels.txt", "z\ny\nx\n")
    assert BaseNLPDataset(str(tmp_path), train_file="train.tsv",
                          label_file="labels.txt").get_labels() == ["z", "y", "x"]
    assert BaseNLPDataset(str(tmp_path), train_file="train.tsv").get_labels() == ["y", "z"]


def test_missing_split_is_empty(tmp_path):
    _write(tmp_path, "train.tsv", "a\t1\n")
    ds = BaseNLPDataset(str(tmp_path), train_file="train.tsv")
    assert ds.get_dev_examples() == [] and ds.get_test_examples() == []


@pytest.mark.parametrize("content, message", [
    ("好\t1\n坏\t0\textra\n", r"train.tsv:2: expected 2 tab-separated fields, got 3"),
    ("好\t1\n坏\n", r"train.tsv:2: expected 2 tab-separated fields, got 1"),
    ("好\t1\n坏\t2\n", r"train.tsv:2: label '2' is not in the label list"),
    ("好\t1\n\t0\n", r"train.tsv:2: empty text"),
    ("好\t1\n   \t0\n", r"train.tsv:2: empty text"),
    ("好\t1\n\n坏\t0\n", r"train.tsv:2: expected 2 tab-separated fields, got 1"),
    ("一\n", r"train.tsv:1: a train file has 2 or 3 columns"),
])
def test_malformed_rows_name_file_and_line(tmp_path, content, message):
    _write(tmp_path, "train.tsv", content)
    ds = BaseNLPDataset(str(tmp_path), train_file="train.tsv", label_list=["0", "1"])
    with pytest.raises(ValueError, match=message):
        ds.get_train_examples()


def test_invalid_utf8_names_line(tmp_path):
    _write(tmp_path, "dev.tsv", "好\t1\n".encode("utf-8") + b"\xff\xfe bad\t0\n", mode="wb")
    ds = BaseNLPDataset(str(tmp_path), dev_file="dev.tsv", label_list=["0", "1"])
    with pytest.raises(ValueError, match=r"dev.tsv:2: invalid UTF-8"):
        ds.get_dev_examples()


def test_missing_file_is_reported(tmp_path):
    ds = BaseNLPDataset(str(tmp_path), train_file="nope.tsv", label_list=["0"])
    with pytest.raises(FileNotFoundError, match="nope.tsv"):
        ds.get_train_examples()


def test_crlf_and_bom_are_tolerated(tmp_path):
    _write(tmp_path, "train.tsv", "\ufeff好\t1\r\n坏\t0\r\n")
    ds = BaseNLPDataset(str(tmp_path), train_file="train.tsv", label_list=["0", "1"])
    assert [(e.text_a, e.label) for e in ds.get_train_examples()] == [("好", "1"), ("坏", "0")]


def test_chnsenticorp_rejects_bad_row(tmp_path):
    from paddlehub_lite.dataset import ChnSentiCorp
    for name in ("train.tsv", "dev.tsv", "test.tsv"):
        _write(tmp_path, name, "label\ttext_a\n1\t好\n")
    _write(tmp_path, "test.tsv", "label\ttext_a\n1\t好\n3\t坏\n")
    ds = ChnSentiCorp(base_path=str(tmp_path))
    assert len(ds.get_train_examples()) == 1
    with pytest.raises(ValueError, match=r"test.tsv:3: label '3' is not in the label list"):
        ds.get_test_examples()


@pytest.mark.parametrize("content,problem", [
    (b"", "no examples"), (b"text_a\tlabel\n", "no examples"),
    (b"text_a\tlabel\r\xe5\xa5\xbd\t1\r\xe5\xb7\xae\t0\r", "CR"),
])
def test_a_train_file_without_examples_is_an_error(tmp_path, content, problem):
    """Observed: an empty or header-only train file (or one with CR-only line ends) gave a
    0-step "finished" run that then blocked training on the fixed data."""
    for name in ("train.tsv", "dev.tsv"):
        (tmp_path / name).write_bytes(content if name == "train.tsv" else b"text_a\tlabel\nok\t1\n")
    ds = BaseNLPDataset(str(tmp_path), train_file="train.tsv", dev_file="dev.tsv",
                        label_list=["0", "1"], train_file_with_header=True,
                        dev_file_with_header=True)
    with pytest.raises(ValueError, match=r"train\.tsv.*%s" % problem):
        ds.get_train_examples()


def _label_first(tmp_path, header):
    """A user's TSV in ChnSentiCorp's column order (label first), 60 rows."""
    rows = ["%d\t这是第%d条评论，写得%s" % (i % 2, i, "很好" if i % 2 else "很差")
            for i in range(60)]
    for name in ("train.tsv", "dev.tsv"):
        (tmp_path / name).write_text("\n".join(([header] if header else []) + rows) + "\n",
                                     encoding="utf-8")
    return BaseNLPDataset(str(tmp_path), train_file="train.tsv", dev_file="dev.tsv",
                          train_file_with_header=bool(header),
                          dev_file_with_header=bool(header))


def test_label_first_columns_named_by_the_header_are_read_by_name(tmp_path):
    """Found by reading the code: a label-first TSV without a label list made every text its
    own class (the labels were the distinct values of the last column)."""
    dataset = _label_first(tmp_path, "label\ttext_a")
    assert dataset.get_labels() == ["0", "1"]
    first = dataset.get_train_examples()[1]
    assert (first.label, first.text_a) == ("1", "这是第1条评论，写得很好")


def test_a_last_column_that_looks_like_text_is_refused(tmp_path):
    dataset = _label_first(tmp_path, None)
    with pytest.raises(ValueError, match=r"train\.tsv: 60 distinct labels in 60 rows"):
        dataset.get_labels()


@pytest.mark.parametrize("header,rows", [
    ("text_b\tlabel\ttext_a", ["乙\tpos\t甲", "丁\tneg\t丙"]),       # named, any order
    (None, ["甲\t乙\tpos", "丙\t丁\tneg"]),                          # positional text pair
])
def test_a_text_pair_is_read_by_name_or_by_position(tmp_path, header, rows):
    _write(tmp_path, "train.tsv", "\n".join(([header] if header else []) + rows) + "\n")
    ds = BaseNLPDataset(str(tmp_path), train_file="train.tsv",
                        train_file_with_header=bool(header))
    pairs = [(e.text_a, e.text_b, e.label) for e in ds.get_train_examples()]
    assert pairs == [("甲", "乙", "pos"), ("丙", "丁", "neg")]
    assert ds.get_labels() == ["neg", "pos"]


def test_chnsenticorp_files_need_their_header(tmp_path):
    from paddlehub_lite.dataset import ChnSentiCorp
    for name in ("train.tsv", "dev.tsv", "test.tsv"):
        _write(tmp_path, name, "1\t好\n0\t坏\n")           # label first, no header
    with pytest.raises(ValueError, match=r"train\.tsv:1: the header must name the columns "
                                         r"text_a, label"):
        ChnSentiCorp(base_path=str(tmp_path)).get_train_examples()
