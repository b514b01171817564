"""The multi-label TSV format of ``BaseNLPDataset(multi_label=True)``:

    text_a<TAB>toxic<TAB>spam<TAB>...      a header: text_a, then the label names
    这是一条评论<TAB>0<TAB>1                  one 0/1 column per label

Every file of the dataset has the header (dev and test must name the same labels in the same
order as train); an example's ``label`` is the tuple of its 0/1 values in label order.
"""
from typing import List, Optional, Tuple

from paddlehub_lite.dataset.tsv import InputExample, check_fields, make_example, read_tsv_rows


def read_header(path: str) -> List[str]:
    """The label names of a multi-label file's header."""
    for line_no, fields in read_tsv_rows(path, with_header=False):
        if fields[0] != "text_a" or len(fields) < 2:
            raise ValueError("%s:%d: a multi-label file starts with the header text_a<TAB>"
                             "<label 1><TAB>...; got %r" % (path, line_no, "\t".join(fields)))
        names = fields[1:]
        if len(set(names)) != len(names) or not all(n.strip() for n in names):
            raise ValueError("%s:%d: label names must be distinct and non-empty: %s"
                             % (path, line_no, names))
        return names
    raise ValueError("%s: the file is empty (a multi-label file needs a header)" % path)


def read_examples(path: str, labels: Optional[List[str]]) -> List[InputExample]:
    """The examples of one file, checked against ``labels`` (the train header) when given."""
    names = read_header(path)
    if labels is not None and names != list(labels):
        raise ValueError("%s:1: the header's labels %s differ from the dataset's %s"
                         % (path, names, list(labels)))
    examples = []
    for line_no, fields in read_tsv_rows(path, with_header=True):
        check_fields(path, line_no, fields, len(names) + 1)
        example = make_example(path, line_no, len(examples), fields[0], None, None)
        example.label = _flags(path, line_no, fields[1:], names)
        examples.append(example)
    return examples


def _flags(path: str, line_no: int, values: List[str], names: List[str]) -> Tuple[int, ...]:
    for name, value in zip(names, values):
        if value not in ("0", "1"):
            raise ValueError("%s:%d: label %r must be 0 or 1, got %r"
                             % (path, line_no, name, value))
    return tuple(int(v) for v in values)
