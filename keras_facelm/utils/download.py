"""Download files into the keras_facelm cache, verified and written atomically.

The cache lives in ``$KERAS_FACELM_HOME`` (default ``~/.keras_facelm``). A download
streams into a uniquely named temporary file in the destination folder, hashes it on
the way, checks the sha256 prefix and only then renames it into place with
``os.replace``: an interrupted, truncated or corrupt transfer never leaves a file under
the final name, and two processes fetching the same file cannot corrupt it (each
writes its own temporary file; the last rename wins with identical content).

MMPose names its released checkpoints ``<name>-<first 8 hex of sha256>[_<date>].pth``
(``tools/misc/publish_model.py``); :func:`sha256_prefix_from_filename` reads that
prefix, and :func:`download` checks it by default.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import pathlib
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

__all__ = [
    "ChecksumError",
    "DownloadError",
    "cache_dir",
    "cache_directory",
    "download",
    "sha256_of_file",
    "sha256_prefix_from_filename",
]

_CHUNK = 1 << 20  # bytes per read
_HASH_IN_NAME = re.compile(r"-([0-9a-fA-F]{8,64})(?:_\d{8})?\.[A-Za-z0-9]+$")


class DownloadError(OSError):
    """A transfer failed: HTTP error status, unreachable host, timeout, truncation."""


class ChecksumError(ValueError):
    """A file's sha256 does not start with the expected prefix."""


def cache_dir() -> pathlib.Path:
    """The cache root: ``$KERAS_FACELM_HOME`` if set, else ``~/.keras_facelm``."""
    home = os.environ.get("KERAS_FACELM_HOME")
    return pathlib.Path(home).expanduser() if home else pathlib.Path.home() / ".keras_facelm"


def sha256_prefix_from_filename(url_or_name: str | os.PathLike) -> str | None:
    """The sha256 prefix in an MMPose-style file name, lower-case, or ``None``.

    ``".../hrnetv2_w18_wflw_256x256-2bf032a6_20210125.pth"`` -> ``"2bf032a6"``;
    ``"scnet50-7ef0a199.pth"`` -> ``"7ef0a199"``; a name without ``-<hex>`` -> ``None``.
    Query strings and fragments of URLs are ignored.
    """
    text = os.fspath(url_or_name)
    path = urllib.parse.urlsplit(text).path if "://" in text else text
    match = _HASH_IN_NAME.search(path.replace("\\", "/").rsplit("/", 1)[-1])
    return match.group(1).lower() if match else None


def sha256_of_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_prefix(prefix: str) -> str:
    if not re.fullmatch(r"[0-9a-fA-F]{1,64}", prefix):
        raise ValueError(f"sha256_prefix must be 1-64 hex digits, got {prefix!r}")
    return prefix.lower()


def download(
    url: str | os.PathLike,
    *,
    sha256_prefix: str | None = None,
    subdir: str = "checkpoints",
    filename: str | None = None,
    progress: bool = True,
    timeout: float = 60.0,
) -> pathlib.Path:
    """Fetch ``url`` into ``cache_dir()/subdir/filename`` and return that path.

    Args:
        url: ``http(s)://`` or ``file://`` URL, or a plain local path. A plain path is
            not copied: it is verified (when a prefix is known) and returned as is.
        sha256_prefix: expected leading hex digits of the file's sha256. ``None``
            takes it from an MMPose-style file name (see
            :func:`sha256_prefix_from_filename`); no check when neither gives one.
        subdir: folder under the cache root.
        filename: name in the cache; defaults to the last component of the URL path.
        progress: show a ``tqdm`` bar (total from ``Content-Length`` when sent).
        timeout: seconds for connecting and for each read (http/https).

    A cached file whose hash matches is returned without touching the source; one
    whose hash no longer matches is downloaded again.

    Raises:
        DownloadError: HTTP error status, unreachable URL, timeout, or fewer bytes
            than ``Content-Length`` announced.
        ChecksumError: (a ``ValueError``) the sha256 does not match; nothing is left
            in the cache.
        FileNotFoundError: a ``file://`` URL or plain path that does not exist.
    """
    url = os.fspath(url)
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if sha256_prefix is None:
        expected = sha256_prefix_from_filename(url)
    else:
        expected = _check_prefix(sha256_prefix)

    if scheme not in ("http", "https", "file"):
        if len(scheme) > 1:  # e.g. ftp:// (a one-letter scheme is a Windows drive)
            raise ValueError(f"{url}: unsupported URL scheme {scheme!r}")
        path = pathlib.Path(url).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{path}: checkpoint file does not exist")
        if expected:
            _verify(path, expected, url)
        return path

    name = filename or urllib.parse.unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    if not name or name in (".", "..") or "/" in name or "\\" in name:
        raise ValueError(f"{url}: cannot derive a cache file name (got {name!r})")
    dest = cache_dir() / subdir / name
    if dest.is_file():
        if not expected or sha256_of_file(dest).startswith(expected):
            return dest
        # Stale or damaged cache entry: fetch again below (the rename replaces it).

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=dest.parent)
    tmp = pathlib.Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            if scheme == "file":
                actual = _copy_file(parts, url, out, name, progress)
            else:
                actual = _fetch_http(url, out, name, progress, timeout)
            out.flush()
            os.fsync(out.fileno())
        if expected and not actual.startswith(expected):
            raise ChecksumError(
                f"{url}: sha256 {actual} does not start with the expected prefix "
                f"{expected}; the download is corrupt or not the published file"
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _verify(path: pathlib.Path, expected: str, source: str) -> None:
    actual = sha256_of_file(path)
    if not actual.startswith(expected):
        raise ChecksumError(
            f"{source}: sha256 {actual} does not start with the expected prefix {expected}"
        )


def _progress_bar(total: int | None, name: str, enabled: bool):
    if not enabled:
        return contextlib.nullcontext(None)
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=name)


