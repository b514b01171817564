import os

import numpy as np

import paddlehub_lite as hub
from paddlehub_lite.finetune.feature_cache import FeatureCache
from paddlehub_lite.modules.elmo.context import contexts_of


def _context(module_dir):
    module = hub.Module(directory=module_dir)
    _, _, program = module.context(trainable=True, bilm_trainable=False)
    return contexts_of(program)[0]


def test_cached_features_equal_direct_computation(tiny_pretrained, tmp_path):
    ctx = _context(tiny_pretrained[2])
    rng = np.random.default_rng(0)
    ids = [rng.integers(3, 500, size=n) for n in (5, 1, 12, 7, 3)]
    cache = FeatureCache(ctx, ids, None, dtype="float32")
    batch = cache.batch([2, 0, 1], max_len=100)
    assert batch.shape[:2] == (3, 12)
    for row, index in enumerate([2, 0, 1]):
        direct = ctx.module.bilm_layers(ids[index][None, :])[0]
        np.testing.assert_allclose(batch[row, :len(ids[index])], direct, rtol=1e-5, atol=1e-5)
        assert not batch[row, len(ids[index]):].any()            # padding stays zero
    assert isinstance(cache.data, np.ndarray) and not isinstance(cache.data, np.memmap)


def test_cache_file_is_memory_mapped_and_reused(tiny_pretrained, tmp_path):
    ctx = _context(tiny_pretrained[2])
    ids = [np.arange(3, 3 + n) for n in (4, 9, 2)]
    first = FeatureCache(ctx, ids, str(tmp_path))
    files = os.listdir(tmp_path)
    assert len(files) == 1 and files[0].endswith(".npy")          # complete file, no temp left
    assert isinstance(first.data, np.memmap)
    calls = []
    original = ctx.module.bilm_layers
    ctx.module.bilm_layers = lambda x: calls.append(1) or original(x)
    second = FeatureCache(ctx, ids, str(tmp_path))
    assert calls == []                                            # read back, not recomputed
    np.testing.assert_array_equal(first.batch([0, 1, 2], 64), second.batch([0, 1, 2], 64))
    assert first.batch([1], 64).dtype == np.float32
