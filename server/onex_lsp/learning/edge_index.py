"""Opening the embedded index folder: who owns it, whether it can be trusted, else rebuild.

The index is a cache of the journal, so any doubt about it is settled by rebuilding:
metadata that does not parse or describes another format, a shard the engine cannot
load or that failed in use, or a shard whose point count disagrees with what the journal
says it indexed (writes lost in a crash) are all wiped and refilled from the journal,
with one log line. Deleting a folder is only ever done by its owner: ownership is an
OS lock on ``index/<embedder>.lock`` taken before the shard is touched, so a second
editor window never mistakes the first one's folder for a damaged one (it gets a
private index, as before).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onex_lsp.learning import datadir
from onex_lsp.learning.journal import Journal
from onex_lsp.learning.store import PatternStore, StoreLocked, StoreUnavailable
from onex_lsp.workspace_fs import atomic_write

try:
    import fcntl
except ImportError:  # Windows: the engine's own lock still tells a second process apart
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)
META_FILE = "onex-index.json"
SHARD = "shard"


class FolderLock:
    """An exclusive, non-blocking OS lock on a file; released by the OS if we die."""

    def __init__(self, handle: int | None) -> None:
        self._handle = handle

    @staticmethod
    def acquire(path: Path) -> FolderLock | None:
        """The lock, or ``None`` when another process (or library) holds it."""
        path.parent.mkdir(mode=datadir.DIR_MODE, parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, datadir.FILE_MODE)
        if fcntl is None:
            return FolderLock(handle)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(handle)
            return None
        return FolderLock(handle)

    def release(self) -> None:
        if self._handle is not None:
            os.close(self._handle)  # closing the descriptor drops the lock
            self._handle = None


@dataclass
class OpenedIndex:
    store: PatternStore
    synced: int  # the journal's block seq the index holds everything up to
    forgotten: int  # the forgotten-log seq it has applied
    lock: FolderLock | None  # None: a private index (another process owns the folder)


def private_index(dim: int) -> OpenedIndex:
    from onex_lsp.learning.store.qdrant_edge import EdgePatternStore

    return OpenedIndex(EdgePatternStore(None, dim), 0, 0, None)


def read_meta(folder: Path, wanted: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """(the index's metadata, why it cannot be trusted): missing is fine, garbage or
    another format is a reason to rebuild."""
    meta_file = folder / META_FILE
    if not meta_file.exists():
        return None, None
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        int(meta["synced_seq"])
        int(meta.get("forgotten_seq", 0))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        return None, f"its metadata is unreadable ({type(exc).__name__}: {exc})"
    if {key: meta.get(key) for key in wanted} != wanted:
        return None, f"its format changed ({ {k: meta.get(k) for k in wanted} })"
    return meta, None


def write_meta(folder: Path, meta: dict[str, Any]) -> None:
    atomic_write(folder / META_FILE, json.dumps(meta))
    datadir.tighten(folder / META_FILE, datadir.FILE_MODE)


def open_edge_index(
    folder: Path, dim: int, wanted: dict[str, Any], journal: Journal, rebuild: str | None
) -> OpenedIndex:
    """The shared index in ``folder`` if this process can own it, else a private one.

    ``rebuild``: why the shard must be wiped first (it failed in use), if it must.
    """
    lock = FolderLock.acquire(folder.with_name(folder.name + ".lock"))
    if lock is None:
        log.info("another process owns the index in %s; using a private index", folder)
        return private_index(dim)
    try:
        return _open_owned(folder, dim, wanted, journal, rebuild, lock)
    except StoreLocked:
        lock.release()  # an older onex-lsp without the lock file holds the shard
        log.info("another process holds the index in %s; using a private index", folder)
        return private_index(dim)
    except BaseException:
        lock.release()
        raise


def _open_owned(
    folder: Path,
    dim: int,
    wanted: dict[str, Any],
    journal: Journal,
    rebuild: str | None,
    lock: FolderLock,
) -> OpenedIndex:
    from onex_lsp.learning.store.qdrant_edge import EdgePatternStore

    meta, distrust = read_meta(folder, wanted)
    reason = rebuild or distrust
    if reason is not None:
        _wipe(folder, reason)
    try:
        store = EdgePatternStore(folder / SHARD, dim)
    except StoreLocked:
        raise
    except StoreUnavailable as exc:
        _wipe(folder, str(exc))
        meta, store = None, EdgePatternStore(folder / SHARD, dim)
    synced = int(meta["synced_seq"]) if meta else 0
    forgotten = int(meta.get("forgotten_seq", 0)) if meta else 0
    try:
        if meta is not None:
            expected, found = journal.indexed_count(synced, forgotten), store.count()
            if expected != found:
                store.close()
                _wipe(folder, f"it holds {found} block(s) where the journal says {expected}")
                store, synced, forgotten = EdgePatternStore(folder / SHARD, dim), 0, 0
        datadir.tighten_tree(folder)
    except BaseException:
        store.close()
        raise
    return OpenedIndex(store, synced, forgotten, lock)


def _wipe(folder: Path, reason: str) -> None:
    """Remove whatever is at ``folder`` (a file in the way too); said once per reason."""
    if (str(folder), reason) not in _SAID:
        _SAID.add((str(folder), reason))
        log.warning("rebuilding the pattern index in %s from the journal: %s", folder, reason)
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    else:
        shutil.rmtree(folder, ignore_errors=True)


_SAID: set[tuple[str, str]] = set()
