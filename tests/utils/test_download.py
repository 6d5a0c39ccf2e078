"""Cache downloads: file:// and loopback http only, never the network."""

from __future__ import annotations

import hashlib
import http.server
import pathlib
import threading

import pytest

from keras_facelm.utils.download import (
    ChecksumError,
    DownloadError,
    cache_dir,
    cache_directory,
    download,
    sha256_of_file,
    sha256_prefix_from_filename,
)

PAYLOAD = bytes(range(256)) * 64  # 16 KiB
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture
def home(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("KERAS_FACELM_HOME", str(root))
    return root


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "src" / f"model-{PAYLOAD_SHA[:8]}_20210125.pth"
    path.parent.mkdir()
    path.write_bytes(PAYLOAD)
    return path


def _files(root: pathlib.Path) -> list[str]:
    """Every file under ``root``, hidden temporaries included, relative to it."""
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_cache_dir_env_and_default(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_FACELM_HOME", str(tmp_path / "h"))
    assert cache_dir() == tmp_path / "h"
    monkeypatch.delenv("KERAS_FACELM_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".keras_facelm"


@pytest.mark.parametrize(
    "name, prefix",
    [
        (
            "https://download.openmmlab.com/mmpose/face/hrnetv2/"
            "hrnetv2_w18_wflw_256x256-2bf032a6_20210125.pth",
            "2bf032a6",
        ),
        ("scnet50-7ef0a199.pth", "7ef0a199"),
        ("https://h/x/res50-5128EDF5_20210909.pth?raw=1#frag", "5128edf5"),
        ("/some/dir/plain_model.pth", None),
        ("hrnetv2_w18_wflw_256x256.pth", None),
        ("short-abc_20210101.pth", None),
    ],
)
def test_sha256_prefix_from_filename(name, prefix):
    assert sha256_prefix_from_filename(name) == prefix


def test_file_url_download_checks_name_prefix(home, source):
    path = download(source.as_uri(), progress=False)
    assert path == home / "checkpoints" / source.name
    assert path.read_bytes() == PAYLOAD
    assert _files(home) == [f"checkpoints/{source.name}"]


def test_progress_bar_and_custom_location(home, source, capsys):
    path = download(source.as_uri(), subdir="x", filename="renamed.pth", progress=True)
    assert path == home / "x" / "renamed.pth" and path.read_bytes() == PAYLOAD
    assert "renamed.pth" in capsys.readouterr().err


def test_checksum_mismatch_leaves_nothing(home, source):
    with pytest.raises(ChecksumError) as err:
        download(source.as_uri(), sha256_prefix="deadbeef", progress=False)
    msg = str(err.value)
    assert source.as_uri() in msg and "deadbeef" in msg and PAYLOAD_SHA in msg
    assert isinstance(err.value, ValueError)
    assert _files(home) == []

    wrong = source.with_name("model-00000000_20210125.pth")
    source.rename(wrong)
    with pytest.raises(ChecksumError, match="00000000"):
        download(wrong.as_uri(), progress=False)
    assert _files(home) == []


def test_cache_hit_does_not_reread_source(home, source):
    first = download(source.as_uri(), progress=False)
    source.unlink()
    assert download(source.as_uri(), progress=False) == first


def test_damaged_cache_entry_is_fetched_again(home, source):
    path = download(source.as_uri(), progress=False)
    path.write_bytes(PAYLOAD[:100])
    assert download(source.as_uri(), progress=False).read_bytes() == PAYLOAD
    assert _files(home) == [f"checkpoints/{source.name}"]


def test_plain_path_is_verified_not_copied(home, source):
    assert download(source, progress=False) == source
    assert download(str(source), sha256_prefix=PAYLOAD_SHA[:12]) == source
    with pytest.raises(ChecksumError, match=str(source)):
        download(source, sha256_prefix="0123")
    with pytest.raises(FileNotFoundError):
        download(source.with_name("missing.pth"))
    assert _files(home) == []


def test_missing_file_url(home, tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.pth"):
        download((tmp_path / "missing.pth").as_uri(), progress=False)
    assert _files(home) == []


def test_concurrent_downloads_of_one_file(home, source):
    results, errors = [], []

    def fetch():
        try:
            results.append(download(source.as_uri(), progress=False))
        except Exception as e:  # noqa: BLE001 (reported by the assert below)
            errors.append(e)

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(results)) == 1 and results[0].read_bytes() == PAYLOAD
    assert _files(home) == [f"checkpoints/{source.name}"]


# ----------------------------------------------------------------------------------
# HTTP on the loopback interface


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/ok/"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD)
        elif self.path.startswith("/short/"):  # promises more than it sends
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD) + 1000))
            self.end_headers()
            self.wfile.write(PAYLOAD)
            self.wfile.flush()
            self.close_connection = True
        else:
            self.send_error(404, "Not Found")


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_http_download(home, server):
    name = f"model-{PAYLOAD_SHA[:8]}.pth"
    path = download(f"{server}/ok/{name}", progress=False, timeout=10)
    assert path.read_bytes() == PAYLOAD and _files(home) == [f"checkpoints/{name}"]


def test_http_truncated_transfer_leaves_nothing(home, server):
    url = f"{server}/short/model.pth"
    with pytest.raises(DownloadError, match="truncated") as err:
        download(url, progress=False, timeout=10)
    assert url in str(err.value) and "\n" not in str(err.value)
    assert _files(home) == []


def test_http_error_status(home, server):
    url = f"{server}/missing/model.pth"
    with pytest.raises(DownloadError, match="HTTP 404") as err:
        download(url, progress=False, timeout=10)
    assert url in str(err.value)
    assert _files(home) == []


def test_unreachable_host(home):
    # A port nobody listens on: bind and close to find a free one.
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DownloadError, match="cannot connect"):
        download(f"http://127.0.0.1:{port}/m.pth", progress=False, timeout=5)
    assert _files(home) == []


# ----------------------------------------------------------------------------------
# cache_directory


def test_cache_directory_commits(tmp_path):
    final = tmp_path / "presets" / "hrnet"
    with cache_directory(final) as tmp:
        assert tmp.parent == final.parent and not final.exists()
        (tmp / "config.json").write_text("{}")
    assert (final / "config.json").read_text() == "{}"
    assert sorted(p.name for p in final.parent.iterdir()) == ["hrnet"]


def test_cache_directory_cleans_up_on_error(tmp_path):
    final = tmp_path / "presets" / "hrnet"
    with pytest.raises(RuntimeError, match="boom"):
        with cache_directory(final) as tmp:
            (tmp / "model.weights.h5").write_bytes(b"half")
            raise RuntimeError("boom")
    assert not final.exists()
    assert list(final.parent.iterdir()) == []


def test_cache_directory_existing_target(tmp_path):
    final = tmp_path / "p"
    final.mkdir()
    (final / "v").write_text("old")
    with cache_directory(final) as tmp:  # another writer won: keep theirs
        (tmp / "v").write_text("new")
    assert (final / "v").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]


def test_sha256_of_file(source):
    assert sha256_of_file(source) == PAYLOAD_SHA
