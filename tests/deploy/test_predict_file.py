"""``hub-lite predict`` as a user runs it: a real process on real files."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from ..conftest import REPO


def _hub_lite(args, home, cwd):
    env = dict(os.environ, PADDLEHUB_LITE_HOME=home,
               PYTHONPATH=os.pathsep.join([REPO] + sys.path))
    return subprocess.run([sys.executable, "-m", "paddlehub_lite.cli"] + args, cwd=str(cwd),
                          env=env, capture_output=True, text=True, timeout=300)


def test_txt_gives_one_aligned_line_per_input_line(trained, tmp_path):
    task, ckpt, _, home = trained
    texts = ["房间很干净，服务很好", "", "太差了\t再也不来", "！！！", "一般"]
    path = tmp_path / "texts.txt"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = _hub_lite(["predict", "--checkpoint_dir", ckpt, "--input", str(path),
                        "--output", str(out)], home, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in rows] == texts
    expected = task.predict(texts, return_result=True)
    for row, want in zip(rows, expected):
        assert row["label"] == want["label"]
        np.testing.assert_allclose(list(row["probabilities"].values()),
                                   list(want["probabilities"].values()), atol=1e-5)
    # without --output: the same lines on stdout
    stdout = _hub_lite(["predict", "--checkpoint_dir", ckpt, "--input", str(path)], home,
                       tmp_path)
    assert stdout.returncode == 0 and [json.loads(x)["text"] for x in
                                       stdout.stdout.splitlines()] == texts


def test_labelled_tsv_prints_accuracy_and_report(trained, tmp_path):
    task, ckpt, data, home = trained
    rows = open(os.path.join(data, "test.tsv"), encoding="utf-8").read().splitlines()[1:]
    path = tmp_path / "eval.tsv"     # the user's column order: text first, then label
    path.write_text("text_a\tlabel\n" + "".join("%s\t%s\n" % (r.split("\t")[1], r.split("\t")[0])
                                                for r in rows), encoding="utf-8")
    report_path = tmp_path / "report.json"
    result = _hub_lite(["predict", "--checkpoint_dir", ckpt, "--input", str(path), "--output",
                        str(tmp_path / "out.jsonl"), "--report", str(report_path)], home,
                       tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(report_path.read_text())
    with open(os.path.join(ckpt, "report_test.json")) as handle:
        finetune_report = json.load(handle)       # the same best model on the same test rows
    assert report["confusion_matrix"] == finetune_report["confusion_matrix"]
    assert "accuracy = %.6f (60 examples)" % report["accuracy"] in result.stderr
    assert "macro avg" in result.stderr


@pytest.mark.parametrize("content, message", [
    (b"good line\n\xff\xfebad line\n", ":2: invalid UTF-8"),
])
def test_invalid_utf8_names_the_line(trained, tmp_path, content, message):
    _, ckpt, _, home = trained
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    out = tmp_path / "out.jsonl"
    result = _hub_lite(["predict", "--checkpoint_dir", ckpt, "--input", str(path), "--output",
                        str(out)], home, tmp_path)
    assert result.returncode == 2
    assert str(path) + message in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()                     # nothing half-written


def test_tsv_errors_name_file_and_line(trained, tmp_path):
    _, ckpt, _, home = trained
    no_text = tmp_path / "no_text.tsv"
    no_text.write_text("text\tlabel\n好\t1\n", encoding="utf-8")
    result = _hub_lite(["predict", "--checkpoint_dir", ckpt, "--input", str(no_text)], home,
                       tmp_path)
    assert result.returncode == 2 and "no_text.tsv:1: the header" in result.stderr
    unknown = tmp_path / "unknown.tsv"
    unknown.write_text("text_a\tlabel\n好\t1\n坏\tpositive\n", encoding="utf-8")
    result = _hub_lite(["predict", "--checkpoint_dir", ckpt, "--input", str(unknown)], home,
                       tmp_path)
    assert result.returncode == 2 and "unknown.tsv:3: label 'positive'" in result.stderr


def _cli(args, trained, capsys):
    """``hub-lite ARGS`` in this process: (exit code, stdout, stderr)."""
    from paddlehub_lite.cli import main
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_every_line_gets_a_result_trailing_empty_ones_too(trained, tmp_path, capsys,
                                                          monkeypatch):
    """Observed: 8 lines in by ``wc -l``, 6 results out (the trailing empty lines dropped)."""
    monkeypatch.setenv("PADDLEHUB_LITE_HOME", trained[3])
    path = tmp_path / "texts.txt"
    path.write_bytes("很好\n\n太差了\n\n\n".encode("utf-8"))             # wc -l: 5
    code, out, err = _cli(["predict", "--checkpoint_dir", trained[1], "--input", str(path)],
                          trained, capsys)
    assert code == 0, err
    assert [json.loads(x)["text"] for x in out.splitlines()] == ["很好", "", "太差了", "", ""]
    path.write_bytes("很好\n最后一行没有换行".encode("utf-8"))          # wc -l: 1, 2 lines
    code, out, err = _cli(["predict", "--checkpoint_dir", trained[1], "--input", str(path)],
                          trained, capsys)
    assert [json.loads(x)["text"] for x in out.splitlines()] == ["很好", "最后一行没有换行"]


def test_output_that_would_replace_the_input_or_is_a_directory_is_refused(trained, tmp_path,
                                                                          capsys, monkeypatch):
    """Observed: --output equal to --input silently replaced the texts with the results; an
    --output naming a directory printed a raw traceback."""
    monkeypatch.setenv("PADDLEHUB_LITE_HOME", trained[3])
    path = tmp_path / "texts.txt"
    path.write_text("很好\n太差了\n", encoding="utf-8")
    for output, message in ((str(path), "is the input file"),
                            (str(tmp_path / "." / "texts.txt"), "is the input file"),
                            (str(tmp_path), "is a directory")):
        code, out, err = _cli(["predict", "--checkpoint_dir", trained[1], "--input", str(path),
                               "--output", output], trained, capsys)
        assert code == 2 and err.startswith("hub-lite predict: error: ") and message in err, err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert path.read_text(encoding="utf-8") == "很好\n太差了\n"


def test_a_full_disk_is_one_error_line_and_leaves_nothing(trained, tmp_path, capsys,
                                                         monkeypatch):
    """A 4 KiB tmpfs as the output's disk: one error line, exit 2, no partial file."""
    monkeypatch.setenv("PADDLEHUB_LITE_HOME", trained[3])
    disk = tmp_path / "small"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail("cannot mount a tmpfs: %s" % mounted.stderr)
        pytest.skip("cannot mount a tmpfs here (needs root): %s" % mounted.stderr.strip())
    try:
        path = tmp_path / "texts.txt"
        path.write_text("\n".join(["这家酒店的房间很干净，服务也很周到"] * 200) + "\n",
                        encoding="utf-8")
        code, out, err = _cli(["predict", "--checkpoint_dir", trained[1], "--input", str(path),
                               "--output", str(disk / "out.jsonl")], trained, capsys)
        assert code == 2, err
        assert "No space left on device" in err and "Traceback" not in err, err
        assert os.listdir(disk) == []
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_explain_removing_the_top_word_lowers_the_label_s_probability(trained, tmp_path, capsys,
                                                                      monkeypatch):
    """hub-lite predict --explain; and the explanation holds up outside itself: deleting from
    the text the word with the largest contribution lowers the label's probability (measured by
    a plain prediction of the shorter text, not by the occlusion)."""
    monkeypatch.setenv("PADDLEHUB_LITE_HOME", trained[3])
    from ..conftest import CHNSENTICORP
    with open(os.path.join(CHNSENTICORP, "test.tsv"), encoding="utf-8") as handle:
        texts = [line.rstrip("\n").split("\t")[1][:60] for line in list(handle)[1:41]]
    path = tmp_path / "texts.txt"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    code, out, err = _cli(["predict", "--checkpoint_dir", trained[1], "--input", str(path),
                           "--explain"], trained, capsys)
    assert code == 0, err
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["text"] for r in rows] == texts
    for row in rows:                                  # the words (the segmenter drops spaces)
        assert "".join(w["word"] for w in row["words"]) == "".join(row["text"].split())
    row, word = max(((r, w) for r in rows for w in r["words"]),
                    key=lambda pair: pair[1]["contribution"])
    assert word["contribution"] > 0
    from paddlehub_lite.deploy import TextClassifier
    shorter = row["text"].replace(word["word"], "", 1)
    after = TextClassifier(trained[1]).predict([shorter])[0]["probabilities"][row["label"]]
    assert after < row["probabilities"][row["label"]], (row, word, after)
