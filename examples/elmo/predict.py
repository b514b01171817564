"""Predict with the finetuned ELMo classifier; prints one ``text<TAB>predict=<label>`` line per
text, then the accuracy on ChnSentiCorp's test split (computed from the best model).

    python predict.py --checkpoint_dir ./ckpt_chnsenticorp
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from paddlehub_lite.utils.quiet import quiet_known_warnings  # noqa: E402

quiet_known_warnings()  # before Paddle is imported: only warnings nobody can act on

from elmo_demo_net import add_common_args, build  # noqa: E402

DATA = [
    "这家酒店的位置很好，交通方便，房间干净整洁，服务员态度也很热情，下次还会再来。",
    "房间又小又暗，隔音很差，晚上根本睡不着，前台的服务态度也很冷淡，非常失望。",
    "这台笔记本电脑外观漂亮，运行速度快，电池也很耐用，性价比很高。",
    "买回来不到一个星期屏幕就坏了，联系客服也没有人处理，再也不会买这个牌子了。",
    "这本书的内容很一般，翻了几页就看不下去了。",
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch_size", type=int, default=32, help="default 32")
    parser.add_argument("--input_file", type=str, default=None,
                        help="predict these texts (one per line) instead of the 5 samples")
    parser.add_argument("--no_test_accuracy", action="store_true",
                        help="skip the accuracy on the test split")
    add_common_args(parser)
    args = parser.parse_args(argv)
    if args.checkpoint_dir is None:
        parser.error("--checkpoint_dir is required: the directory elmo_finetune.py wrote")
    task, dataset = build(args)
    data = DATA
    if args.input_file:
        with open(args.input_file, encoding="utf-8") as handle:
            data = [line.rstrip("\n") for line in handle]
    labels = task.predict(data=data, return_result=True)
    for text, label in zip(data, labels):          # one label per text, in order
        print("%s\tpredict=%s" % (text, label))
    if not args.no_test_accuracy:
        examples = dataset.get_test_examples()
        predicted = task.predict(data=[ex.text_a for ex in examples], return_result=True)
        accuracy = np.mean([p == ex.label for p, ex in zip(predicted, examples)])
        print("accuracy = %f (%d test examples)" % (accuracy, len(examples)))


if __name__ == "__main__":
    main()
