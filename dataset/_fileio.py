"""File helpers for the loaders: the per-user cache folder, atomic writes, verified downloads.

Private to the ``dataset`` package. Every file written here appears under its final
name only once it is complete (temporary file in the same folder, then
``os.replace``), so an interrupted write or download never leaves a short file
where a loader would pick it up.
"""

from __future__ import annotations

import glob
import hashlib
import http.client
import os
import stat
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from .errors import DatasetError

APP_NAME = "dlscratch"
CHUNK_SIZE = 1 << 16
TIMEOUT_SECONDS = 30.0
STALE_PART_SECONDS = 3600.0


def user_cache_dir() -> Path:
    """Return the per-user cache folder of the project (it may not exist yet).

    ``$XDG_CACHE_HOME/dlscratch`` when that variable holds an absolute path (the
    XDG spec says relative values are to be ignored), else ``~/.cache/dlscratch``;
    on Windows ``%LOCALAPPDATA%/dlscratch/Cache`` when XDG_CACHE_HOME is unset.
    """
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / APP_NAME
    local_app_data = os.environ.get("LOCALAPPDATA", "")
    if os.name == "nt" and local_app_data:
        return Path(local_app_data) / APP_NAME / "Cache"
    return Path.home() / ".cache" / APP_NAME


def is_writable_dir(path: Path) -> bool:
    """True when ``path`` is a folder this process may create files in.

    Besides ``os.access`` we also require a write bit in the folder's mode: root
    passes every ``os.access`` test, and a folder someone deliberately made
    read-only (a shared data folder) must stay untouched even then.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return (
        stat.S_ISDIR(mode)
        and bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        and os.access(path, os.W_OK | os.X_OK)
    )


def atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Create or replace the file ``path`` with what ``write(file)`` writes, atomically.

    The data goes to a temporary file in the same folder (so that the final rename
    stays on one file system), is flushed to disk, then renamed over ``path``.
    On any error the temporary file is removed and the error propagates.
    """
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        # BaseException too: Ctrl-C during a write must not leave the temporary file.
        _remove_quietly(temp_name)
        raise


def _remove_quietly(name: str) -> None:
    try:
        os.remove(name)
    except FileNotFoundError:
        pass


class _Progress:
    """Prints ``\\r  name  done/total MB`` on stderr, at most once per 0.1 MB."""

    def __init__(self, name: str, total: int | None, enabled: bool) -> None:
        self.name = name
        self.total = total
        self.enabled = enabled
        self.shown = -1

    def update(self, done: int) -> None:
        tenths = done // 100_000
        if not self.enabled or tenths == self.shown:
            return
        self.shown = tenths
        text = f"{done / 1e6:.1f}"
        if self.total:
            text += f"/{self.total / 1e6:.1f}"
        sys.stderr.write(f"\r  {self.name}  {text} MB")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled and self.shown >= 0:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _fetch_to(url: str, file: BinaryIO, name: str, progress: bool) -> str:
    """Stream ``url`` into ``file``; return the SHA-256 hex digest of what was received."""
    digest = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        bar = _Progress(name, total, progress)
        done = 0
        try:
            while chunk := response.read(CHUNK_SIZE):
                file.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                bar.update(done)
        finally:
            bar.finish()
    if total is not None and done != total:
        # A dropped connection can look like a normal end of data: never keep a short file.
        raise OSError(f"connection closed after {done} of {total} bytes")
    return digest.hexdigest()


def _remove_stale_parts(dest: Path) -> None:
    # A download killed outright (SIGKILL, power cut) cannot delete its temporary file.
    # A live download keeps writing to its own, so only files idle for an hour are removed.
    now = time.time()
    for part in dest.parent.glob(f".{glob.escape(dest.name)}.*.part"):
        try:
            if now - part.stat().st_mtime > STALE_PART_SECONDS:
                part.unlink()
        except OSError:
            pass


def download_verified(
    urls: Sequence[str], dest: Path, sha256: str, *, fix_hint: str, progress: bool = True
) -> str:
    """Download one file to ``dest``, trying ``urls`` in order; return the URL that worked.

    Each attempt streams into a temporary file beside ``dest`` (with a progress line
    on stderr) and renames it to ``dest`` only when its SHA-256 equals ``sha256``.
    An attempt that fails (network error, HTTP error, short transfer, checksum
    mismatch) deletes its temporary file and moves on to the next URL. When all
    fail, raises DatasetError listing every URL with its reason, then ``fix_hint``.
    """
    _remove_stale_parts(dest)
    failures = []
    for url in urls:
        fd, temp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as file:
                got = _fetch_to(url, file, dest.name, progress)
                file.flush()
                os.fsync(file.fileno())
            if got != sha256.lower():
                failures.append(f"{url}: SHA-256 {got} differs from the published {sha256}")
                continue
            os.replace(temp_name, dest)
            return url
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            # URLError covers HTTP errors and refused connections; ValueError a malformed URL.
            failures.append(f"{url}: {_describe(exc)}")
        finally:
            _remove_quietly(temp_name)
    tried = "\n".join(f"  - {line}" for line in failures) or "  (no mirror given)"
    raise DatasetError(f"could not download {dest.name} into {dest.parent}:\n{tried}\n{fix_hint}")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP error {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot connect ({exc.reason})"
    return f"{type(exc).__name__}: {exc}"
