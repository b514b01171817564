import io
import os
import tarfile
import zipfile

import pytest

from paddlehub_lite.utils.download import DownloadError, download, extract, sha256_file


def _listing(path):
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def test_download_http_verifies_checksum(http_server, tmp_path):
    base, served = http_server
    (served / "a.bin").write_bytes(b"x" * 100000)
    dest = tmp_path / "out" / "a.bin"
    download(base + "/a.bin", str(dest), sha256=sha256_file(str(served / "a.bin")), progress=False)
    assert dest.read_bytes() == b"x" * 100000
    with pytest.raises(DownloadError, match="sha256"):
        download(base + "/a.bin", str(tmp_path / "out" / "b.bin"), sha256="0" * 64, progress=False)
    assert _listing(tmp_path / "out") == ["a.bin"]  # nothing half-written left behind


def test_download_404_names_url_and_hint(http_server, tmp_path):
    base, _ = http_server
    with pytest.raises(DownloadError) as err:
        download(base + "/missing.tar.gz", str(tmp_path / "out" / "m.tar.gz"), progress=False,
                 manual_hint="Put it in /somewhere by hand.")
    assert base + "/missing.tar.gz" in str(err.value)
    assert "404" in str(err.value) and "by hand" in str(err.value)
    assert _listing(tmp_path / "out") == []


def test_truncated_transfer_is_retried_then_fails(http_server, tmp_path):
    base, served = http_server
    (served / "big.bin").write_bytes(os.urandom(300000))
    with pytest.raises(DownloadError, match="big.bin"):
        download(base + "/truncated/big.bin", str(tmp_path / "out" / "big.bin"), retries=2,
                 progress=False)
    assert _listing(tmp_path / "out") == []


def test_transient_error_is_retried(http_server, tmp_path):
    base, served = http_server
    (served / "f.bin").write_bytes(b"ok")
    download(base + "/flaky/f.bin", str(tmp_path / "f.bin"), retries=3, progress=False)
    assert (tmp_path / "f.bin").read_bytes() == b"ok"


def test_file_url(tmp_path):
    src = tmp_path / "src.txt"
    src.write_text("hello")
    download("file://" + str(src), str(tmp_path / "dst.txt"), progress=False)
    assert (tmp_path / "dst.txt").read_text() == "hello"
    with pytest.raises(DownloadError, match="nope"):
        download("file://" + str(tmp_path / "nope"), str(tmp_path / "x"), progress=False)


def test_unsupported_scheme(tmp_path):
    with pytest.raises(DownloadError, match="ftp://"):
        download("ftp://example.invalid/a", str(tmp_path / "a"), progress=False)


def _tar_with(tmp_path, add):
    path = tmp_path / "evil.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        add(tar)
    return str(path)


def _add_file(tar, name, data=b"data"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize("member", ["../escape.txt", "ok/../../escape.txt", "/abs/escape.txt"])
def test_tar_refuses_paths_outside_target(tmp_path, member):
    archive = _tar_with(tmp_path, lambda tar: (_add_file(tar, "ok/a.txt"), _add_file(tar, member)))
    target = tmp_path / "target"
    with pytest.raises(DownloadError, match="refusing"):
        extract(archive, str(target))
    assert not target.exists()
    assert not (tmp_path / "escape.txt").exists()
    assert [p for p in os.listdir(tmp_path) if p.startswith(".tmp")] == []


def test_tar_refuses_links(tmp_path):
    def add(tar):
        info = tarfile.TarInfo("data/link")
        info.type = tarfile.SYMTYPE
        info.linkname = "../../etc/passwd"
        tar.addfile(info)
    with pytest.raises(DownloadError, match="link"):
        extract(_tar_with(tmp_path, add), str(tmp_path / "target"))
    assert not (tmp_path / "target").exists()


def test_zip_refuses_parent_paths(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../escape.txt", "x")
    with pytest.raises(DownloadError, match="refusing"):
        extract(str(archive), str(tmp_path / "target"))
    assert not (tmp_path / "target").exists()


def test_zip_extracts_and_unwraps(tmp_path):
    archive = tmp_path / "good.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("pkg/a.txt", "A")
        zf.writestr("pkg/sub/b.txt", "B")
    extract(str(archive), str(tmp_path / "target"))
    assert (tmp_path / "target" / "a.txt").read_text() == "A"
    assert (tmp_path / "target" / "sub" / "b.txt").read_text() == "B"


def test_corrupted_archive_leaves_nothing(tmp_path, chnsenticorp_archive):
    data = bytearray(open(chnsenticorp_archive, "rb").read())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(64)
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(bytes(data))
    with pytest.raises(DownloadError, match="corrupted"):
        extract(str(bad), str(tmp_path / "target"))
    assert not (tmp_path / "target").exists()
    assert [p for p in os.listdir(tmp_path) if p.startswith(".tmp")] == []
