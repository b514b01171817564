"""Examples and datasets read from TSV files (PaddleHub 1.4's custom-dataset API).

Parsing is strict: a row with the wrong number of fields, a label not in the label list,
invalid UTF-8 or an empty text raises ``ValueError("<file>:<line>: <problem>")``. Nothing is
skipped silently.
"""
import os
from typing import Dict, List, Optional


class InputExample:
    """One example. ``label`` is a string from the dataset's label list (None when unlabelled).

    Args:
        guid: an identifier, the 0-based row number within its file here.
        text_a: the text.
        text_b: an optional second text (default None).
        label: the label string (default None).
    """

    __slots__ = ("guid", "text_a", "text_b", "label")

    def __init__(self, guid, text_a: str, text_b: Optional[str] = None,
                 label: Optional[str] = None):
        self.guid = guid
        self.text_a = text_a
        self.text_b = text_b
        self.label = label

    def __str__(self) -> str:
        if self.text_b is None:
            return "text={}\tlabel={}".format(self.text_a, self.label)
        return "text_a={}\ttext_b={}\tlabel={}".format(self.text_a, self.text_b, self.label)

    def __repr__(self) -> str:
        return "InputExample(guid=%r, text_a=%r, text_b=%r, label=%r)" % (
            self.guid, self.text_a, self.text_b, self.label)

    def __eq__(self, other) -> bool:
        return isinstance(other, InputExample) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__)


def read_lines(path: str, keep_trailing_empty: bool = False):
    """Yield ``(line_number, line)`` for every line of a UTF-8 text file (a BOM and CRLF line
    ends dropped); empty lines at the end only with ``keep_trailing_empty`` (then as many lines
    as ``wc -l`` counts, plus a last line without a newline). Invalid UTF-8 and CR-only line
    ends are a ``ValueError`` naming the file (and line)."""
    with open(path, "rb") as handle:
        data = handle.read()
    if b"\r" in data.rstrip(b"\r") and b"\n" not in data:
        raise ValueError("%s: lines end in CR only (old Mac line ends): convert them to LF or "
                         "CRLF" % path)
    raw_lines = data.split(b"\n")
    if keep_trailing_empty:
        if raw_lines[-1] == b"":      # the newline that ends the last line starts no line
            raw_lines.pop()
    else:
        while raw_lines and raw_lines[-1] in (b"", b"\r"):
            raw_lines.pop()
    for line_no, raw in enumerate(raw_lines, start=1):
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ValueError("%s:%d: invalid UTF-8 (byte %d)" % (path, line_no, err.start)) from None
        yield line_no, line[:-1] if line.endswith("\r") else line


def read_tsv_rows(path: str, with_header: bool):
    """Yield ``(line_number, fields)`` for every data row of a UTF-8 TSV file (no quoting, as
    PaddleHub's ``csv.reader(quotechar=None)``). Blank lines are an error, except at the end."""
    for line_no, line in read_lines(path):
        if line_no == 1 and with_header:
            continue
        yield line_no, line.split("\t")


class BaseNLPDataset:
    """A dataset of TSV files, PaddleHub 1.4 style.

    Labelled files have 2 columns ``text_a<TAB>label`` or 3 columns
    ``text_a<TAB>text_b<TAB>label``; the predict file has 1 or 2 columns (texts only). The
    column count is set by the file's first row and every row must match it.

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
                labels = {ex.label for ex in self._load("train", check_labels=False)}
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
                "predict": self.predict_file}[phase]
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
        """Rows -> examples, each label checked against ``labels`` when given. Subclasses
        with another column order override this."""
        if self.multi_label and phase != "predict":
            from paddlehub_lite.dataset.multi_label import read_examples
            return read_examples(path, labels)
        examples: List[InputExample] = []
        ncol = None
        for line_no, fields in read_tsv_rows(path, self.file_with_header[phase]):
            if ncol is None:
                ncol = len(fields)
                allowed = (1, 2) if phase == "predict" else (2, 3)
                if ncol not in allowed:
                    raise ValueError("%s:%d: a %s file has %s columns, this row has %d"
                                     % (path, line_no, phase, " or ".join(map(str, allowed)), ncol))
            check_fields(path, line_no, fields, ncol)
            if phase == "predict":
                text_a, text_b, label = fields[0], (fields[1] if ncol == 2 else None), None
            else:
                text_a, text_b, label = fields[0], (fields[1] if ncol == 3 else None), fields[-1]
            examples.append(make_example(path, line_no, len(examples), text_a, text_b, label, labels))
        return examples

    def __str__(self) -> str:
        return "Dataset: %s with %d train examples, %d dev examples and %d test examples" % (
            type(self).__name__, len(self.get_train_examples()), len(self.get_dev_examples()),
            len(self.get_test_examples()))


def check_fields(path: str, line_no: int, fields: List[str], expected: int) -> None:
    if len(fields) != expected:
        raise ValueError("%s:%d: expected %d tab-separated fields, got %d"
                         % (path, line_no, expected, len(fields)))


def make_example(path: str, line_no: int, guid: int, text_a: str, text_b: Optional[str],
                 label: Optional[str], labels: Optional[List[str]] = None) -> InputExample:
    """An example from one row, or ValueError naming the file and line."""
    if not text_a.strip():
        raise ValueError("%s:%d: empty text" % (path, line_no))
    if text_b is not None and not text_b.strip():
        raise ValueError("%s:%d: empty text_b" % (path, line_no))
    if label is not None and not label.strip():
        raise ValueError("%s:%d: empty label" % (path, line_no))
    if labels is not None and label not in labels:
        raise ValueError("%s:%d: label %r is not in the label list %s"
                         % (path, line_no, label, labels))
    return InputExample(guid=guid, text_a=text_a, text_b=text_b, label=label)
