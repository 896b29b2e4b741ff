"""The append-only journal: the source of truth for learned blocks and events.

SQLite in WAL mode, so several server processes (editor windows) can write to one data
directory at once; every write is one short transaction (bulk learning: one per batch of
files), so a crash (even kill -9) loses nothing that was committed. The vector index is
rebuilt from here at any time. Embeddings are cached here too, keyed by embedder and text
hash. Readers on the request path only use indexed lookups: blocks and forgotten ids are
append-only logs read by ``seq``, so "what changed since" is a range, never a scan.
``+forgotten = 0`` where rows are found by id or seq: else SQLite prefers ``blocks_kind``
(led by ``forgotten``) and scans every live block (170 ms a lookup at 100k blocks).
The counts reports need are in ``journal_counts``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from onex_lsp.learning.datadir import Backoff
from onex_lsp.learning.journal_counts import JournalCounts
from onex_lsp.learning.journal_file import (
    SCHEMA_VERSION,
    JournalUnavailable,
    create_schema,
    enable_wal,
    is_outage,
    prepare_file,
)
from onex_lsp.learning.learned_block import LearnedBlock
from onex_lsp.loop_guard import assert_off_loop

__all__ = ["SCHEMA_VERSION", "Journal", "JournalUnavailable", "LearnedBlock"]
log = logging.getLogger(__name__)
_BUFFERED = 10_000  # feedback events kept in memory while the journal is unavailable


class Journal(JournalCounts):
    """Thread-safe; one connection per thread (sqlite3 connections are not shareable).

    Never a crash for a data directory that is missing, read-only, full or corrupt: the
    journal is then *unavailable* (``problem`` says why, logged once), reopening is
    retried with backoff on use, feedback events are buffered in memory and written when
    it is back, and a corrupt file is moved aside (``journal_file``).
    """

    def __init__(
        self,
        path: Path,
        *,
        retry: Backoff | None = None,
        on_trouble: Callable[[], None] | None = None,
    ) -> None:
        self.path = path
        self._on_trouble = on_trouble
        self._local = threading.local()
        self._state = threading.Lock()
        self._generation = 0  # which (re)open connections belong to; 0 while unavailable
        self._opens = 0
        self._problem: str | None = None
        self._backoff = retry or Backoff()
        self._buffered: deque[tuple[float, str, str | None, str]] = deque(maxlen=_BUFFERED)
        with contextlib.suppress(JournalUnavailable):
            self.ensure_open()

    @property
    def problem(self) -> str | None:
        """Why the journal cannot be used now, or ``None``."""
        return self._problem

    def retry_in(self) -> float:
        """Seconds before reopening is tried again (0: at the next use)."""
        return self._backoff.remaining()

    def ensure_open(self) -> None:
        """Open (or reopen) the journal unless it is open or a retry is not due yet."""
        with self._state:
            if self._generation:
                return
            if not self._backoff.ready():
                raise JournalUnavailable(self._problem or "the journal is not open")
            try:
                prepare_file(self.path)
                db = self._connect()
                create_schema(db)
                self._flush_buffered(db)
            except (JournalUnavailable, sqlite3.DatabaseError, OSError) as exc:
                self._down(str(exc))
                raise JournalUnavailable(self._problem or str(exc)) from exc
            recovered, self._problem = self._problem, None
            self._backoff.succeeded()
            self._opens += 1
            self._generation = self._opens
            self._local.conn = (self._generation, db)
        if recovered:
            log.info("the journal %s is usable again; learning resumes", self.path)

    def _down(self, reason: str) -> None:
        """Called with ``_state`` held: mark unavailable, say so once per outage."""
        self._generation = 0
        delay = self._backoff.failed()
        if self._problem is None:
            log.warning(
                "learning is paused: %s (generation still works; retrying by itself, "
                "next in %.0f s)", reason, delay,
            )  # fmt: skip
        self._problem = reason
        if self._on_trouble is not None:
            self._on_trouble()

    def _flush_buffered(self, db: sqlite3.Connection) -> None:
        """Events recorded while the journal was unavailable, in one transaction."""
        if not self._buffered:
            return
        rows = list(self._buffered)
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO events (at, type, block_id, payload) VALUES (?, ?, ?, ?)", rows)
        db.execute("COMMIT")
        self._buffered.clear()
        log.info("wrote %d feedback event(s) buffered while the journal was away", len(rows))

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        enable_wal(db)
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA busy_timeout=30000")
        return db

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        assert_off_loop(f"journal {self.path.name}")
        self.ensure_open()
        current = self._generation
        generation, db = getattr(self._local, "conn", (0, None))
        if db is None or generation != current:
            if db is not None:
                with contextlib.suppress(sqlite3.Error):
                    db.close()
            db = self._connect_or_fail()
            self._local.conn = (current, db)
        try:
            yield db
        except sqlite3.DatabaseError as exc:
            if not is_outage(exc):
                raise
            with self._state:
                if self._generation == current:  # the first thread to notice says so
                    self._down(str(exc))
            raise JournalUnavailable(str(exc)) from exc

    def _connect_or_fail(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            with self._state:
                self._down(str(exc))
            raise JournalUnavailable(str(exc)) from exc

    @contextmanager
    def _transaction(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """``durable``: the commit waits for the disk (fsync); else only for the WAL."""
        with self._connection() as db:
            db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def add_blocks(self, blocks: list[LearnedBlock]) -> list[bool]:
        """Journal blocks in one transaction (one fsync for a whole batch of files);
        per block, whether it was new. Set-based: one lookup and two bulk inserts."""
        added = []
        with self._transaction() as db:
            known = self._known_fingerprints(db, [b.fingerprint for b in blocks])
            rows, events = [], []
            for block in blocks:
                new = block.fingerprint not in known
                if new:
                    known.add(block.fingerprint)
                    rows.append((block.id, block.fingerprint, block.to_json(), block.learned_at))
                    origin = json.dumps({"origin": block.origin_file}, sort_keys=True)
                    events.append((time.time(), "learned", block.id, origin))
                added.append(new)
            db.executemany(
                "INSERT INTO blocks (id, fingerprint, payload, created_at) VALUES (?, ?, ?, ?)",
                rows,
            )
            db.executemany(
                "INSERT INTO events (at, type, block_id, payload) VALUES (?, ?, ?, ?)", events
            )
        return added

    @staticmethod
    def _known_fingerprints(db: sqlite3.Connection, fingerprints: list[str]) -> set[str]:
        known: set[str] = set()
        for first in range(0, len(fingerprints), 500):
            chunk = fingerprints[first : first + 500]
            marks = ", ".join("?" * len(chunk))
            query = f"SELECT fingerprint FROM blocks WHERE fingerprint IN ({marks})"
            known.update(row[0] for row in db.execute(query, chunk))
        return known

    def record(self, event_type: str, block_id: str | None, payload: dict[str, Any]) -> int:
        """Journal an event (committed when this returns); while the journal is
        unavailable it is buffered in memory and written when it is back (0 is returned)."""
        try:
            with self._transaction() as db:
                return self._event(db, event_type, block_id, payload)
        except JournalUnavailable:
            text = json.dumps(payload, sort_keys=True)
            self._buffered.append((time.time(), event_type, block_id, text))
            return 0

    @staticmethod
    def _event(
        db: sqlite3.Connection, event_type: str, block_id: str | None, payload: dict[str, Any]
    ) -> int:
        cursor = db.execute(
            "INSERT INTO events (at, type, block_id, payload) VALUES (?, ?, ?, ?)",
            (time.time(), event_type, block_id, json.dumps(payload, sort_keys=True)),
        )
        return int(cursor.lastrowid or 0)

    def forget(self, block_id: str) -> bool:
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE blocks SET forgotten = 1 WHERE id = ? AND forgotten = 0", (block_id,)
            )
            if cursor.rowcount:
                db.execute("INSERT OR IGNORE INTO forgotten (id) VALUES (?)", (block_id,))
                self._event(db, "forgotten", block_id, {})
            return cursor.rowcount > 0

    def blocks(self, after_seq: int = 0, limit: int = -1) -> list[tuple[int, LearnedBlock]]:
        """Live blocks journalled after ``after_seq``, oldest first (``limit``: at most
        that many; -1: all)."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT seq, payload FROM blocks WHERE seq > ? AND +forgotten = 0 "
                "ORDER BY seq LIMIT ?",
                (after_seq, limit),
            ).fetchall()
        return [(int(seq), LearnedBlock.from_json(payload)) for seq, payload in rows]

    def head(self) -> tuple[int, int]:
        """The last block seq and the last forgotten seq: equal heads mean nothing changed
        (two primary-key lookups, whatever the journal's size)."""
        with self._connection() as db:
            row = db.execute(
                "SELECT (SELECT max(seq) FROM blocks), (SELECT max(seq) FROM forgotten)"
            ).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def forgotten_after(self, after_seq: int = 0) -> tuple[int, list[str]]:
        """Ids forgotten after ``after_seq`` and the seq to resume from."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT seq, id FROM forgotten WHERE seq > ? ORDER BY seq", (after_seq,)
            ).fetchall()
        return (int(rows[-1][0]) if rows else after_seq), [row[1] for row in rows]

    def forgotten_ids(self) -> list[str]:
        return self.forgotten_after(0)[1]

    def get(self, block_id: str) -> LearnedBlock | None:
        """A live block by id, else by a unique-enough id prefix (``patterns show 1a2b``).

        Both use the id's unique index: the exact match, then a range ``[prefix, next)``
        (``LIKE`` with ``OR`` would scan the table).
        """
        with self._connection() as db:
            row = db.execute(
                "SELECT payload FROM blocks WHERE id = ? AND +forgotten = 0", (block_id,)
            ).fetchone()
            prefix = block_id.lower()  # ids are lowercase UUIDs; LIKE ignored case too
            if row is None and prefix and ord(prefix[-1]) < 0x10FFFF:
                upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
                row = db.execute(
                    "SELECT payload FROM blocks WHERE id >= ? AND id < ? AND +forgotten = 0"
                    " ORDER BY id LIMIT 1",
                    (prefix, upper),
                ).fetchone()
        return LearnedBlock.from_json(row[0]) if row else None

    def get_many(self, block_ids: list[str]) -> dict[str, LearnedBlock]:
        """Live blocks by exact id, in one indexed query."""
        if not block_ids:
            return {}
        marks = ", ".join("?" * len(block_ids))
        with self._connection() as db:
            rows = db.execute(
                f"SELECT id, payload FROM blocks WHERE id IN ({marks}) AND +forgotten = 0",
                block_ids,
            ).fetchall()
        return {row[0]: LearnedBlock.from_json(row[1]) for row in rows}

    def events(
        self, block_id: str | None = None, types: Collection[str] | None = None
    ) -> list[dict[str, Any]]:
        """Every event (of ``types``, if given), oldest first; while the journal is
        unavailable, the buffered ones."""
        where = [("block_id = ?", [block_id])] if block_id is not None else []
        if types is not None:
            where.append((f"type IN ({', '.join('?' * len(types))})", list(types)))
        query = "SELECT seq, at, type, block_id, payload FROM events"
        if where:
            query += " WHERE " + " AND ".join(clause for clause, _ in where)
        args = [arg for _, values in where for arg in values]
        try:
            with self._connection() as db:
                rows = db.execute(query + " ORDER BY seq", args).fetchall()
        except JournalUnavailable:
            rows = [
                (0, *event)
                for event in self._buffered
                if block_id in (None, event[2]) and (types is None or event[1] in types)
            ]
        return [
            {"seq": s, "at": at, "type": t, "block_id": b, **json.loads(p)}
            for s, at, t, b, p in rows
        ]

    def cached_embeddings(self, embedder: str, texts: list[str]) -> dict[str, list[float]]:
        """The cached vectors of ``texts`` (primary-key lookups, 500 per query)."""
        by_hash = {_hash(text): text for text in texts}
        hashes = list(by_hash)
        found: dict[str, list[float]] = {}
        with self._connection() as db:
            for first in range(0, len(hashes), 500):
                chunk = hashes[first : first + 500]
                rows = db.execute(
                    "SELECT text_hash, vector FROM embeddings WHERE embedder = ?"
                    f" AND text_hash IN ({', '.join('?' * len(chunk))})",
                    (embedder, *chunk),
                ).fetchall()
                for text_hash, vector in rows:
                    found[by_hash[text_hash]] = [float(x) for x in json.loads(vector)]
        return found

    def cache_embeddings(self, embedder: str, vectors: list[tuple[str, list[float]]]) -> None:
        """Cache many vectors in one transaction (a bulk index pass commits once), not
        fsync'd: a vector lost in a crash is computed again."""
        with self._transaction(durable=False) as db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings (embedder, text_hash, vector) VALUES (?, ?, ?)",
                [(embedder, _hash(text), json.dumps(vector)) for text, vector in vectors],
            )

    def wipe_events(self) -> int:
        """Forget all feedback (events), keep the learned blocks."""
        with self._transaction() as db:
            return db.execute("DELETE FROM events").rowcount

    def close(self) -> None:
        """Close this thread's connection (the others close with their threads)."""
        _, db = getattr(self._local, "conn", (0, None))
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.close()
            self._local.conn = (0, None)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
