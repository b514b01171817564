"""ChnSentiCorp: Chinese review sentiment, 0 = negative, 1 = positive (9600 / 1200 / 1200).

Files are used from ``$PADDLEHUB_LITE_HOME/dataset/chnsenticorp/`` when all three are there;
otherwise they are installed there from ``$PADDLEHUB_LITE_DATASET_MIRROR/chnsenticorp.tar.gz``
when that variable is set (http(s):// or file://), else from the copy bundled with the package
(no network needed), else from PaddleHub's original address; each file is checked against its
known sha256 (see ``dataset/download.py``).
"""
from typing import Optional

from paddlehub_lite.dataset.base import BaseNLPDataset
from paddlehub_lite.dataset.formats import NamedColumns
from paddlehub_lite.dataset.download import fetch_dataset

URL = "https://bj.bcebos.com/paddlehub-dataset/chnsenticorp.tar.gz"
ARCHIVE_SHA256 = None  # PaddleHub never published it; the files' digests below are checked.
FILE_SHA256 = {
    "train.tsv": "0b2653c23e5c79f539472e90cb10522f0ada4b80d3da95572d8b48fda47d5b33",
    "dev.tsv": "d129e443eac08ce7643013dad496a8edf282be39cac1a4f2ad080818b296b331",
    "test.tsv": "34f9d71eba6096cd8689e18913d28cf9a5f3c18a6c2804cd13304a321738c4bc",
}


class ChnSentiCorp(BaseNLPDataset):
    """ChnSentiCorp, as ``hub.dataset.ChnSentiCorp()`` in PaddleHub 1.x (no arguments needed).

    Args:
        base_path: read the three files from this directory instead (default None: the
            home-directory copy, downloaded when missing).
    """

    def __init__(self, base_path: Optional[str] = None):
        if base_path is None:
            base_path = fetch_dataset("chnsenticorp", URL, list(FILE_SHA256), ARCHIVE_SHA256,
                                      FILE_SHA256)
        super().__init__(base_path, train_file="train.tsv", dev_file="dev.tsv",
                         test_file="test.tsv", label_list=["0", "1"],
                         train_file_with_header=True, dev_file_with_header=True,
                         test_file_with_header=True)

    def format_for(self, path: str, phase: str):
        # ChnSentiCorp's header names its columns, label first: "label<TAB>text_a".
        return NamedColumns(required=("label",))
