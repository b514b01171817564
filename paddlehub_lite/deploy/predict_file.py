"""``hub-lite predict``: classify a file with a trained model.

Input: a ``.tsv`` with a header naming a ``text_a`` column and, optionally, a ``label`` column
(then the accuracy and the evaluation report are printed too), or any other file as plain text,
one text per line (an empty line is an empty text: every line gets its result). Output: JSON
Lines aligned 1:1 with the input's texts, ``{"text", "label", "probabilities": {label: p}}``,
to ``--output`` (written under a temporary name and renamed when complete) or to stdout.
"""
import json
import sys
from typing import List, Optional, Tuple

from paddlehub_lite.dataset.tsv import read_lines as base_read_lines, read_tsv_rows
from paddlehub_lite.finetune import report as report_lib
from paddlehub_lite.utils.atomic import atomic_file

CHUNK = 1024   # texts per call of the classifier (the progress bar moves per chunk)


def read_lines(path: str) -> List[str]:
    """Every line of a text file, as ``wc -l`` counts them (plus a last line without a newline):
    empty lines included, at the end too. Invalid UTF-8 is a ``ValueError`` naming the line."""
    return [line for _, line in base_read_lines(path, keep_trailing_empty=True)]


def read_input(path: str) -> Tuple[List[str], Optional[List[str]], List[int]]:
    """(texts, labels or None, line numbers). Invalid UTF-8, a TSV without ``text_a`` or a
    row with the wrong number of fields is a ``ValueError`` naming the file and line."""
    if not path.endswith(".tsv"):
        texts = read_lines(path)
        return texts, None, list(range(1, len(texts) + 1))
    with open(path, "rb") as handle:
        first = handle.readline().decode("utf-8", errors="replace").rstrip("\r\n")
    header = first.lstrip("\ufeff").split("\t")
    if "text_a" not in header:
        raise ValueError("%s:1: the header %r has no text_a column (a .tsv needs a header "
                         "naming text_a and optionally label)" % (path, first))
    text_col = header.index("text_a")
    label_col = header.index("label") if "label" in header else None
    texts, labels, lines = [], [] if label_col is not None else None, []
    for line_no, fields in read_tsv_rows(path, with_header=True):
        if len(fields) != len(header):
            raise ValueError("%s:%d: %d fields, the header has %d" % (path, line_no, len(fields),
                                                                       len(header)))
        texts.append(fields[text_col])
        lines.append(line_no)
        if labels is not None:
            labels.append(fields[label_col])
    return texts, labels, lines


def classify(classifier, texts: List[str], progress: bool = True,
             explain: bool = False) -> List[dict]:
    """The classifier's results for ``texts``, in order, with a progress bar on a terminal
    (``explain``: with each word's contribution, ``TextClassifier.explain``)."""
    from tqdm import tqdm
    results = []
    call = classifier.explain if explain else classifier.predict
    with tqdm(total=len(texts), desc="predict", unit="text", file=sys.stderr,
              disable=None if progress else True) as bar:
        for start in range(0, len(texts), CHUNK):
            chunk = texts[start:start + CHUNK]
            results.extend(call(chunk))
            bar.update(len(chunk))
    return results


def check_labels(path: str, labels: List[str], lines: List[int], names: List[str]) -> None:
    """Every label of the file is one of the model's, or a ``ValueError`` naming the line."""
    known = set(names)
    for line_no, label in zip(lines, labels):
        if label not in known:
            raise ValueError("%s:%d: label %r is not one of the model's labels %s"
                             % (path, line_no, label, names))


def evaluate(labels: List[str], results: List[dict], names: List[str]) -> dict:
    """The evaluation report of ``results`` against the file's (checked) ``labels``."""
    import numpy as np
    index = {name: i for i, name in enumerate(names)}
    probs = np.array([[r["probabilities"][n] for n in names] for r in results])
    return report_lib.classification_report(np.array([index[x] for x in labels]), probs, names)


def run(checkpoint_dir: str, input_path: str, output: Optional[str] = None,
        batch_size: Optional[int] = None, report_path: Optional[str] = None,
        backend: str = "auto", explain: bool = False) -> int:
    """The command: returns the exit code."""
    from paddlehub_lite.deploy.classifier import TextClassifier
    from paddlehub_lite.utils.log import logger
    check_output(input_path, output)
    check_output(input_path, report_path)
    texts, labels, lines = read_input(input_path)
    classifier = TextClassifier(checkpoint_dir, batch_size=batch_size, segment_workers=2,
                                backend=backend).load()
    if labels is not None:
        if classifier.kind != "classifier":
            raise ValueError("%s: a label column is evaluated only for single-label models"
                             % input_path)
        check_labels(input_path, labels, lines, classifier.labels)
    results = classify(classifier, texts, explain=explain)
    rows = [dict({"text": text}, **result) for text, result in zip(texts, results)]
    if output:
        with atomic_file(output, "w", encoding="utf-8") as handle:
            _write_jsonl(handle, rows)
        logger.info("%d predictions written to %s", len(rows), output)
    else:
        _write_jsonl(sys.stdout, rows)
    if labels is not None:
        result = evaluate(labels, results, classifier.labels)
        print("accuracy = %.6f (%d examples)\n%s" % (result["accuracy"], result["support"],
                                                      report_lib.format_report(result)),
              file=sys.stderr)
        if report_path:
            with atomic_file(report_path, "w", encoding="utf-8") as handle:
                json.dump(result, handle, indent=1, ensure_ascii=False)
    return 0


def check_output(input_path: str, output: Optional[str]) -> None:
    """A ``ValueError`` when ``output`` would replace the input or is a directory (checked
    before any work: the input is the user's, and nothing is half done)."""
    import os
    if not output:
        return
    if os.path.isdir(output):
        raise ValueError("%s is a directory: give a file to write" % output)
    if os.path.exists(output) and os.path.samefile(output, input_path):
        raise ValueError("%s is the input file: writing the results there would replace the "
                         "texts; give another file" % output)


def _write_jsonl(handle, rows) -> None:
    for row in rows:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
