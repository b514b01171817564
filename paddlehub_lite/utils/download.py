"""Fetch, verify and unpack files, never leaving a half-done copy that could pass for a good one.

``download`` streams http(s):// or file:// URLs to a temp name beside the destination, with a
tqdm bar, a timeout, a few retries on transient failures, a length check and (when known) a
sha256 check, and renames only when everything passed. ``extract`` refuses archive members with
absolute paths, ``..`` components, links or devices, unpacks into a temp directory and renames
the result into place. Every failure is a ``DownloadError`` naming the URL and where to put the
files by hand.
"""
import hashlib
import os
import shutil
import tarfile
import tempfile
import time
import urllib.parse
import zipfile
from typing import Callable, Optional

from paddlehub_lite.utils.log import logger

CHUNK = 1 << 16


class DownloadError(RuntimeError):
    """A download or an extraction failed; the message says what and how to work around it."""


def _hint(manual_hint: Optional[str]) -> str:
    return (" " + manual_hint) if manual_hint else ""


def _is_transient(err: Exception) -> bool:
    import requests
    if isinstance(err, requests.HTTPError):
        status = err.response.status_code if err.response is not None else 0
        return status >= 500 or status == 429
    return isinstance(err, (requests.ConnectionError, requests.Timeout,
                            requests.exceptions.ChunkedEncodingError, IncompleteDownload))


class IncompleteDownload(IOError):
    pass


def _fetch_http(url: str, handle, timeout: float, progress: bool) -> str:
    import requests
    from tqdm import tqdm

    digest = hashlib.sha256()
    with requests.get(url, stream=True, timeout=timeout) as response:
        response.raise_for_status()
        expected = response.headers.get("Content-Length")
        expected = int(expected) if expected and expected.isdigit() else None
        received = 0
        with tqdm(total=expected, unit="B", unit_scale=True, desc=os.path.basename(
                urllib.parse.urlparse(url).path) or url, disable=not progress or None,
                leave=False) as bar:
            for block in response.iter_content(CHUNK):
                handle.write(block)
                digest.update(block)
                received += len(block)
                bar.update(len(block))
        if expected is not None and received != expected:
            raise IncompleteDownload("received %d of %d bytes" % (received, expected))
    return digest.hexdigest()


def _fetch_file(url: str, handle) -> str:
    path = urllib.parse.unquote(urllib.parse.urlparse(url).path)
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(CHUNK), b""):
            handle.write(block)
            digest.update(block)
    return digest.hexdigest()


