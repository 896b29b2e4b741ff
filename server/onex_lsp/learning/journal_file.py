"""The journal's file: created private, checked before use, moved aside when corrupt.

The journal is the truth, so a damaged one is never deleted: it is renamed to
``journal.sqlite3.corrupt-<timestamp>`` (with its WAL) and a fresh journal starts, with
one message saying where the old one went. Only SQLite's own verdicts count as
corruption ("not a database", "malformed", a failed ``quick_check``); a busy, locked,
read-only or missing file is an outage to wait out, never a reason to move anything.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from pathlib import Path

from onex_lsp.learning import datadir

log = logging.getLogger(__name__)
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
CREATE INDEX IF NOT EXISTS blocks_kind ON blocks
    (forgotten, json_extract(payload, '$.kind'), json_extract(payload, '$.block'));
CREATE INDEX IF NOT EXISTS blocks_parent ON blocks (json_extract(payload, '$.parent_id'))
    WHERE json_extract(payload, '$.parent_id') IS NOT NULL;
CREATE TABLE IF NOT EXISTS forgotten (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE
);
"""
# Journals written before the ``forgotten`` log existed: carry their forgotten ids over once.
_BACKFILL_FORGOTTEN = """
INSERT OR IGNORE INTO forgotten (id) SELECT id FROM blocks WHERE forgotten = 1 ORDER BY seq
"""
_CORRUPT_MARKERS = ("not a database", "malformed", "file is encrypted", "corrupt")
_COMPANIONS = ("-wal", "-shm", "-journal")


class JournalUnavailable(RuntimeError):
    """The journal cannot be used now (data directory missing, read-only, full or
    corrupt); the message says why. Learning pauses and resumes by itself."""


def is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """SQLite says the file's content is damaged (as opposed to busy or unwritable)."""
    text = str(exc).lower()
    return any(marker in text for marker in _CORRUPT_MARKERS)


def is_outage(exc: sqlite3.DatabaseError) -> bool:
    """The file cannot be opened or written now: read-only, full, I/O, gone."""
    if is_corruption(exc):
        return True
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and any(
        marker in text
        for marker in ("readonly", "read-only", "unable to open", "disk i/o", "full", "no such")
    )


def integrity_problem(path: Path) -> str | None:
    """What is wrong with the journal's content, or ``None`` when SQLite reads it."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as db:
            db.execute("PRAGMA busy_timeout=30000")
            rows = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc) if is_corruption(exc) else None
    verdict = "; ".join(str(row[0]) for row in rows[:3])
    return None if verdict == "ok" else verdict


def quarantine(path: Path, reason: str) -> Path:
    """Move a corrupt journal (and its WAL) aside; the new name is returned."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    try:
        path.rename(target)
    except FileNotFoundError:  # another process moved it first
        return target
    except OSError as exc:
        raise JournalUnavailable(f"the journal {path} is corrupt ({reason}) and cannot be "
                                 f"moved aside: {exc}") from exc  # fmt: skip
    for suffix in _COMPANIONS:
        companion = path.with_name(path.name + suffix)
        with contextlib.suppress(OSError):
            companion.rename(target.with_name(target.name + suffix))
    log.warning(
        "the journal %s was corrupt (%s): moved it to %s and started a new one; the blocks "
        "and feedback it held are in that file",
        path, reason, target.name,
    )  # fmt: skip
    return target


def prepare_file(path: Path) -> None:
    """Before connecting: a private, writable data directory and a journal SQLite can read.

    SQLite gives its WAL and shared-memory files the database file's mode, so creating
    the file 0600 first keeps all three private.
    """
    try:
        datadir.prepare(path.parent)
    except datadir.DataDirProblem as exc:
        raise JournalUnavailable(str(exc)) from exc
    problem = integrity_problem(path)
    if problem is not None:
        quarantine(path, problem)
    try:
        datadir.create_private_file(path)
    except OSError as exc:
        raise JournalUnavailable(f"cannot create the journal {path}: {exc}") from exc
    for suffix in _COMPANIONS:
        datadir.tighten(path.with_name(path.name + suffix), datadir.FILE_MODE)


def enable_wal(db: sqlite3.Connection, patience: float = 30.0) -> None:
    """Switch a new journal to WAL, waiting out other processes doing the same.

    SQLite answers "database is locked" at once, without its busy wait, to a connection
    that read a rollback-mode file while another one converts it (they would deadlock),
    so several editor windows opening a new data directory together need to retry.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def create_schema(db: sqlite3.Connection) -> None:
    """The tables (idempotent), and the forgotten log carried over from older journals.

    One ``BEGIN IMMEDIATE`` transaction: processes opening a new journal together would
    otherwise each read the schema, then try to write it from a stale snapshot, which
    SQLite refuses at once ("database is locked", no busy wait).
    """
    try:
        db.executescript("BEGIN IMMEDIATE;" + _SCHEMA)  # its BEGIN waits like any other
        db.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )
        if db.execute("SELECT 1 FROM meta WHERE key = 'forgotten_log'").fetchone() is None:
            db.execute(_BACKFILL_FORGOTTEN)
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('forgotten_log', '1')")
    except BaseException:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
