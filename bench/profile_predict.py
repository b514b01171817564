"""Where prediction time goes, for a trained demo checkpoint: the reader (jieba + vocabulary),
the frozen biLM (ELMo features) and the classifier head (``paddle.inference`` over the exported
best model), for the 1,200 test texts in batches and for single texts (medians of 150).

    python bench/profile_predict.py --checkpoint_dir CKPT --data ../shared/data/chnsenticorp \
        [--module_dir DIR]

CKPT is what ``run_elmo_finetune.sh`` wrote (the frozen-biLM demo).
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "examples", "elmo"))

from elmo_demo_net import add_common_args, build  # noqa: E402

from paddlehub_lite.finetune import batching  # noqa: E402


def split_times(task, texts, batch_size):
    """Seconds in the reader, the biLM and the head for ``texts``, and the predictions."""
    reader, ctx = task.data_reader, task.contexts[0]
    predictor = task.prediction.inference_predictor()
    t0 = time.perf_counter()
    samples = reader.get_samples("predict", texts)
    t1 = time.perf_counter()
    batches = batching.eval_batches([len(s[0]) for s in samples], batch_size)
    feeds = []
    for indices in batches:
        ids = batching.pad_ids([samples[i][0] for i in indices], ctx.pad_id, ctx.max_seq_len)
        feed = {name: ids for name in task.feed_list}
        feed.update(ctx.feed(ids, task.num_threads))
        feeds.append(feed)
    t2 = time.perf_counter()
    outputs = [predictor(feed) for feed in feeds]
    t3 = time.perf_counter()
    return (t1 - t0, t2 - t1, t3 - t2), batching.unsort(outputs, batches)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--singles", type=int, default=150)
    add_common_args(parser)
    args = parser.parse_args()
    import machine  # bench/machine.py, beside this script
    machine.announce()  # which CPU these figures came from
    args.data_dir = args.data
    task, dataset = build(args)
    texts = [ex.text_a for ex in dataset.get_test_examples()]
    task.predict(texts[:8])                                   # load everything once
    (reader_s, bilm_s, head_s), probs = split_times(task, texts, args.batch_size)
    reference = np.concatenate([s.run_results[0] for s in task.predict(texts)])
    assert np.allclose(probs, reference, rtol=1e-4, atol=1e-5), "the split is not the predict path"
    total = reader_s + bilm_s + head_s
    print("batch prediction of %d test texts (batches of %d): reader %.2f s, biLM %.2f s, "
          "head %.2f s; %.0f texts/s without task overhead"
          % (len(texts), args.batch_size, reader_s, bilm_s, head_s, len(texts) / total))
    singles = [split_times(task, [t], 1)[0] for t in texts[:args.singles]]
    whole = []
    for text in texts[:args.singles]:
        start = time.perf_counter()
        task.predict([text])
        whole.append(time.perf_counter() - start)
    med = [1000 * statistics.median(s[k] for s in singles) for k in range(3)]
    p50 = 1000 * statistics.median(whole)
    print("single text (median of %d): reader %.2f ms, biLM %.2f ms, head %.2f ms; "
          "task.predict %.2f ms (task overhead %.2f ms)"
          % (args.singles, med[0], med[1], med[2], p50, p50 - sum(med)))


if __name__ == "__main__":
    main()