def download(url: str, dest_path: str, sha256: Optional[str] = None, timeout: float = 30.0,
             retries: int = 3, progress: bool = True, manual_hint: Optional[str] = None) -> str:
    """Download ``url`` to ``dest_path`` atomically; returns ``dest_path``.

    Args:
        url: http://, https:// or file:// address.
        dest_path: final file path; only a complete, verified file is ever renamed there.
        sha256: expected hex digest, checked when given.
        timeout: seconds to wait for the server to connect or send data (default 30).
        retries: attempts for transient failures (connection errors, timeouts, 5xx,
            truncated transfers); a 404 or a checksum mismatch fails at once (default 3).
        progress: show a tqdm bar (default True).
        manual_hint: appended to error messages (e.g. where to put the files by hand).
    """
    scheme = urllib.parse.urlparse(url).scheme
    if scheme not in ("http", "https", "file"):
        raise DownloadError("cannot download %s: only http(s):// and file:// URLs are supported.%s"
                            % (url, _hint(manual_hint)))
    directory = os.path.dirname(os.path.abspath(dest_path))
    os.makedirs(directory, exist_ok=True)
    last_error = None
    for attempt in range(1, max(1, retries) + 1):
        fd, tmp = tempfile.mkstemp(prefix=".tmp-" + os.path.basename(dest_path) + "-",
                                   dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                if scheme == "file":
                    actual = _fetch_file(url, handle)
                else:
                    actual = _fetch_http(url, handle, timeout, progress)
            if sha256 and actual != sha256.lower():
                raise DownloadError("downloaded %s but its sha256 is %s, expected %s (corrupted "
                                    "or replaced file).%s" % (url, actual, sha256, _hint(manual_hint)))
            os.replace(tmp, dest_path)
            return dest_path
        except DownloadError:
            _remove(tmp)
            raise
        except Exception as err:  # noqa: BLE001 - every failure is reported with the URL
            _remove(tmp)
            last_error = err
            if scheme == "file" or not _is_transient(err) or attempt == retries:
                break
            logger.warning("download of %s failed (%s); retrying (%d/%d)", url, err, attempt,
                           retries)
            time.sleep(0.5 * attempt)
    raise DownloadError("could not download %s: %s.%s" % (url, last_error, _hint(manual_hint)))


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _check_member_name(name: str, archive: str) -> None:
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        raise DownloadError("refusing to extract %s: member %r has an absolute path"
                            % (archive, name))
    if ".." in normalized.split("/"):
        raise DownloadError("refusing to extract %s: member %r points outside the target "
                            "directory" % (archive, name))


def _safe_tar_members(tar: tarfile.TarFile, archive: str):
    for member in tar.getmembers():
        _check_member_name(member.name, archive)
        if member.issym() or member.islnk():
            raise DownloadError("refusing to extract %s: member %r is a link" % (archive, member.name))
        if not (member.isfile() or member.isdir()):
            raise DownloadError("refusing to extract %s: member %r is not a regular file or "
                                "directory" % (archive, member.name))
        yield member


def _read_compressed_stream_to_end(archive: str) -> None:
    """Decompress a .gz/.bz2/.xz file to its end, so that its own CRC detects corruption.

    tarfile stops reading at the end-of-archive marker and never checks the gzip trailer, so a
    damaged archive can otherwise unpack "successfully" into damaged files."""
    import bz2
    import gzip
    import lzma

    with open(archive, "rb") as handle:
        magic = handle.read(6)
    opener = {b"\x1f\x8b": gzip.open, b"BZ": bz2.open}.get(magic[:2])
    if magic.startswith(b"\xfd7zXZ"):
        opener = lzma.open
    if opener is None:
        return
    with opener(archive, "rb") as stream:
        while stream.read(1 << 20):
            pass


def sha256_file(path: str) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def extract(archive: str, target_dir: str, manual_hint: Optional[str] = None,
            unwrap_single_dir: bool = True, verify: Optional[Callable[[str], None]] = None) -> str:
    """Unpack a .tar(.gz/.bz2/.xz) or .zip archive so that its contents end up in
    ``target_dir``, created whole or not at all. With ``unwrap_single_dir`` (default True) an
    archive holding one top-level folder (``chnsenticorp/train.tsv``...) puts that folder's
    contents in ``target_dir``. ``verify(directory)``, when given, is called on the unpacked
    files before they are moved into place and may raise to reject them. Returns ``target_dir``."""
    target_dir = os.path.abspath(target_dir)
    parent = os.path.dirname(target_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".tmp-extract-", dir=parent)
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                for info in zf.infolist():
                    _check_member_name(info.filename, archive)
                    mode = (info.external_attr >> 16) & 0o170000
                    if mode == 0o120000:
                        raise DownloadError("refusing to extract %s: member %r is a link"
                                            % (archive, info.filename))
                zf.extractall(tmp)
        else:
            _read_compressed_stream_to_end(archive)
            with tarfile.open(archive) as tar:
                members = list(_safe_tar_members(tar, archive))
                for member in members:
                    tar.extract(member, tmp, set_attrs=False)
        result = tmp
        entries = os.listdir(tmp)
        if unwrap_single_dir and len(entries) == 1 and os.path.isdir(os.path.join(tmp, entries[0])):
            result = os.path.join(tmp, entries[0])
        if verify is not None:
            verify(result)
        if os.path.exists(target_dir):
            _merge_into(result, target_dir, archive)
        else:
            os.replace(result, target_dir)
        shutil.rmtree(tmp, ignore_errors=True)
        return target_dir
    except DownloadError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DownloadError("could not extract %s: %s (corrupted or truncated archive).%s"
                            % (archive, err, _hint(manual_hint))) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _merge_into(source: str, target: str, archive: str) -> None:
    """Move ``source``'s entries into the existing ``target``, never deleting or overwriting
    anything of the user's: a file already there must hold the same bytes (it is then kept),
    anything else in ``target`` stays as it is."""
    entries = sorted(os.listdir(source))
    for name in entries:
        there = os.path.join(target, name)
        if os.path.lexists(there) and not (os.path.isfile(there) and
                                           sha256_file(there) == sha256_file(
                                               os.path.join(source, name))):
            raise DownloadError("%s already exists and differs from the copy in %s; it was left "
                                "as it is (move it away to install the download)"
                                % (there, archive))
    for name in entries:
        if not os.path.lexists(os.path.join(target, name)):
            os.replace(os.path.join(source, name), os.path.join(target, name))


def download_and_extract(url: str, target_dir: str, sha256: Optional[str] = None,
                         manual_hint: Optional[str] = None,
                         verify: Optional[Callable[[str], None]] = None,
                         **download_kwargs) -> str:
    """Download an archive to the cache directory, extract it into ``target_dir`` (see
    ``extract``) and remove the archive."""
    from paddlehub_lite.env import cache_home

    name = os.path.basename(urllib.parse.urlparse(url).path) or "download"
    archive = os.path.join(cache_home(), "downloads", name)
    download(url, archive, sha256=sha256, manual_hint=manual_hint, **download_kwargs)
    try:
        extract(archive, target_dir, manual_hint=manual_hint, verify=verify)
    finally:
        _remove(archive)
    return target_dir
