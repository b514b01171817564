import os

import numpy as np
import pytest

import paddlehub_lite as hub
from paddlehub_lite.zoo.elmo.feature_cache import FeatureCache
from paddlehub_lite.zoo.elmo.context import contexts_of


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


def test_cache_file_is_reused_and_not_memory_mapped(tiny_pretrained, tmp_path):
    ctx = _context(tiny_pretrained[2])
    ids = [np.arange(3, 3 + n) for n in (4, 9, 2)]
    first = FeatureCache(ctx, ids, str(tmp_path))
    files = sorted(os.listdir(tmp_path))
    assert len(files) == 2 and files[0].endswith(".npy")          # complete file, no temp left
    assert files[1] == files[0] + ".json"                         # and its record
    assert not isinstance(first.data, np.ndarray)                # rows read with pread
    on_disk = np.load(os.path.join(tmp_path, files[0]))            # a plain .npy file
    assert on_disk.shape == (15, 3, ctx.module.bilm_config.output_dim)
    np.testing.assert_array_equal(on_disk[4:13], first.data[4:13])
    calls = []
    original = ctx.module.bilm_layers
    ctx.module.bilm_layers = lambda *args: calls.append(1) or original(*args)
    second = FeatureCache(ctx, ids, str(tmp_path))
    assert calls == []                                            # read back, not recomputed
    np.testing.assert_array_equal(first.batch([0, 1, 2], 64), second.batch([0, 1, 2], 64))
    assert first.batch([1], 64).dtype == np.float32


def test_a_truncated_cache_file_is_refused(tiny_pretrained, tmp_path):
    ctx = _context(tiny_pretrained[2])
    ids = [np.arange(3, 3 + n) for n in (4, 9)]
    FeatureCache(ctx, ids, str(tmp_path))
    (name,) = [n for n in os.listdir(tmp_path) if n.endswith(".npy")]
    path = os.path.join(tmp_path, name)
    os.truncate(path, os.path.getsize(path) - 10)
    with pytest.raises(ValueError, match="not a complete feature file"):
        FeatureCache(ctx, ids, str(tmp_path))


def test_a_killed_writers_temp_file_is_removed_a_live_ones_kept(tmp_path):
    import subprocess
    import sys
    from paddlehub_lite.zoo.elmo.row_file import remove_stale_temp_files
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True).stdout.strip()
        (tmp_path / ("features-aaa.npy.tmp-%s" % dead)).write_bytes(b"x" * 100)
        (tmp_path / ("features-bbb.npy.tmp-%d" % live.pid)).write_bytes(b"x")
        (tmp_path / "features-ccc.npy").write_bytes(b"x")
        (tmp_path / "notes.tmp-1").write_bytes(b"x")
        assert remove_stale_temp_files(str(tmp_path)) == 1
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "features-bbb.npy.tmp-%d" % live.pid, "features-ccc.npy", "notes.tmp-1"]
    finally:
        live.kill()
        live.wait()


def test_a_shard_another_machine_wrote_is_used_and_a_missing_one_computed(tiny_pretrained,
                                                                          tmp_path):
    """Data parallel: rank 0 of 2 computes examples 0, 2, 4; rank 1's shard (1, 3) is read
    when it is in the shared cache, computed here when it is not (no shared disk)."""
    from paddlehub_lite.module.inputs import Shard
    ctx = _context(tiny_pretrained[2])
    ids = [np.arange(3, 3 + n) for n in (4, 9, 2, 6, 5)]
    whole = FeatureCache(ctx, ids, str(tmp_path / "whole")).batch(list(range(5)), 64)
    barriers = []
    alone = FeatureCache(ctx, ids, str(tmp_path / "alone"),
                         shard=Shard(0, 2, lambda: barriers.append(1)))
    # the budget's plan, its shard, then the missing one
    assert alone.computed == 5 and len(barriers) == 3
    np.testing.assert_array_equal(alone.batch(list(range(5)), 64), whole)
    assert [f for f in os.listdir(tmp_path / "alone") if "shard" in f] == []
    shared = str(tmp_path / "shared")
    rank1 = FeatureCache(ctx, ids, shared, shard=Shard(1, 2, lambda: None))
    # rank 1 left its shard for rank 0 (only rank 0 removes shard files); what it computed for
    # rank 0 and the whole file stay on "its machine": removed here
    assert rank1.computed == 5 and any("shard1of2" in f for f in os.listdir(shared))
    for name in os.listdir(shared):
        if "shard1of2" not in name:
            os.remove(os.path.join(shared, name))
    rank0 = FeatureCache(ctx, ids, shared, shard=Shard(0, 2, lambda: None))
    assert rank0.computed == 3                             # examples 0, 2, 4 only
    np.testing.assert_array_equal(rank0.batch(list(range(5)), 64), whole)


def test_a_data_parallel_run_storing_nothing_leaves_no_plan_file(tiny_pretrained, tmp_path):
    """Budget 0 under data parallel: rank 0's plan ("store 0 examples") is read by the other
    ranks, then removed; nothing of the run is left in the cache directory."""
    from paddlehub_lite.module.inputs import Shard
    ctx = _context(tiny_pretrained[2])
    ids = [np.arange(3, 3 + n) for n in (4, 9, 2)]
    barriers = []
    cache = FeatureCache(ctx, ids, str(tmp_path), budget=0,
                         shard=Shard(0, 2, lambda: barriers.append(1)))
    assert cache.stored == 0 and len(barriers) == 2      # the plan written, then read by all
    assert os.listdir(tmp_path) == []


def test_the_feature_network_is_exported_once_per_module_then_copied(tiny_pretrained, tmp_path,
                                                                     monkeypatch):
    """Every best-model save writes the frozen biLM's feature network into the bundle. It used
    to be built and exported anew each time, and Paddle's executor cache kept ~100 MB of every
    export alive (bench/memory_probe.py: +1 GB over 10 saves): now it is exported once per
    module object and copied."""
    from paddlehub_lite.zoo.elmo import context as context_module
    ctx = _context(tiny_pretrained[2])
    exports = []
    real = context_module.export_bilm
    monkeypatch.setattr(context_module, "export_bilm",
                        lambda *args: exports.append(args[1]) or real(*args))
    ctx.module.bilm_layers(np.arange(3, 9)[None, :])            # the feature predictor's
    for k in range(3):
        ctx.export_features(str(tmp_path / ("features_%d" % k)))
    assert exports == [ctx.feature_layers]
    first = (tmp_path / "features_0.pdiparams").read_bytes()
    assert first and all((tmp_path / ("features_%d.pdiparams" % k)).read_bytes() == first
                         for k in (1, 2))