def _stream(read, out, total: int | None, name: str, progress: bool) -> tuple[str, int]:
    """Copy chunks from ``read(n)`` into ``out``; returns (sha256 hex, byte count)."""
    digest = hashlib.sha256()
    count = 0
    with _progress_bar(total, name, progress) as bar:
        while chunk := read(_CHUNK):
            out.write(chunk)
            digest.update(chunk)
            count += len(chunk)
            if bar is not None:
                bar.update(len(chunk))
    return digest.hexdigest(), count


def _copy_file(parts, url: str, out, name: str, progress: bool) -> str:
    if parts.netloc not in ("", "localhost"):
        raise ValueError(f"{url}: file:// URLs must name a local path, not a host")
    source = pathlib.Path(urllib.request.url2pathname(parts.path))
    if not source.is_file():
        raise FileNotFoundError(f"{source}: file named by {url} does not exist")
    with open(source, "rb") as f:
        digest, _ = _stream(f.read, out, source.stat().st_size, name, progress)
    return digest


def _fetch_http(url: str, out, name: str, progress: bool, timeout: float) -> str:
    request = urllib.request.Request(url, headers={"User-Agent": "keras-facelm"})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as err:
        raise DownloadError(f"{url}: HTTP {err.code} {err.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise DownloadError(f"{url}: cannot connect ({reason})") from None
    with response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        try:
            digest, count = _stream(response.read, out, total, name, progress)
        except http.client.IncompleteRead as err:
            raise DownloadError(
                f"{url}: transfer truncated, the connection closed early ({err!r})"
            ) from None
        except (TimeoutError, OSError, http.client.HTTPException) as err:
            raise DownloadError(f"{url}: transfer failed ({err})") from None
    if total is not None and count != total:
        raise DownloadError(f"{url}: transfer truncated, received {count} of {total} bytes")
    return digest


@contextlib.contextmanager
def cache_directory(final_path: str | os.PathLike) -> Iterator[pathlib.Path]:
    """Build a cache directory under a temporary sibling name; the first writer wins.

    For the download cache only, where several processes may convert the same
    preset at once and every copy is identical. Usage::

        with cache_directory(cache_dir() / "presets" / name) as tmp:
            write_files_into(tmp)
        # now cache_dir()/presets/name exists, complete

    On an exception the temporary directory is removed and ``final_path`` is left as
    it was. If ``final_path`` already exists when the block ends (another process
    finished the same work first), it is kept and the new copy discarded. Paths a
    user names use :func:`keras_facelm.utils.atomic_write.write_directory`, which
    refuses or replaces instead.

    Yields:
        The temporary directory (``<parent>/.<name>.<random>.tmp``), empty.
    """
    final = pathlib.Path(final_path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    try:
        yield tmp
        if not final.exists():
            try:
                os.replace(tmp, final)
            except OSError:
                if not final.is_dir():  # lost a race to another writer: keep theirs
                    raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
