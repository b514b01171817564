import os
import shutil

import pytest

import paddlehub_lite as hub
from paddlehub_lite.utils.download import DownloadError

from ..conftest import CHNSENTICORP


def _check_real_data(ds):
    train, dev, test = ds.get_train_examples(), ds.get_dev_examples(), ds.get_test_examples()
    assert (len(train), len(dev), len(test)) == (9600, 1200, 1200)
    assert ds.get_labels() == ["0", "1"] and ds.num_labels == 2
    assert sum(ex.label == "0" for ex in train) == 4801
    assert sum(ex.label == "1" for ex in test) == 608
    assert train[0].label == "1" and train[0].text_a.startswith("选择珠江花园的原因就是方便")
    assert dev[0].text_a.startswith("這間酒店環境")
    assert ds.get_val_examples() == dev


def test_reads_shared_copy():
    _check_real_data(hub.dataset.ChnSentiCorp(base_path=CHNSENTICORP))


def test_uses_files_already_in_home(hub_home):
    target = hub_home / "dataset" / "chnsenticorp"
    shutil.copytree(CHNSENTICORP, target)
    ds = hub.dataset.ChnSentiCorp()
    assert ds.base_path == str(target)
    _check_real_data(ds)


def test_downloads_from_http_mirror(hub_home, http_server, chnsenticorp_archive, monkeypatch):
    base, served = http_server
    shutil.copy(chnsenticorp_archive, served / "chnsenticorp.tar.gz")
    monkeypatch.setenv("PADDLEHUB_LITE_DATASET_MIRROR", base + "/")
    ds = hub.dataset.ChnSentiCorp()
    _check_real_data(ds)
    assert sorted(os.listdir(hub_home / "dataset" / "chnsenticorp")) == ["dev.tsv", "test.tsv",
                                                                        "train.tsv"]
    os.remove(served / "chnsenticorp.tar.gz")  # second time: no download needed
    _check_real_data(hub.dataset.ChnSentiCorp())


def test_downloads_from_file_mirror(hub_home, chnsenticorp_archive, monkeypatch):
    monkeypatch.setenv("PADDLEHUB_LITE_DATASET_MIRROR",
                       "file://" + os.path.dirname(chnsenticorp_archive))
    _check_real_data(hub.dataset.ChnSentiCorp())


def _assert_nothing_left(hub_home):
    dataset_dir = hub_home / "dataset"
    leftovers = os.listdir(dataset_dir) if dataset_dir.exists() else []
    assert leftovers == [], leftovers
    downloads = hub_home / "cache" / "downloads"
    assert not downloads.exists() or os.listdir(downloads) == []


@pytest.mark.parametrize("case", ["missing", "truncated", "corrupted", "wrong_content"])
def test_failed_download_leaves_nothing(case, hub_home, http_server, chnsenticorp_archive,
                                        monkeypatch, tmp_path):
    import tarfile
    base, served = http_server
    data = open(chnsenticorp_archive, "rb").read()
    mirror = base
    if case == "truncated":
        (served / "chnsenticorp.tar.gz").write_bytes(data)
        mirror = base + "/truncated"
    elif case == "corrupted":
        broken = bytearray(data)
        broken[len(data) // 2:len(data) // 2 + 100] = bytes(100)
        (served / "chnsenticorp.tar.gz").write_bytes(bytes(broken))
    elif case == "wrong_content":  # a well-formed archive whose train.tsv is not the real one
        fake = tmp_path / "train.tsv"
        fake.write_text("label\ttext_a\n1\t好\n")
        with tarfile.open(served / "chnsenticorp.tar.gz", "w:gz") as tar:
            tar.add(fake, arcname="chnsenticorp/train.tsv")
            for name in ("dev.tsv", "test.tsv"):
                tar.add(os.path.join(CHNSENTICORP, name), arcname="chnsenticorp/" + name)
    monkeypatch.setenv("PADDLEHUB_LITE_DATASET_MIRROR", mirror)
    with pytest.raises(DownloadError) as err:
        hub.dataset.ChnSentiCorp()
    message = str(err.value)
    assert "chnsenticorp.tar.gz" in message
    assert str(hub_home / "dataset" / "chnsenticorp") in message  # where to put files by hand
    _assert_nothing_left(hub_home)


def test_a_download_never_deletes_the_users_own_files(hub_home, chnsenticorp_archive,
                                                      monkeypatch):
    """Observed: a re-download replaced dataset/chnsenticorp whole, deleting a user's file."""
    target = hub_home / "dataset" / "chnsenticorp"
    target.mkdir(parents=True)
    (target / "my_notes.txt").write_text("mine", encoding="utf-8")
    shutil.copy(os.path.join(CHNSENTICORP, "train.tsv"), target / "train.tsv")  # dev/test missing
    monkeypatch.setenv("PADDLEHUB_LITE_DATASET_MIRROR",
                       "file://" + os.path.dirname(chnsenticorp_archive))
    _check_real_data(hub.dataset.ChnSentiCorp())
    assert (target / "my_notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_download_refuses_to_overwrite_a_different_file(hub_home, chnsenticorp_archive,
                                                          monkeypatch):
    target = hub_home / "dataset" / "chnsenticorp"
    target.mkdir(parents=True)
    (target / "train.tsv").write_text("label\ttext_a\n1\tmy own data\n", encoding="utf-8")
    monkeypatch.setenv("PADDLEHUB_LITE_DATASET_MIRROR",
                       "file://" + os.path.dirname(chnsenticorp_archive))
    with pytest.raises(DownloadError, match="train.tsv"):
        hub.dataset.ChnSentiCorp()
    assert (target / "train.tsv").read_text(encoding="utf-8") == "label\ttext_a\n1\tmy own data\n"
    assert sorted(os.listdir(target)) == ["train.tsv"]


def test_offline_default_installs_the_bundled_copy(hub_home, monkeypatch, hub_log):
    """No mirror, no network: the copy bundled with the package is verified and installed in
    the home directory, as after a download; no download is even tried."""
    import paddlehub_lite.utils.download as download_module

    def no_network(*args, **kwargs):
        raise AssertionError("a download was attempted")
    monkeypatch.setattr(download_module, "download", no_network)
    ds = hub.dataset.ChnSentiCorp()
    _check_real_data(ds)
    # one INFO line says which source was used, and no line speaks of downloading
    dataset_lines = [r.getMessage() for r in hub_log.records
                     if r.levelname == "INFO" and "chnsenticorp" in r.getMessage()]
    assert len(dataset_lines) == 1, dataset_lines
    assert "installing the copy bundled with paddlehub_lite" in dataset_lines[0]
    assert not any("Downloading" in r.getMessage() for r in hub_log.records)
    target = hub_home / "dataset" / "chnsenticorp"
    assert ds.base_path == str(target)
    assert sorted(os.listdir(target)) == ["dev.tsv", "test.tsv", "train.tsv"]
    for name in ("train.tsv", "dev.tsv", "test.tsv"):
        assert (target / name).read_bytes() == open(os.path.join(CHNSENTICORP, name), "rb").read()
