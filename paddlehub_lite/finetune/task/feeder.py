"""``Feeder``: text samples -> the feed dicts of a task's programs (data flows one way: reader
samples -> padded word ids -> the modules' extra inputs -> labels). Shared by training,
evaluation and prediction; knows no module in particular (``ModuleInputs``)."""
from typing import Callable, Dict, List, Sequence

import numpy as np

from paddlehub_lite.finetune import batching
from paddlehub_lite.module.inputs import CacheSettings


class Feeder:
    """The batches and feeds of one task.

    Args:
        data_reader: a reader with ``get_samples(phase, data=None)``.
        feed_list: the names of the word-id inputs the user feeds.
        contexts: the ``ModuleInputs`` of the program's modules.
        label_feed: ``(samples, indices) -> {label input: array}`` (the task's label kind).
        loss_scale_name: the input that scales a local batch's loss to the global batch.
        num_threads: CPU math threads of the modules' feature networks.
        batch_size: examples per (global) training batch.
        seed: the data order's seed.
        parallel: the data-parallel environment (``finetune/parallel.py``).
        cache_budget: the disk budget of what modules cache (``RunConfig.cache_budget``;
            default None: half of the free space).
    """

    def __init__(self, data_reader, feed_list: Sequence[str], contexts: Sequence,
                 label_feed: Callable, loss_scale_name: str, num_threads: int,
                 batch_size: int, seed: int, parallel, cache_budget=None):
        self.data_reader = data_reader
        self.feed_list = list(feed_list)
        self.contexts = list(contexts)
        self.label_feed = label_feed
        self.loss_scale_name = loss_scale_name
        self.num_threads = num_threads
        self.batch_size = batch_size
        self.seed = seed
        self.parallel = parallel
        self.cache_budget = cache_budget

    def samples(self, phase: str, data=None):
        return self.data_reader.get_samples(phase, data)

    def train_batches(self, epoch: int, samples) -> List[np.ndarray]:
        """The epoch's shuffled batches (of similar lengths); every data-parallel rank needs at
        least one example of a batch, so smaller ones are left out."""
        batches = batching.epoch_batches([len(s[0]) for s in samples], self.batch_size,
                                         self.seed, epoch)
        world = self.parallel.world_size
        return [b for b in batches if len(b) >= world]

    def max_len(self) -> int:
        lengths = [ctx.max_seq_len for ctx in self.contexts]
        return min(lengths) if lengths else 1 << 30

    def feed(self, samples, indices, phase: str, global_size: int) -> Dict[str, np.ndarray]:
        """The feed dict of one (local) batch: word ids, module features, labels, loss scale."""
        pad_id = self.contexts[0].pad_id if self.contexts else 0
        ids = batching.pad_ids([samples[i][0] for i in indices], pad_id, self.max_len())
        feed = {name: ids for name in self.feed_list}
        for ctx in self.contexts:
            feed.update(ctx.extra_feed(phase, indices, ids, self.num_threads))
        if len(samples[0]) > 1:
            feed.update(self.label_feed(samples, indices))
            feed[self.loss_scale_name] = np.array([1.0 / global_size], dtype="float32")
        return feed

    def prepare_features(self, phase: str, samples) -> None:
        """Let each module precompute what it feeds for this split (the frozen biLM's
        features, once per example). Every data-parallel process prepares "train", each its
        own shard (evaluation runs on rank 0 alone)."""
        shard = self.parallel.shard() if phase == "train" else None
        dataset = getattr(self.data_reader, "dataset", None)
        source = dataset.split_path(phase) if hasattr(dataset, "split_path") else None
        cache = CacheSettings(self.cache_budget, (source,) if source else ())
        for ctx in self.contexts:
            ctx.prepare(phase, [s[0] for s in samples], self.num_threads, shard=shard,
                        cache=cache)
