"""The data directory's safety rails: private permissions, free space, writability, retries.

The data directory holds code learned from the user's files and a record of their edits,
so it is private (0700, files 0600; what an earlier version left readable is tightened
when opened). The embedded index maps ~10 MB of files and the process dies with SIGBUS
when the disk fills under it, so free space is checked before the index is opened or
grown. Every problem here is a state to wait out, never a crash: callers retry with
``Backoff``, so a fixed disk or folder is picked up without a restart.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
# Below this much free space the index is not opened nor grown and learning pauses: the
# embedded engine maps ~10 MB per shard, SQLite needs room for its WAL, and a full disk
# under a mapped file is a SIGBUS, not an exception.
MIN_FREE_BYTES = 64 * 1024 * 1024

FreeSpace = Callable[[Path], int]


class DataDirProblem(RuntimeError):
    """The data directory cannot be used now; the message says why, for the user."""


def free_bytes(path: Path) -> int:
    """Free bytes on the file system that holds ``path`` (or its nearest existing parent)."""
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def space_problem(path: Path, free_space: FreeSpace, margin: int = MIN_FREE_BYTES) -> str | None:
    """Why the index must not open or grow under ``path`` now, or ``None``."""
    try:
        free = free_space(path)
    except OSError as exc:
        return f"cannot measure the free space under {path}: {exc}"
    if free < margin:
        return (
            f"only {free // (1024 * 1024)} MB free under {path} (the index needs "
            f"{margin // (1024 * 1024)} MB)"
        )
    return None


def prepare(path: Path) -> None:
    """Create the data directory (0700) or tighten it, and prove it takes a file.

    Root ignores permission bits, so writability is proven by writing, not by
    ``os.access``: a read-only file system, a full disk or a file in the way all show.
    """
    try:
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        tighten(path, DIR_MODE)
        handle, probe = tempfile.mkstemp(prefix=".write-probe-", dir=path)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise DataDirProblem(f"the data directory {path} is not writable: {_reason(exc)}") from exc


def tighten(path: Path, mode: int) -> None:
    """Remove group/other access from ``path`` if it has any (best effort)."""
    with contextlib.suppress(OSError):
        current = stat.S_IMODE(path.stat().st_mode)
        if current & 0o077:
            path.chmod(current & ~0o077 & 0o7777 | (mode & 0o700))


def tighten_tree(folder: Path) -> None:
    """Folders 0700, files 0600 under ``folder`` (an index written with the default umask)."""
    if not folder.is_dir():
        return
    tighten(folder, DIR_MODE)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            tighten(Path(root) / name, DIR_MODE)
        for name in files:
            tighten(Path(root) / name, FILE_MODE)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists; tighten it if it does."""
    try:
        handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        tighten(path, FILE_MODE)
    else:
        os.close(handle)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


class Backoff:
    """Exponential retry delays: ``first``, doubled after every failure, at most ``cap``."""

    def __init__(
        self, first: float = 1.0, cap: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.first = first
        self.cap = cap
        self.clock = clock
        self.failures = 0
        self._next = 0.0

    def ready(self) -> bool:
        return self.clock() >= self._next

    def remaining(self) -> float:
        return max(0.0, self._next - self.clock())

    def failed(self) -> float:
        """Record a failure; the delay before the next attempt."""
        delay: float = min(self.cap, self.first * 2.0**self.failures)
        self.failures += 1
        self._next = self.clock() + delay
        return delay

    def succeeded(self) -> None:
        self.failures = 0
        self._next = 0.0
