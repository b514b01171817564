"""Write ``shipped_reference.npz`` beside this file: the shipped ``elmo`` module's ELMo layers
for a few fixed sentences, which test_shipped_module.py compares every forward pass against.

Run it once when a new module is shipped (never to make a failing test pass after a network
code change: that failure is the point of the test):

    python tests/zoo/elmo/make_shipped_reference.py
"""
import os

import numpy as np

import paddlehub_lite as hub
from paddlehub_lite.finetune.batching import pad_ids

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "shipped_reference.npz")
SENTENCES = ["这家酒店的位置很好，交通方便，房间干净整洁。",
             "买回来不到一个星期屏幕就坏了，再也不会买这个牌子了。",
             "一般"]


def word_ids(module):
    reader = hub.reader.LACClassifyReader(vocab_path=module.get_vocab_path(), use_cache=False)
    return pad_ids([s[0] for s in reader.get_samples("predict", SENTENCES)], 0, 1 << 30)


def main():
    module = hub.Module(name="elmo")
    ids = word_ids(module)
    np.savez_compressed(REFERENCE, version=np.array(module.version),
                        weights_sha256=np.array(module.fingerprint), word_ids=ids,
                        layers=module.bilm_layers(ids))
    print("wrote %s for elmo %s" % (REFERENCE, module.version))


if __name__ == "__main__":
    main()
