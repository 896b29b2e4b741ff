"""The vector index's life: opened, kept in step with the journal, reopened after outages.

The index is a cache of the journal, so its troubles never reach a user as an error:
while it is away, queries get no learned options at once and blocks wait in the journal.
Three rules keep a query fast whatever the storage does:

- **no retry on the request path**: after a failure, reopening is left to the library's
  background supervisor, with exponential backoff (``datadir.Backoff``);
- **a network store is only ever touched from one background thread** (``RemoteRunner``):
  opening it, syncing it, and queries, which wait at most ``query_budget`` for it (a
  server that accepts and never answers costs a query that long, not its timeout);
- **the embedded index opens only with room to grow**: below ``min_free_bytes`` free it
  stays closed (its engine dies with SIGBUS when the disk fills under a mapped file).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from onex_lsp.learning import datadir
from onex_lsp.learning.edge_index import OpenedIndex, open_edge_index, write_meta
from onex_lsp.learning.embeddings import CachedEmbedder
from onex_lsp.learning.journal import Journal, JournalUnavailable
from onex_lsp.learning.journal_file import SCHEMA_VERSION
from onex_lsp.learning.learned_block import LearnedBlock
from onex_lsp.learning.remote_runner import RemoteRunner
from onex_lsp.learning.store import (
    GROUP_FIELD,
    INDEX_FORMAT,
    Hit,
    PatternStore,
    StoredPoint,
    StoreUnavailable,
    search_group,
)

log = logging.getLogger(__name__)
INDEX_DIR = "index"
# Learning inside the server: work in steps this small, pausing between them, so a request
# waits for at most one step instead of a 5 ms GIL switch interval per hand-over.
_POLITE_STEP = 8
_PAGE = 1024  # blocks read from the journal at a time: a rebuild of 100k held ~1 GB at once
_PAUSE = 0.002
_YIELD_AT_MOST = 0.5  # seconds a polite sync waits in all for the editor to pause
_CLOSE_WAIT = 0.5  # seconds close() waits for a network call in flight
T = TypeVar("T")


class IndexPaused(StoreUnavailable):
    """Too little free space for the embedded index: closed, not damaged."""


@dataclass(frozen=True)
class StoragePolicy:
    """How the library copes with its storage (tests shorten delays, inject the probe)."""

    min_free_bytes: int = datadir.MIN_FREE_BYTES
    free_space: datadir.FreeSpace = field(default=datadir.free_bytes)
    retry_first: float = 1.0  # seconds before the first retry; doubled after each failure
    retry_cap: float = 30.0
    query_budget: float = 0.25  # what a query may wait for a network index
    remote_timeout: int = 2  # seconds, per call to a network index (connect and read)


class IndexKeeper:
    """Owns the store: opens it, syncs it from the journal, answers queries, reopens it."""

    def __init__(
        self,
        data_dir: Path,
        journal: Journal,
        embedder: CachedEmbedder,
        store_url: str | None,
        api_key: str | None,
        policy: StoragePolicy,
        on_trouble: Callable[[], None],
    ) -> None:
        self.data_dir, self.journal, self.embedder = data_dir, journal, embedder
        self.store_url, self.api_key, self.policy = store_url, api_key, policy
        self._on_trouble = on_trouble
        self._lock = threading.RLock()
        self._store: PatternStore | None = None
        self._opened: OpenedIndex | None = None
        self._synced = self._forgotten_synced = 0
        self._unflushed = False  # indexed politely, not yet durable (``flush_pending``)
        self.editor_busy: Callable[[], bool] = lambda: False  # polite syncs wait it out
        self._seen_head: tuple[int, int] | None = None
        self._rebuild: str | None = None  # the owned shard failed in use: wipe it first
        self.problem: str | None = None  # why the index is closed, while it is
        self._paused_for_space = False
        self._backoff = datadir.Backoff(policy.retry_first, policy.retry_cap)
        network = store_url is not None and store_url != ":memory:"
        self._remote = RemoteRunner() if network else None

    # -- state ------------------------------------------------------------------------
    @property
    def description(self) -> str:
        store = self._store
        return store.description if store is not None else "not open"

    def folder(self) -> Path:
        return self.data_dir / INDEX_DIR / self.embedder.id

    def space_problem(self) -> str | None:
        """Why the embedded index must not open or grow now (never for a network one)."""
        if self.store_url:
            return None
        margin = self.policy.min_free_bytes
        return datadir.space_problem(self.data_dir, self.policy.free_space, margin)

    def pause(self, reason: str) -> None:
        """Too little free space: close the embedded index until the supervisor finds
        room again (a full disk under its mapped files is a SIGBUS)."""
        with self._lock:
            if self.problem is None:
                self._failed(f"learning is paused: {reason}", for_space=True)

    def healthy(self) -> bool:
        return self.problem is None

    def retry_in(self) -> float:
        """Seconds until the next attempt; free space is polled often (it is cheap)."""
        if self._paused_for_space:
            return min(self._backoff.remaining(), self.policy.retry_first)
        return self._backoff.remaining()

    def use_embedder(self, embedder: CachedEmbedder) -> None:
        """Another vector space: its own index, filled from the journal at the next sync."""
        self._serially(lambda: self._swap_embedder(embedder))

    def _swap_embedder(self, embedder: CachedEmbedder) -> None:
        with self._lock:
            self._close()
            self.embedder = embedder

    # -- opening and closing ----------------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "format": INDEX_FORMAT,
            "embedder": self.embedder.id,
            "dim": self.embedder.dim,
        }

    def _ensure(self, may_open: bool) -> PatternStore | None:
        """The open store; opened now only if ``may_open`` and no retry is pending."""
        if self._store is not None:
            return self._store
        if may_open and self._paused_for_space and self.space_problem() is None:
            self._backoff.succeeded()  # room again: no need to wait out the backoff
        if not may_open or not self._backoff.ready():
            return None
        try:
            self._open()
        except IndexPaused as exc:
            self._failed(str(exc), for_space=True)
            return None
        except (StoreUnavailable, OSError) as exc:
            self._failed(str(exc))
            return None
        except JournalUnavailable:
            return None  # the library pauses learning; the index waits for the journal
        if self.problem is not None:
            log.info("the pattern index is back (%s); learned blocks are offered again",
                     self.description)  # fmt: skip
        self.problem, self._paused_for_space = None, False
        self._backoff.succeeded()
        return self._store

    def _open(self) -> None:
        dim = self.embedder.dim
        if self.store_url:
            from onex_lsp.learning.store.qdrant_server import QdrantServerPatternStore

            timeout = self.policy.remote_timeout
            url, key, embedder_id = self.store_url, self.api_key, self.embedder.id
            self._store = QdrantServerPatternStore(url, dim, embedder_id, key, timeout)
            self._synced = self._forgotten_synced = 0  # a re-upsert is idempotent
        else:
            space = self.space_problem()
            if space is not None:
                raise IndexPaused(f"learning is paused: {space}")
            opened = open_edge_index(self.folder(), dim, self._meta(), self.journal, self._rebuild)
            self._opened, self._store, self._rebuild = opened, opened.store, None
            self._synced, self._forgotten_synced = opened.synced, opened.forgotten
        self._seen_head = None
        log.info("pattern index: %s", self.description)

    def _failed(self, reason: str, *, damaged: bool = False, for_space: bool = False) -> None:
        """Close the store after a failure; the supervisor reopens it after a backoff."""
        owned = self._opened is not None and self._opened.lock is not None
        self._paused_for_space = for_space
        self._close()
        if damaged and owned:
            self._rebuild = reason
        delay = self._backoff.failed()
        if self.problem is None and for_space:
            log.warning("%s; generation keeps working, and learning resumes by itself when "
                        "space is freed", reason)  # fmt: skip
        elif self.problem is None:
            log.warning(
                "learned blocks are not offered for now: %s (generation keeps working; "
                "retrying by itself, next in %.0f s)", reason, delay,
            )  # fmt: skip
        self.problem = reason
        self._on_trouble()

    def _close(self) -> None:
        store, opened = self._store, self._opened
        self._store, self._opened, self._seen_head = None, None, None
        if store is not None:
            try:
                store.close()  # flushes
                if self._unflushed and opened is not None and opened.lock is not None:
                    self._write_synced()
            except (StoreUnavailable, OSError) as exc:
                log.warning("closing the index failed: %s", exc)
        self._unflushed = False
        if opened is not None and opened.lock is not None:
            datadir.tighten_tree(self.folder())
            opened.lock.release()

    def close(self) -> None:
        """Close the store; a network call in flight is not waited for beyond a moment
        (it ends by its own timeout, and the store is closed after it)."""
        if self._remote is None:
            self._close_locked()
            return
        self._remote.run(self._close_locked, _CLOSE_WAIT)
        self._remote.close()

    def _close_locked(self) -> None:
        with self._lock:
            self._close()

    # -- syncing ----------------------------------------------------------------------
    def _serially(self, job: Callable[[], T]) -> T | None:
        """Run ``job`` where store calls run: inline, or in the network index's thread
        (waiting for it: only background work and the command line get here)."""
        if self._remote is None:
            return job()
        return self._remote.run(job, None)

    def sync(self, *, polite: bool = False, may_open: bool = True) -> int:
        """Index what the journal has and the index lacks (blocking); see ``_sync``."""
        return self._serially(lambda: self._sync(polite, may_open)) or 0

    def sync_soon(self, *, polite: bool = False) -> None:
        """After learning: index now for the embedded index (its queries expect it at
        once), in the background for a network one (a save never waits on a server)."""
        if self._remote is None:
            self._sync(polite, may_open=self.problem is None)
        elif not self._remote.busy():
            self._remote.submit(lambda: self._sync(polite, self._backoff.ready()))

    def refresh(self) -> None:
        """Before a query: sync inline for the embedded index (opening it only the first
        time: retries are the supervisor's), in the background for a network one."""
        if self._remote is None:
            self._sync(False, may_open=self.problem is None)
        elif not self._remote.busy() and (self._store is not None or self._backoff.ready()):
            self._remote.submit(lambda: self._sync(False, True))

    def _sync(self, polite: bool, may_open: bool) -> int:
        with self._lock:
            store = self._ensure(may_open)
            if store is None:
                return 0
            try:
                return self._sync_store(store, polite)
            except IndexPaused as exc:
                self._failed(str(exc), for_space=True)
                return 0
            except StoreUnavailable as exc:
                self._failed(str(exc), damaged=not self.store_url)
                return 0
            except JournalUnavailable:
                return 0

    def _sync_store(self, store: PatternStore, polite: bool) -> int:
        head = self.journal.head()
        if head == self._seen_head:
            return 0
        indexed, patience = 0, time.monotonic() + _YIELD_AT_MOST
        while page := self.journal.blocks(after_seq=self._synced, limit=_PAGE):
            step = _POLITE_STEP if polite else len(page)
            for first in range(0, len(page), step):
                space = self.space_problem()
                if space is not None:
                    raise IndexPaused(f"learning is paused: {space}")
                self._upsert(store, page[first : first + step])
                if polite:
                    time.sleep(_PAUSE)
                    while self.editor_busy() and time.monotonic() < patience:
                        time.sleep(_PAUSE)
            indexed += len(page)
        forgotten_seq, forgotten = self.journal.forgotten_after(self._forgotten_synced)
        if forgotten:
            store.delete(forgotten)
            self._forgotten_synced = forgotten_seq
        if self._owned() and (indexed or forgotten or self._unflushed):
            self._unflushed = True
            if not polite:
                self._flush(store)
        self._seen_head = head
        return indexed

    def _owned(self) -> bool:
        return self._opened is not None and self._opened.lock is not None

    def _flush(self, store: PatternStore) -> None:
        """Make what was indexed durable, then say so in the metadata. The engine holds
        the GIL while it writes its files (10-70 ms on this disk): in the server this
        runs when the editor is quiet (``flush_pending``), never after each save."""
        store.flush()
        self._write_synced()

    def _write_synced(self) -> None:
        meta = {**self._meta(), "synced_seq": self._synced}
        write_meta(self.folder(), {**meta, "forgotten_seq": self._forgotten_synced})
        self._unflushed = False

    def flush_pending(self) -> None:
        """Flush what polite syncs indexed. Until then a crash costs nothing but a
        re-index of those blocks at the next start (upserts by id are idempotent)."""
        self._serially(self._flush_locked)

    def _flush_locked(self) -> None:
        with self._lock:
            store = self._store
            if store is None or not self._unflushed or not self._owned():
                return
            try:
                self._flush(store)
            except StoreUnavailable as exc:
                self._failed(str(exc), damaged=True)
            except OSError as exc:  # the metadata: the next start re-indexes those blocks
                log.warning("could not record the index's progress: %s", exc)

    def _upsert(self, store: PatternStore, part: list[tuple[int, LearnedBlock]]) -> None:
        blocks = [b for _, b in part]
        vectors = self.embedder.embed([b.embedding_text for b in blocks])
        pairs = zip(blocks, vectors, strict=True)
        store.upsert([StoredPoint(b.id, v, _payload(b)) for b, v in pairs])
        self._synced = part[-1][0]

    def reindex(self) -> int:
        """Drop the index and rebuild it from the journal."""

        def rebuild() -> int:
            with self._lock:
                self._close()
                if not self.store_url:
                    self._rebuild = "asked to reindex"
                self._synced = self._forgotten_synced = 0
                self._backoff.succeeded()
                return self._sync(False, True)

        return self._serially(rebuild) or 0

    # -- querying ---------------------------------------------------------------------
    def search(self, vector: list[float], match: dict[str, str], limit: int) -> list[Hit]:
        """Nearest learned blocks; ``[]`` at once whenever the index is away."""
        if self._remote is None:
            with self._lock:
                return self._search(vector, match, limit)
        if self._store is None or self._remote.busy():
            return []
        return self._remote.run(lambda: self._search(vector, match, limit),
                                self.policy.query_budget) or []  # fmt: skip

    def _search(self, vector: list[float], match: dict[str, str], limit: int) -> list[Hit]:
        store = self._store
        if store is None:
            return []
        try:
            return store.search(vector, match, limit)
        except StoreUnavailable as exc:
            self._failed(str(exc), damaged=not self.store_url)
            return []


def _payload(block: LearnedBlock) -> dict[str, Any]:
    return {
        "kind": block.kind,
        "block": block.block or "",
        "node_kind": block.node_kind or "",
        "needs": block.needs or "",
        "operation": block.operation or "",
        "origin": block.origin_file,
        GROUP_FIELD: search_group(block.kind, block.node_kind or "", block.block or ""),
    }
