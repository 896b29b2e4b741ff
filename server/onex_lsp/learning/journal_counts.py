"""The journal's counts for reports (``patterns stats``, the index's health): each one SQL
query over the journal's tables that decodes no block in Python.

A mixin of ``Journal`` (which provides ``_connection``), kept apart from the writes and
the lookups of the request path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager

from onex_lsp.layout import LEARNED_PREFIX, is_learned_key

_BATCH = 500  # ids per IN (...): under SQLite's variable limit


class JournalCounts:
    def _connection(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # ``Journal`` provides it

    def kind_counts(self) -> dict[tuple[str, str | None], int]:
        """Live blocks per (kind, block), from an index: ``patterns stats`` decodes nothing."""
        query = (
            "SELECT json_extract(payload, '$.kind'), json_extract(payload, '$.block'), count(*)"
            " FROM blocks WHERE forgotten = 0 GROUP BY 1, 2"
        )
        with self._connection() as db:
            rows = db.execute(query).fetchall()
        return {(str(kind), block): int(count) for kind, block, count in rows}

    def event_counts(self) -> dict[str, int]:
        with self._connection() as db:
            rows = db.execute("SELECT type, count(*) FROM events GROUP BY type").fetchall()
        return {str(kind): int(count) for kind, count in rows}

    def parents(self, also: Iterable[str] = ()) -> dict[str, str | None]:
        """The parent key (``parent_id``) of each live block derived from another, and the
        live blocks among their learned parents and ``also`` (roots with family feedback):
        what families are made of. Read through the partial index ``blocks_parent``, so the
        blocks without lineage (most of a bulk-learned store) are never read."""
        query = (
            "SELECT id, json_extract(payload, '$.parent_id') FROM blocks"
            " WHERE json_extract(payload, '$.parent_id') IS NOT NULL AND +forgotten = 0"
        )
        with self._connection() as db:
            derived = {str(block): str(parent) for block, parent in db.execute(query)}
            wanted = {p[len(LEARNED_PREFIX) :] for p in derived.values() if is_learned_key(p)}
            wanted = (wanted | set(also)) - derived.keys()
            roots = _live_ids(db, sorted(wanted))
        return {**dict.fromkeys(roots), **derived}

    def indexed_count(self, synced_seq: int, forgotten_seq: int) -> int:
        """How many points an index that saw the journal up to these seqs holds: blocks up
        to ``synced_seq`` not forgotten up to ``forgotten_seq`` (an index whose count
        differs lost writes in a crash, and is rebuilt)."""
        with self._connection() as db:
            row = db.execute(
                "SELECT count(*) FROM blocks WHERE seq <= ? AND id NOT IN"
                " (SELECT id FROM forgotten WHERE seq <= ?)",
                (synced_seq, forgotten_seq),
            ).fetchone()
        return int(row[0])


def _live_ids(db: sqlite3.Connection, ids: list[str]) -> list[str]:
    live: list[str] = []
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        marks = ",".join("?" * len(batch))
        rows = db.execute(f"SELECT id FROM blocks WHERE id IN ({marks}) AND +forgotten = 0", batch)
        live.extend(str(row[0]) for row in rows)
    return live
