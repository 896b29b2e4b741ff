"""The append-only journal: the source of truth for learned blocks and events.

SQLite in WAL mode, so several server processes (editor windows) can write to one data
directory at once; every write is one short transaction (bulk learning: one per batch of
files), so a crash (even kill -9) loses nothing that was committed. The vector index is
rebuilt from here at any time. Embeddings are cached here too, keyed by embedder and text
hash. Readers on the request path only use indexed lookups: blocks and forgotten ids are
append-only logs read by ``seq``, so "what changed since" is a range, never a scan.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from onex_lsp.loop_guard import assert_off_loop

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    created_at REAL NOT NULL,
    forgotten INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    type TEXT NOT NULL,
    block_id TEXT,
    payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS embeddings (
    embedder TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector TEXT NOT NULL,
    PRIMARY KEY (embedder, text_hash)
);
CREATE INDEX IF NOT EXISTS events_block ON events (block_id);
CREATE TABLE IF NOT EXISTS forgotten (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE
);
"""
# Journals written before the ``forgotten`` log existed: carry their forgotten ids over once.
_BACKFILL_FORGOTTEN = """
INSERT OR IGNORE INTO forgotten (id) SELECT id FROM blocks WHERE forgotten = 1 ORDER BY seq
"""


@dataclass(frozen=True)
class LearnedBlock:
    """A reusable block: its source, its parameterised template and what it is for."""

    id: str
    fingerprint: str
    kind: str  # handler | error_handling | validation | dependency_injection | naming | test
    block: str | None  # crud.create, transformation.parse, ... for handlers
    node_kind: str | None
    operation: str | None
    needs: str | None
    is_async: bool
    source: str
    template: str
    origin_file: str
    origin_range: tuple[int, int, int, int]
    learned_at: float
    embedding_text: str
    parent_id: str | None = None  # the block it was derived from (feedback)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        # Fields are plain values: no need for asdict's recursive deep copy (bulk learning
        # serialises thousands of blocks); the JSON is the same.
        return json.dumps({f.name: getattr(self, f.name) for f in fields(self)}, sort_keys=True)

    @staticmethod
    def from_json(text: str) -> LearnedBlock:
        data = json.loads(text)
        data["origin_range"] = tuple(data["origin_range"])
        return LearnedBlock(**data)


class Journal:
    """Thread-safe; one connection per thread (sqlite3 connections are not shareable)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connection() as db:
            db.executescript(_SCHEMA)
            db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            if db.execute("SELECT 1 FROM meta WHERE key = 'forgotten_log'").fetchone() is None:
                db.execute(_BACKFILL_FORGOTTEN)
                db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('forgotten_log', '1')")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA busy_timeout=30000")
        return db

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        assert_off_loop(f"journal {self.path.name}")
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
        yield db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def add_block(self, block: LearnedBlock) -> bool:
        """Journal a block; ``False`` when one with the same fingerprint exists (dedupe)."""
        return self.add_blocks([block])[0]

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
        with self._transaction() as db:
            return self._event(db, event_type, block_id, payload)

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

    def blocks(self, after_seq: int = 0) -> list[tuple[int, LearnedBlock]]:
        """Live blocks journalled after ``after_seq``, oldest first."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT seq, payload FROM blocks WHERE seq > ? AND forgotten = 0 ORDER BY seq",
                (after_seq,),
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
                "SELECT payload FROM blocks WHERE id = ? AND forgotten = 0", (block_id,)
            ).fetchone()
            prefix = block_id.lower()  # ids are lowercase UUIDs; LIKE ignored case too
            if row is None and prefix and ord(prefix[-1]) < 0x10FFFF:
                upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
                row = db.execute(
                    "SELECT payload FROM blocks WHERE id >= ? AND id < ? AND forgotten = 0"
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
                f"SELECT id, payload FROM blocks WHERE id IN ({marks}) AND forgotten = 0",
                block_ids,
            ).fetchall()
        return {row[0]: LearnedBlock.from_json(row[1]) for row in rows}

    def events(self, block_id: str | None = None) -> list[dict[str, Any]]:
        query = "SELECT seq, at, type, block_id, payload FROM events"
        args: tuple[Any, ...] = ()
        if block_id is not None:
            query += " WHERE block_id = ?"
            args = (block_id,)
        with self._connection() as db:
            rows = db.execute(query + " ORDER BY seq", args).fetchall()
        return [
            {"seq": s, "at": at, "type": t, "block_id": b, **json.loads(p)}
            for s, at, t, b, p in rows
        ]

    def cached_embedding(self, embedder: str, text: str) -> list[float] | None:
        return self.cached_embeddings(embedder, [text]).get(text)

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

    def cache_embedding(self, embedder: str, text: str, vector: list[float]) -> None:
        self.cache_embeddings(embedder, [(text, vector)])

    def cache_embeddings(self, embedder: str, vectors: list[tuple[str, list[float]]]) -> None:
        """Cache many vectors in one transaction (a bulk index pass commits once)."""
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings (embedder, text_hash, vector) VALUES (?, ?, ?)",
                [(embedder, _hash(text), json.dumps(vector)) for text, vector in vectors],
            )

    def wipe_events(self) -> int:
        """Forget all feedback (events), keep the learned blocks."""
        with self._transaction() as db:
            return db.execute("DELETE FROM events").rowcount

    def close(self) -> None:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
