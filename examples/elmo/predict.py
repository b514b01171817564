"""Predict with the finetuned classifier: prints one ``text<TAB>label<TAB>probability`` line per
text (the probability of that label), then the accuracy on the test split of the data the model
was trained on, naming the file. Everything it needs is recorded in the checkpoint's best model
(the labels, the vocab, the module, the dataset and its test file's sha256), so no other flag
is needed. A test file other than the recorded one (another copy, the data directory gone) is
refused; ``--test_file`` scores a labelled TSV of your choice (``text_a`` and ``label`` columns).

    python predict.py --checkpoint_dir ./ckpt_chnsenticorp [--input_file texts.txt]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from paddlehub_lite.utils.quiet import quiet_known_warnings  # noqa: E402

quiet_known_warnings()  # before Paddle is imported: only warnings nobody can act on

from paddlehub_lite.deploy import TextClassifier  # noqa: E402

DATA = [
    "这家酒店的位置很好，交通方便，房间干净整洁，服务员态度也很热情，下次还会再来。",
    "房间又小又暗，隔音很差，晚上根本睡不着，前台的服务态度也很冷淡，非常失望。",
    "这台笔记本电脑外观漂亮，运行速度快，电池也很耐用，性价比很高。",
    "买回来不到一个星期屏幕就坏了，联系客服也没有人处理，再也不会买这个牌子了。",
    "这本书的内容很一般，翻了几页就看不下去了。",
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint_dir", type=str, required=True,
                        help="the directory elmo_finetune.py wrote")
    parser.add_argument("--input_file", type=str, default=None,
                        help="predict these texts (one per line) instead of the 5 samples")
    parser.add_argument("--batch_size", type=int, default=None,
                        help="texts per model call (default: the training batch size)")
    parser.add_argument("--no_test_accuracy", action="store_true",
                        help="skip the accuracy on the test split")
    parser.add_argument("--test_file", type=str, default=None,
                        help="score this labelled TSV (a header naming text_a and label) "
                             "instead of the test split recorded with the model")
    parser.add_argument("--use_gpu", type=str, default=None,
                        help="accepted for PaddleHub compatibility; prediction runs on the CPU")
    args = parser.parse_args(argv)
    classifier = TextClassifier(args.checkpoint_dir, batch_size=args.batch_size,
                                segment_workers=os.cpu_count() or 1)
    data = DATA
    if args.input_file:
        with open(args.input_file, encoding="utf-8") as handle:
            data = [line.rstrip("\n") for line in handle]
    for text, result in zip(data, classifier.predict(data)):   # one result per text, in order
        print("%s\t%s\t%.4f" % (text, result["label"], result["probabilities"][result["label"]]))
    if args.no_test_accuracy:
        return
    if args.test_file:
        from paddlehub_lite.deploy.predict_file import read_input
        texts, labels, _ = read_input(args.test_file)
        if labels is None:
            raise SystemExit("predict.py: error: %s has no label column" % args.test_file)
        path = args.test_file
    else:
        path, texts, labels = recorded_test_split(classifier)
        if path is None:
            return
    predicted = classifier.predict(texts)
    accuracy = np.mean([p["label"] == label for p, label in zip(predicted, labels)])
    print("accuracy = %f (%d test examples, %s)" % (accuracy, len(texts), path))


def recorded_test_split(classifier):
    """(path, texts, labels) of the test split the model was trained with, checked against its
    recorded sha256; (None, None, None) when none was recorded (a message says so)."""
    from paddlehub_lite.utils.download import sha256_file
    dataset = classifier.dataset()
    recorded = classifier.description["dataset"] or {}
    if dataset is None or not dataset.test_file:
        print("no test split recorded with the model: accuracy skipped")
        return None, None, None
    path = os.path.join(dataset.base_path, dataset.test_file)
    if recorded.get("test_sha256") and sha256_file(path) != recorded["test_sha256"]:
        raise SystemExit("predict.py: error: %s is not the test split the model was trained "
                         "with (recorded: %s, sha256 %s...): give --test_file FILE to score a "
                         "file anyway" % (path, recorded["test_file"],
                                          recorded["test_sha256"][:12]))
    examples = dataset.get_test_examples()
    return path, [ex.text_a for ex in examples], [ex.label for ex in examples]


if __name__ == "__main__":
    main()
