"""The TSV primitives every dataset format reads with: ``InputExample``, line and row
readers (UTF-8, BOM, CRLF; errors name the file and line) and the checks of one row."""
from typing import List, Optional


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


def header_columns(path: str) -> Optional[dict]:
    """``{name: index}`` when the file's first line names a ``text_a`` column (and so is a
    header of named columns), else None."""
    for _, line in read_lines(path):
        names = [n.strip() for n in line.split("\t")]
        if "text_a" not in names:
            return None
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError("%s:1: the header names %s twice" % (path, ", ".join(duplicated)))
        return {name: k for k, name in enumerate(names)}
    return None


def read_named_columns(path: str, phase: str, columns: dict,
                       labels: Optional[List[str]]) -> List[InputExample]:
    """The examples of a file whose header names its columns (``header_columns``); a
    labelled split needs a ``label`` column."""
    if phase != "predict" and "label" not in columns:
        raise ValueError("%s:1: the header names no 'label' column" % path)
    examples: List[InputExample] = []
    for line_no, fields in read_tsv_rows(path, with_header=True):
        check_fields(path, line_no, fields, len(columns))
        text_b = fields[columns["text_b"]] if "text_b" in columns else None
        label = fields[columns["label"]] if phase != "predict" else None
        examples.append(make_example(path, line_no, len(examples), fields[columns["text_a"]],
                                     text_b, label, labels))
    return examples
