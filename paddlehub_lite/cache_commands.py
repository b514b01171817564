"""``hub-lite cache list|clear``: what ``$PADDLEHUB_LITE_HOME/cache`` holds and freeing it
(registered by ``cli.main``). Every file there can be computed or downloaded again: the frozen
ELMo's features (``features/``, each with a record of the data files it came from: stale once
they are all gone), segmented texts (``reader/``), module adaptation work (``adapt/``) and
downloads (``downloads/``). Modules and datasets (``modules/``, ``dataset/``) are not touched."""
import os
import time

from paddlehub_lite.env import cache_home
from paddlehub_lite.utils.disk_cache import DiskCache, human


def _caches(kind=None):
    root = cache_home()
    kinds = sorted(os.listdir(root)) if os.path.isdir(root) else []
    return [(k, DiskCache(os.path.join(root, k))) for k in kinds
            if os.path.isdir(os.path.join(root, k)) and kind in (None, k)]


def register(sub) -> None:
    p = sub.add_parser("cache", help="show or free the cache (features, segmented texts)",
                       description=__doc__.split("\n\n")[0])
    actions = p.add_subparsers(dest="action", required=True)
    show = actions.add_parser("list", help="every cached file: size, last use, its data")
    show.add_argument("--kind", default=None, help="only this kind (features, reader, ...)")
    show.set_defaults(func=_run_list)
    clear = actions.add_parser("clear", help="remove cached files (computed again when needed)")
    clear.add_argument("--kind", default=None, help="only this kind (features, reader, ...)")
    clear.add_argument("--stale", action="store_true",
                       help="only the files whose data files are all gone or changed")
    clear.set_defaults(func=_run_clear)


def _run_list(args) -> int:
    total = 0
    print("cache: %s" % cache_home())
    for kind, cache in _caches(args.kind):
        for entry in cache.entries():
            total += entry.bytes
            sources = [s["path"] for s in (entry.record or {}).get("sources", [])]
            state = ("STALE: " + entry.stale) if entry.stale else \
                ("from " + ", ".join(sources)) if sources else "no data files recorded"
            print("%-9s %10s  used %s  %s  %s" % (
                kind, human(entry.bytes),
                time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.last_used)),
                os.path.basename(entry.path), state))
    features = DiskCache(os.path.join(cache_home(), "features"))
    print("total %s; the feature cache's default budget here: %s (half of the free space "
          "plus what it holds; RunConfig(cache_budget=...) sets another)"
          % (human(total), human(features.budget_bytes())))
    return 0


def _run_clear(args) -> int:
    freed = count = 0
    for _, cache in _caches(args.kind):
        for entry in cache.clear(stale_only=args.stale):
            freed += entry.bytes
            count += 1
    print("removed %d cached file%s, %s freed" % (count, "" if count == 1 else "s",
                                                 human(freed)))
    return 0
