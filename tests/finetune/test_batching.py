import numpy as np

from paddlehub_lite.finetune import batching


def test_epoch_order_is_a_function_of_seed_and_epoch_and_covers_every_example():
    lengths = np.random.default_rng(0).integers(1, 100, size=1003)
    a = batching.epoch_batches(lengths, 32, seed=7, epoch=2)
    b = batching.epoch_batches(lengths, 32, seed=7, epoch=2)
    assert all((x == y).all() for x, y in zip(a, b)) and len(a) == len(b)
    other = batching.epoch_batches(lengths, 32, seed=7, epoch=3)
    assert any((x != y).any() for x, y in zip(a, other) if len(x) == len(y))
    assert sorted(np.concatenate(a).tolist()) == list(range(1003))   # each once
    assert sum(len(x) < 32 for x in a) <= (1003 + 32 * 50 - 1) // (32 * 50)


def test_batches_group_similar_lengths():
    lengths = np.random.default_rng(1).integers(1, 200, size=3200)
    batches = batching.epoch_batches(lengths, 32, seed=1, epoch=0)
    padded = sum(len(b) * lengths[b].max() for b in batches)
    assert padded < 1.1 * lengths.sum()          # random batches would pad ~2x


def test_shard_pad_and_unsort():
    batch = np.arange(7)
    parts = [batching.shard(batch, r, 3) for r in range(3)]
    assert [p.tolist() for p in parts] == [[0, 1, 2], [3, 4], [5, 6]]
    ids = batching.pad_ids([np.array([5, 6, 7]), np.array([8])], pad_id=0, max_len=2)
    assert ids.tolist() == [[5, 6], [8, 0]] and ids.dtype == np.int64
    lengths = [5, 1, 3, 2]
    batches = batching.eval_batches(lengths, 2)
    assert [b.tolist() for b in batches] == [[1, 3], [2, 0]]
    values = [np.array([[10], [30]]), np.array([[20], [0]])]     # in batch order
    assert batching.unsort(values, batches).ravel().tolist() == [0, 10, 20, 30]
