"""Locating a dataset on disk, downloading it when it is not there."""
import os
from typing import Dict, List, Optional

from paddlehub_lite.env import dataset_home
from paddlehub_lite.utils.download import DownloadError, download_and_extract, sha256_file
from paddlehub_lite.utils.log import logger

MIRROR_ENV = "PADDLEHUB_LITE_DATASET_MIRROR"


def dataset_url(default_url: str) -> str:
    """The archive's URL: under ``$PADDLEHUB_LITE_DATASET_MIRROR`` when set, else the default."""
    mirror = os.environ.get(MIRROR_ENV)
    if not mirror:
        return default_url
    return mirror.rstrip("/") + "/" + default_url.rsplit("/", 1)[-1]


def fetch_dataset(name: str, default_url: str, files: List[str],
                  archive_sha256: Optional[str] = None,
                  file_sha256: Optional[Dict[str, str]] = None) -> str:
    """Return ``<home>/dataset/<name>``, downloading and unpacking it first if any of ``files``
    is missing. Files already there are used as they are (users may place their own)."""
    target = os.path.join(dataset_home(), name)
    if all(os.path.isfile(os.path.join(target, f)) for f in files):
        logger.info("Dataset %s already cached.", target)
        return target
    url = dataset_url(default_url)
    hint = ("To install it by hand, put %s in %s, or set %s to a directory or server holding %s."
            % (", ".join(files), target, MIRROR_ENV, url.rsplit("/", 1)[-1]))
    logger.info("Downloading dataset %s from %s", name, url)

    def verify(directory: str) -> None:
        for file_name in files:
            path = os.path.join(directory, file_name)
            if not os.path.isfile(path):
                raise DownloadError("the archive from %s has no %s. %s" % (url, file_name, hint))
            expected = (file_sha256 or {}).get(file_name)
            if expected and sha256_file(path) != expected:
                raise DownloadError("%s in the archive from %s does not match its known sha256 "
                                    "%s (corrupted or a different version). %s"
                                    % (file_name, url, expected, hint))

    return download_and_extract(url, target, sha256=archive_sha256, manual_hint=hint,
                                verify=verify)
