"""The TSV formats a dataset's files come in, one reader each; ``BaseNLPDataset`` picks one
per file (``format_for``) and every reader checks rows with ``tsv.py``'s primitives (errors
name the file and line):

============================  ==========================================================
``NamedColumns``              a header naming the columns: ``text_a``, optional ``text_b``,
                              ``label`` (any order: ChnSentiCorp's ``label<TAB>text_a``)
``Positional``                no header (or one naming no ``text_a``): ``text_a<TAB>label``
                              (text+label) or ``text_a<TAB>text_b<TAB>label`` (text pair);
                              predict files without the label
``MultiLabel``                ``multi_label.py``: ``text_a<TAB><label 1><TAB>...``, 0/1 values
============================  ==========================================================
"""
from typing import List, Optional, Sequence

from paddlehub_lite.dataset import multi_label
from paddlehub_lite.dataset.tsv import InputExample, check_fields, header_columns, \
    make_example, read_named_columns, read_tsv_rows


class NamedColumns:
    """Columns named by the file's header.

    Args:
        required: the names the header must have besides ``text_a`` (default: ``label``
            in labelled splits).
    """

    def __init__(self, required: Sequence[str] = ()):
        self.required = tuple(required)

    def read(self, path: str, phase: str, labels: Optional[List[str]]) -> List[InputExample]:
        columns = header_columns(path)
        missing = [n for n in ("text_a",) + self.required if n not in (columns or {})]
        if missing:
            raise ValueError("%s:1: the header must name the columns %s; it names no %s"
                             % (path, ", ".join(("text_a",) + self.required),
                                ", ".join(missing)))
        return read_named_columns(path, phase, columns, labels)


class Positional:
    """Columns by position: ``text_a[, text_b], label`` (predict: ``text_a[, text_b]``).

    Args:
        with_header: the first line is a header to skip (default False).
    """

    def __init__(self, with_header: bool = False):
        self.with_header = with_header

    def read(self, path: str, phase: str, labels: Optional[List[str]]) -> List[InputExample]:
        examples: List[InputExample] = []
        ncol = None
        for line_no, fields in read_tsv_rows(path, self.with_header):
            if ncol is None:
                ncol = len(fields)
                allowed = (1, 2) if phase == "predict" else (2, 3)
                if ncol not in allowed:
                    raise ValueError("%s:%d: a %s file has %s columns, this row has %d"
                                     % (path, line_no, phase, " or ".join(map(str, allowed)),
                                        ncol))
            check_fields(path, line_no, fields, ncol)
            if phase == "predict":
                text_a, text_b, label = fields[0], (fields[1] if ncol == 2 else None), None
            else:
                text_a, text_b, label = fields[0], (fields[1] if ncol == 3 else None), fields[-1]
            examples.append(make_example(path, line_no, len(examples), text_a, text_b, label,
                                         labels))
        return examples


class MultiLabel:
    """The multi-label format (``multi_label.py``); its header names the labels."""

    def read(self, path: str, phase: str, labels: Optional[List[str]]) -> List[InputExample]:
        return multi_label.read_examples(path, labels)


def format_for(path: str, phase: str, with_header: bool, is_multi_label: bool):
    """The reader of one file of a ``BaseNLPDataset``: multi-label for its labelled splits,
    named columns when the header names ``text_a``, else positional."""
    if is_multi_label and phase != "predict":
        return MultiLabel()
    if with_header and header_columns(path) is not None:
        return NamedColumns()
    return Positional(with_header)
