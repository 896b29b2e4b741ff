"""The journal's lookups by id and seq use the id/seq indexes, whatever the journal holds.

Without table statistics SQLite picked the ``blocks_kind`` index (its first column is
``forgotten``) for ``id IN (...) AND forgotten = 0`` and scanned every live block: 170 ms
per lookup at 100k blocks, on every learned-options query. The plan does not depend on
the table's size, so a small journal shows it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from onex_lsp.learning.blocks import blocks_from_source
from onex_lsp.learning.journal import Journal
from onex_lsp.learning.lineage import family_roots
from tests.unit.journal_trace import traced_statements
from tests.unit.test_library import handler, path


def _traced_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Journal, list[str]]:
    """A journal whose connections record every statement they run (with its values)."""
    statements = traced_statements(monkeypatch)
    return Journal(tmp_path / "journal.sqlite3"), statements


def _plans(database: Path, statements: list[str]) -> list[str]:
    db = sqlite3.connect(database)
    try:
        return [
            " ".join(str(row[-1]) for row in db.execute(f"EXPLAIN QUERY PLAN {sql}"))
            for sql in statements
        ]
    finally:
        db.close()


@pytest.mark.parametrize(
    "lookup",
    [
        lambda journal, ids: journal.get_many(ids),
        lambda journal, ids: journal.get(ids[0]),
        lambda journal, ids: journal.get(ids[0][:6]),
        lambda journal, ids: journal.blocks(after_seq=1),
    ],
    ids=["get_many", "get", "get by prefix", "blocks after seq"],
)
def test_lookups_by_id_or_seq_never_scan_the_blocks(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lookup: Callable[[Journal, list[str]], object],
) -> None:
    journal, statements = _traced_journal(tmp_path, monkeypatch)
    blocks = [b for n in range(3) for b in blocks_from_source(handler(n), path(n)).blocks]
    journal.add_blocks(blocks)
    statements.clear()
    lookup(journal, [b.id for b in blocks])
    reads = [sql for sql in statements if sql.startswith("SELECT") and "FROM blocks" in sql]
    assert reads
    for plan in _plans(journal.path, reads):
        assert "blocks_kind" not in plan and "SCAN" not in plan, plan
    journal.close()


def test_families_read_only_the_blocks_with_lineage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``patterns stats`` builds families from ``Journal.parents``: every derived block and
    the live roots it names (or that have family feedback), through the partial index,
    never a scan of a store whose blocks mostly have no parent."""
    journal, statements = _traced_journal(tmp_path, monkeypatch)
    root, child, grandchild, alone, with_feedback, from_builtin, gone, orphan = [
        blocks_from_source(handler(n), path(n)).blocks[0] for n in range(8)
    ]
    derived = [
        replace(child, parent_id=f"learned:{root.id}"),
        replace(grandchild, parent_id=f"learned:{child.id}"),
        replace(from_builtin, parent_id="builtin:crud.create"),
        replace(orphan, parent_id=f"learned:{gone.id}"),
    ]
    journal.add_blocks([root, alone, with_feedback, gone, *derived])
    journal.forget(gone.id)
    statements.clear()
    parents = journal.parents(also=[with_feedback.id, gone.id])
    assert parents == {
        root.id: None,
        with_feedback.id: None,
        child.id: f"learned:{root.id}",
        grandchild.id: f"learned:{child.id}",
        from_builtin.id: "builtin:crud.create",
        orphan.id: f"learned:{gone.id}",
    }
    assert family_roots(parents)[grandchild.id] == f"learned:{root.id}"
    assert family_roots(parents)[orphan.id] == f"learned:{orphan.id}"  # its parent is gone
    reads = [sql for sql in statements if sql.startswith("SELECT") and "FROM blocks" in sql]
    plans = _plans(journal.path, reads)
    assert any("USING INDEX blocks_parent" in plan for plan in plans), plans
    for plan in plans:  # the partial index holds only derived blocks; roots by primary key
        assert "USING INDEX blocks_parent" in plan or plan.startswith("SEARCH"), plan
    journal.close()
