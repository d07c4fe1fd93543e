"""Downloads against a local HTTP server on 127.0.0.1 and file:// mirrors (no internet)."""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

import dataset.mnist as mnist
from dataset import DatasetError, download_mnist, load_mnist
from dataset.__main__ import main

pytestmark = pytest.mark.usefixtures("isolated_cache")


@pytest.fixture
def good_files(tmp_path, small_mnist, monkeypatch):
    """A small MNIST as .gz files in ``tmp_path/site``; SHA256 set to their checksums."""
    site = tmp_path / "site"
    arrays = small_mnist.write(site)
    files = {p.name: p.read_bytes() for p in site.iterdir()}
    monkeypatch.setattr(
        mnist, "SHA256", {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    )
    return site, files, arrays


@pytest.fixture
def server(good_files):
    """Serves /good/<name> (right bytes), /bad/<name> (other bytes), /short/<name>
    (connection closed half-way) and 404 for anything else."""
    _, files, _ = good_files

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (name fixed by BaseHTTPRequestHandler)
            kind, _, name = self.path.strip("/").partition("/")
            if name not in files or kind not in ("good", "bad", "short"):
                self.send_error(404)
                return
            body = files[name] if kind != "bad" else gzip.compress(b"something else")
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if kind == "short" else body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def refused_url():
    """A URL on a local port with nothing listening, found by binding and closing it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


def test_checksum_mismatch_moves_on_to_next_mirror(tmp_path, server, good_files, capsys):
    _, files, _ = good_files
    target = tmp_path / "dl"
    download_mnist(target, mirrors=[f"{server}/bad/", f"{server}/good/"])
    assert {p.name: p.read_bytes() for p in target.iterdir()} == files  # nothing else left
    err = capsys.readouterr().err
    assert "train-images-idx3-ubyte.gz" in err and " MB" in err  # progress: done/total MB


def test_all_mirrors_failing_is_a_clear_error_and_leaves_nothing(tmp_path, server, refused_url):
    mirrors = [f"{server}/missing/", refused_url, f"{server}/bad/", f"{server}/short/"]
    target = tmp_path / "dl"
    with pytest.raises(DatasetError) as excinfo:
        download_mnist(target, mirrors=mirrors, progress=False)
    message = str(excinfo.value)
    assert "could not download train-images-idx3-ubyte.gz" in message
    for base in mirrors:
        assert base + "train-images-idx3-ubyte.gz" in message
    assert "HTTP error 404" in message
    assert "SHA-256" in message
    assert "connection closed after" in message
    assert "MNIST_DIR" in message  # how to fix it
    assert list(target.iterdir()) == []  # no partial or corrupt file


def test_short_transfer_is_not_kept_even_if_its_checksum_matched(tmp_path, server, good_files,
                                                                monkeypatch):
    # Checksums of the half files the server sends: only the length check can catch them.
    _, files, _ = good_files
    halves = {name: data[: len(data) // 2] for name, data in files.items()}
    monkeypatch.setattr(
        mnist, "SHA256", {name: hashlib.sha256(half).hexdigest() for name, half in halves.items()}
    )
    target = tmp_path / "dl"
    with pytest.raises(DatasetError, match="connection closed after"):
        download_mnist(target, mirrors=[f"{server}/short/"], progress=False)
    assert list(target.iterdir()) == []


def test_leftover_of_a_killed_download_is_removed(tmp_path, good_files):
    site, files, _ = good_files
    target = tmp_path / "dl"
    target.mkdir()
    leftover = target / ".train-images-idx3-ubyte.gz.abc123.part"
    leftover.write_bytes(b"half a file")
    os.utime(leftover, (time.time() - 7200, time.time() - 7200))
    download_mnist(target, mirrors=[site.as_uri()], progress=False)
    assert sorted(p.name for p in target.iterdir()) == sorted(files)


def test_file_url_mirror(tmp_path, good_files):
    site, files, _ = good_files
    target = tmp_path / "dl"
    download_mnist(target, mirrors=[site.as_uri() + "/"], progress=False)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == files


def test_only_missing_files_are_downloaded(tmp_path, good_files, refused_url):
    site, files, _ = good_files
    target = tmp_path / "dl"
    target.mkdir()
    raw_labels = gzip.decompress(files["t10k-labels-idx1-ubyte.gz"])
    (target / "t10k-labels-idx1-ubyte").write_bytes(raw_labels)
    download_mnist(target, mirrors=[refused_url, site.as_uri()], progress=False)
    assert sorted(p.name for p in target.iterdir()) == [
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte",
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    ]


def test_load_mnist_downloads_into_the_user_cache(server, good_files, isolated_cache, monkeypatch):
    _, files, arrays = good_files
    monkeypatch.setattr(mnist, "MIRRORS", [f"{server}/good/"])
    (x_train, t_train), (x_test, _) = load_mnist(normalize=False, dtype=np.uint8)
    np.testing.assert_array_equal(x_train.reshape(-1, 28, 28), arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(t_train, arrays["train-labels-idx1-ubyte"])
    cache = isolated_cache / "mnist"
    assert all((cache / name).read_bytes() == data for name, data in files.items())
    assert (cache / mnist.CACHE_NAME).is_file()


def test_read_only_folder_cannot_receive_downloads(tmp_path, server):
    target = tmp_path / "ro"
    target.mkdir(mode=0o555)
    try:
        with pytest.raises(DatasetError, match="read-only"):
            download_mnist(target, mirrors=[f"{server}/good/"], progress=False)
        assert list(target.iterdir()) == []
    finally:
        target.chmod(0o755)


def test_offline_command_prints_how_to_get_the_files_and_exits_1(refused_url, monkeypatch,
                                                                 capsys):
    monkeypatch.setattr(mnist, "MIRRORS", [refused_url])
    assert main([]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("error: could not download")
    assert "MNIST_DIR" in captured.err and refused_url in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_command_reports_a_found_mnist(tmp_path, small_mnist, capsys):
    small_mnist.write(tmp_path / "m", n_train=7)
    assert main(["--data-dir", str(tmp_path / "m")]) == 0
    assert "7 training and 5 test images" in capsys.readouterr().out
