"""The journal's counts for reports (``patterns stats``, the index's health): each one SQL
query over the journal's tables that decodes no block in Python.

A mixin of ``Journal`` (which provides ``_connection``), kept apart from the writes and
the lookups of the request path.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager


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

    def parents(self) -> dict[str, str | None]:
        """Each live block's id and the pattern key it was derived from (its ``parent_id``),
        what families are made of."""
        query = "SELECT id, json_extract(payload, '$.parent_id') FROM blocks WHERE forgotten = 0"
        with self._connection() as db:
            rows = db.execute(query).fetchall()
        return {str(block): str(parent) if parent else None for block, parent in rows}

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
