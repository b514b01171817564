"""The feature cache's disk budget: a split that does not fit is stored in part and the rest
computed per batch (same values), stale and least recently used files make room, a full disk
stops with a clear error and leaves nothing, and ``hub-lite cache`` shows and frees it."""
import json
import os

import numpy as np
import pytest

from paddlehub_lite import cli
from paddlehub_lite.utils.disk_cache import DiskCache, parse_size
from paddlehub_lite.zoo.elmo.feature_cache import FILE_PATTERN, FeatureCache

from ...conftest import small_tmpfs
from .test_feature_cache import _context


def _ids(count, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(3, 500, size=int(n)) for n in rng.integers(2, 30, size=count)]


def _npy(directory):
    return sorted(n for n in os.listdir(directory) if n.endswith(".npy"))


def test_sizes_parse_and_bad_ones_are_refused():
    assert parse_size("20GB") == 20 * 2 ** 30 and parse_size("512 mb") == 512 * 2 ** 20
    assert parse_size("0") == 0 and parse_size(1000) == 1000 and parse_size(None) is None
    for bad in ("lots", "-1GB", -5):
        with pytest.raises(ValueError):
            parse_size(bad)


@pytest.mark.parametrize("share", [0.5, 0.0])
def test_a_split_over_the_budget_is_stored_in_part_and_batches_are_the_same(
        tiny_pretrained, tmp_path, share):
    ctx = _context(tiny_pretrained[2])
    ids = _ids(40)
    whole = FeatureCache(ctx, ids, str(tmp_path / "whole"))
    full_bytes = os.path.getsize(os.path.join(tmp_path / "whole", _npy(tmp_path / "whole")[0]))
    part = FeatureCache(ctx, ids, str(tmp_path / "part"), budget=int(share * full_bytes))
    assert 0 <= part.stored < 40 and (part.stored > 0) == (share > 0)
    files = _npy(tmp_path / "part")
    if share:
        assert os.path.getsize(os.path.join(tmp_path / "part", files[0])) <= share * full_bytes
    else:
        assert files == []
    for batch in ([0, 5, 39, 20], list(range(40))):
        np.testing.assert_allclose(part.batch(batch, 64), whole.batch(batch, 64), atol=2e-3)
    if share:      # a later run reads the stored part back and computes the same rest
        again = FeatureCache(ctx, ids, str(tmp_path / "part"), budget=int(share * full_bytes))
        assert again.stored == part.stored and again.computed == 0
        np.testing.assert_array_equal(again.batch(list(range(40)), 64),
                                      part.batch(list(range(40)), 64))


def test_files_of_deleted_data_and_least_recently_used_ones_make_room(tiny_pretrained,
                                                                      tmp_path):
    ctx = _context(tiny_pretrained[2])
    cache_dir = str(tmp_path / "cache")
    data = [tmp_path / ("split%d.tsv" % i) for i in range(3)]
    for path in data:
        path.write_text("text_a\tlabel\n")
    first = FeatureCache(ctx, _ids(30, 1), cache_dir, sources=[str(data[0])])
    size = os.path.getsize(first.path)
    record = json.load(open(first.path + ".json"))
    assert record["sources"][0]["path"] == str(data[0]) and record["stored_examples"] == 30
    data[0].unlink()                                    # its run's data is gone
    assert DiskCache(cache_dir, pattern=FILE_PATTERN).entries()[0].stale
    second = FeatureCache(ctx, _ids(30, 2), cache_dir, sources=[str(data[1])])
    assert _npy(cache_dir) == [os.path.basename(second.path)]    # the stale one removed
    # a budget for about one file: the least recently used goes, unless its user holds it
    budget = int(1.5 * max(size, os.path.getsize(second.path)))
    third = FeatureCache(ctx, _ids(30, 3), cache_dir, budget=budget, sources=[str(data[2])])
    assert _npy(cache_dir) == [os.path.basename(third.path)] and third.stored == 30
    fourth = FeatureCache(ctx, _ids(30, 4), cache_dir, budget=budget, keep=[third.path])
    assert os.path.basename(third.path) in _npy(cache_dir) and fourth.stored < 30


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs."""
    with small_tmpfs(tmp_path / "disk", "1m") as path:
        yield path


def test_a_full_disk_stops_with_a_clear_error_and_leaves_nothing(tiny_pretrained, small_disk):
    ctx = _context(tiny_pretrained[2])
    ids = _ids(200)                     # ~0.6 MB of float16 features: fits the empty disk
    cache_dir = str(small_disk / "features")
    compute = ctx.module.bilm_layers

    def another_process_fills_the_disk(*args):
        filler = small_disk / "someone-elses-file"
        if not filler.exists():        # after the budget's check, during the feature pass
            with open(filler, "wb") as handle:
                handle.write(b"x" * ((1 << 20) - (1 << 17)))
        return compute(*args)

    ctx.module.bilm_layers = another_process_fills_the_disk
    with pytest.raises(OSError, match="no space left in %s" % cache_dir) as raised:
        FeatureCache(ctx, ids, cache_dir)
    assert "cache_budget" in str(raised.value)
    assert os.listdir(cache_dir) == []                # no half-written file, no temp file
    assert (small_disk / "someone-elses-file").exists()       # nothing of the user's deleted
    # with that file there, the default budget (half the free space) stores what fits
    ctx.module.bilm_layers = compute
    cache = FeatureCache(ctx, ids, cache_dir)
    assert 0 < cache.stored < 200
    assert cache.batch([0, 199], 64).shape[0] == 2


def test_hub_lite_cache_lists_and_clears_stale_files(tiny_pretrained, hub_home, tmp_path,
                                                     capsys):
    ctx = _context(tiny_pretrained[2])
    cache_dir = os.path.join(hub_home, "cache", "features")
    kept, gone = tmp_path / "kept.tsv", tmp_path / "gone.tsv"
    for path in (kept, gone):
        path.write_text("text_a\tlabel\n")
    alive = FeatureCache(ctx, _ids(10, 5), cache_dir, sources=[str(kept)])
    stale = FeatureCache(ctx, _ids(10, 6), cache_dir, sources=[str(gone)])
    gone.write_text("text_a\tlabel\nchanged\t1\n")       # changed: its features are stale
    assert cli.main(["cache", "list"]) == 0
    listed = capsys.readouterr().out
    assert "from %s" % kept in listed and "STALE: %s changed" % gone in listed
    assert cli.main(["cache", "clear", "--stale"]) == 0
    assert "removed 1 cached file" in capsys.readouterr().out
    assert _npy(cache_dir) == [os.path.basename(alive.path)]
    assert not os.path.exists(stale.path + ".json")
    assert cli.main(["cache", "clear"]) == 0 and _npy(cache_dir) == []
