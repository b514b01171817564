"""Examples and datasets read from TSV files (PaddleHub 1.4's custom-dataset API).

Parsing is strict: a row with the wrong number of fields, a label not in the label list,
invalid UTF-8 or an empty text raises ``ValueError("<file>:<line>: <problem>")``. Nothing is
skipped silently.
"""
import os
from typing import Dict, List, Optional

from paddlehub_lite.dataset.formats import format_for
from paddlehub_lite.dataset.tsv import InputExample, read_tsv_rows  # noqa: F401 (API)


class BaseNLPDataset:
    """A dataset of TSV files, PaddleHub 1.4 style.

    Labelled files have 2 columns ``text_a<TAB>label`` or 3 columns
    ``text_a<TAB>text_b<TAB>label``; the predict file has 1 or 2 columns (texts only). The
    column count is set by the file's first row and every row must match it. A file with a
    header that names its columns ``label``, ``text_a`` (and ``text_b``) is read by those
    names, in any order (ChnSentiCorp's ``label<TAB>text_a`` too).

    Args:
        base_path: the directory holding the files.
        train_file / dev_file / test_file / predict_file: file names under base_path
            (default None: that split is empty).
        label_file: a file with one label per line (default None).
        label_list: the labels, in class-index order (default None). When neither this nor
            label_file is given, the labels are the distinct labels of the train file, sorted.
        train_file_with_header / dev_file_with_header / test_file_with_header /
            predict_file_with_header: skip the first line of that file (default False).
        multi_label: the files are multi-label TSVs (default False): a header
            ``text_a<TAB>label1<TAB>label2...`` naming the labels, then one 0/1 column per
            label (``dataset/multi_label.py``); ``label_list`` defaults to the train header's
            names and each example's ``label`` is the tuple of its 0/1 values. For
            ``MultiLabelClassifierTask``.
    """

    def __init__(self, base_path: str, train_file: Optional[str] = None,
                 dev_file: Optional[str] = None, test_file: Optional[str] = None,
                 predict_file: Optional[str] = None, label_file: Optional[str] = None,
                 label_list: Optional[List[str]] = None, train_file_with_header: bool = False,
                 dev_file_with_header: bool = False, test_file_with_header: bool = False,
                 predict_file_with_header: bool = False, multi_label: bool = False):
        self.base_path = base_path
        self.train_file = train_file
        self.dev_file = dev_file
        self.test_file = test_file
        self.predict_file = predict_file
        self.label_file = label_file
        self.label_list = list(label_list) if label_list is not None else None
        self.multi_label = multi_label
        self.file_with_header = {"train": train_file_with_header, "dev": dev_file_with_header,
                                 "test": test_file_with_header, "predict": predict_file_with_header}
        self._examples: Dict[str, List[InputExample]] = {}

    def describe(self) -> Dict:
        """What a trained model records about its data (JSON): enough for
        ``dataset_from_description`` to open the same files again."""
        from paddlehub_lite.utils.download import sha256_file
        test_path = self._path(self.test_file) if self.test_file else None
        return {"class": type(self).__name__, "base_path": os.path.abspath(self.base_path),
                "train_file": self.train_file, "dev_file": self.dev_file,
                "test_file": self.test_file, "label_list": self.get_labels(),
                "file_with_header": dict(self.file_with_header),
                "multi_label": self.multi_label,
                # which test split the model was scored on (run_predict.sh checks it)
                "test_sha256": sha256_file(test_path) if test_path and os.path.isfile(test_path)
                else None}

    # ----- labels -----------------------------------------------------------------------------
    def get_labels(self) -> List[str]:
        if self.label_list is None:
            if self.label_file:
                self.label_list = self._read_label_file(self._path(self.label_file))
            elif self.multi_label and self.train_file:
                from paddlehub_lite.dataset.multi_label import read_header
                self.label_list = read_header(self._path(self.train_file))
            elif self.train_file:
                examples = self._load("train", check_labels=False)
                labels = {ex.label for ex in examples}
                if len(labels) > 50 and len(labels) > len(examples) // 2:
                    raise ValueError(
                        "%s: %d distinct labels in %d rows: the last column looks like text, "
                        "not a label. A label-first file (ChnSentiCorp's order) needs a header "
                        "naming its columns ('label<TAB>text_a') and *_file_with_header=True; "
                        "or give label_list" % (self._path(self.train_file), len(labels),
                                                len(examples)))
                self.label_list = sorted(labels)
            else:
                raise ValueError("%s: no label_list, label_file or train_file to take labels from"
                                 % type(self).__name__)
        return self.label_list

    @property
    def num_labels(self) -> int:
        return len(self.get_labels())

    @staticmethod
    def _read_label_file(path: str) -> List[str]:
        labels = []
        for line_no, fields in read_tsv_rows(path, with_header=False):
            label = "\t".join(fields).strip()
            if not label:
                raise ValueError("%s:%d: empty label" % (path, line_no))
            if label in labels:
                raise ValueError("%s:%d: duplicate label %r" % (path, line_no, label))
            labels.append(label)
        if not labels:
            raise ValueError("%s: the label file is empty" % path)
        return labels

    # ----- splits -----------------------------------------------------------------------------
    def get_train_examples(self) -> List[InputExample]:
        return self._load("train")

    def get_dev_examples(self) -> List[InputExample]:
        return self._load("dev")

    def get_val_examples(self) -> List[InputExample]:
        return self.get_dev_examples()

    def get_test_examples(self) -> List[InputExample]:
        return self._load("test")

    def get_predict_examples(self) -> List[InputExample]:
        return self._load("predict")

    def split_path(self, phase: str) -> Optional[str]:
        """The file behind a phase ("train", "dev", "test", "predict"), or None."""
        name = {"train": self.train_file, "dev": self.dev_file, "test": self.test_file,
                "val": self.dev_file, "predict": self.predict_file}.get(phase)
        return self._path(name) if name else None

    def _path(self, name: str) -> str:
        return os.path.join(self.base_path, name)

    def _load(self, phase: str, check_labels: bool = True) -> List[InputExample]:
        if phase in self._examples:
            return self._examples[phase]
        path = self.split_path(phase)
        if path is None:
            return []
        if not os.path.isfile(path):
            raise FileNotFoundError("%s file not found: %s" % (phase, path))
        labels = self.get_labels() if check_labels and phase != "predict" else None
        examples = self._read_file(path, phase, labels)
        if phase == "train" and not examples:
            raise ValueError("%s: no examples (the file is empty or has only a header)" % path)
        if phase == "predict" or labels is not None:  # unchecked reads are not cached
            self._examples[phase] = examples
        return examples

    def _read_file(self, path: str, phase: str, labels: Optional[List[str]]) -> List[InputExample]:
        """Rows -> examples, each label checked against ``labels`` when given, by the reader
        of the file's format (``formats.py``)."""
        return self.format_for(path, phase).read(path, phase, labels)

    def format_for(self, path: str, phase: str):
        """The reader of one of the dataset's files (``formats.format_for``); a dataset with
        a fixed format overrides this."""
        return format_for(path, phase, self.file_with_header[phase], self.multi_label)

    def __str__(self) -> str:
        return "Dataset: %s with %d train examples, %d dev examples and %d test examples" % (
            type(self).__name__, len(self.get_train_examples()), len(self.get_dev_examples()),
            len(self.get_test_examples()))
