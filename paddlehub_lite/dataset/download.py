"""Locating a dataset on disk; installing it there when it is missing.

Where a dataset comes from, in this order (one INFO line says which):

1. ``$PADDLEHUB_LITE_HOME/dataset/<name>/`` when every file is there (a user's own copy too);
2. ``$PADDLEHUB_LITE_DATASET_MIRROR`` when set (an ``http(s)://`` or ``file://`` base holding
   ``<name>.tar.gz``): the user asked for it;
3. the copy bundled with the package (``dataset/bundled/<name>.tar.xz``, ChnSentiCorp: 1.1 MB),
   so a machine without network works out of the box, at no cost in retries or timeouts;
4. the original download address (PaddleHub's CDN for ChnSentiCorp).

Every file is checked against its known sha256 before it is moved into place, and whatever
the source, the files end up in ``$PADDLEHUB_LITE_HOME/dataset/<name>/`` (nothing of the user's
there is deleted or overwritten).
"""
import os
from typing import Dict, List, Optional

from paddlehub_lite.env import dataset_home
from paddlehub_lite.utils.download import DownloadError, download_and_extract, extract, \
    sha256_file
from paddlehub_lite.utils.log import logger

MIRROR_ENV = "PADDLEHUB_LITE_DATASET_MIRROR"
BUNDLED_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bundled")


def dataset_url(default_url: str) -> str:
    """The archive's URL: under ``$PADDLEHUB_LITE_DATASET_MIRROR`` when set, else the default."""
    mirror = os.environ.get(MIRROR_ENV)
    if not mirror:
        return default_url
    return mirror.rstrip("/") + "/" + default_url.rsplit("/", 1)[-1]


def fetch_dataset(name: str, default_url: str, files: List[str],
                  archive_sha256: Optional[str] = None,
                  file_sha256: Optional[Dict[str, str]] = None) -> str:
    """Return ``<home>/dataset/<name>``, installing it first (see the module docstring) if any
    of ``files`` is missing. Files already there are used as they are."""
    target = os.path.join(dataset_home(), name)
    if all(os.path.isfile(os.path.join(target, f)) for f in files):
        logger.info("Dataset %s already cached.", target)
        return target
    mirror = os.environ.get(MIRROR_ENV)
    url = dataset_url(default_url)
    hint = ("To install it by hand, put %s in %s, or set %s to a directory or server holding %s."
            % (", ".join(files), target, MIRROR_ENV, url.rsplit("/", 1)[-1]))

    def verify(directory: str) -> None:
        for file_name in files:
            path = os.path.join(directory, file_name)
            if not os.path.isfile(path):
                raise DownloadError("the archive for %s has no %s. %s" % (name, file_name, hint))
            expected = (file_sha256 or {}).get(file_name)
            if expected and sha256_file(path) != expected:
                raise DownloadError("%s in the archive for %s does not match its known sha256 "
                                    "%s (corrupted or a different version). %s"
                                    % (file_name, name, expected, hint))

    bundled = os.path.join(BUNDLED_DIR, name + ".tar.xz")
    if not mirror and os.path.isfile(bundled):
        logger.info("Dataset %s: installing the copy bundled with paddlehub_lite into %s",
                    name, target)
        return extract(bundled, target, manual_hint=hint, verify=verify)
    logger.info("Downloading dataset %s from %s", name, url)
    return download_and_extract(url, target, sha256=archive_sha256, manual_hint=hint,
                                verify=verify)
