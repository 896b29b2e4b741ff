"""The journal is the truth, the index is rebuilt from it; two processes and a crash lose nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from onex_lsp.learning import index_keeper
from onex_lsp.learning.blocks import blocks_from_source
from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.index_status import IndexStatus
from onex_lsp.learning.journal import Journal, LearnedBlock
from onex_lsp.learning.journal_file import SCHEMA_VERSION
from onex_lsp.learning.library import JOURNAL_FILE, PatternLibrary
from onex_lsp.learning.lineage import Origin
from onex_lsp.learning.store import (
    GROUP_FIELD,
    INDEX_FORMAT,
    PatternStore,
    StoredPoint,
    StoreUnavailable,
    search_group,
)
from onex_lsp.learning.store.qdrant_edge import EdgePatternStore
from onex_lsp.learning.store.qdrant_server import QdrantServerPatternStore
from tests.conftest import ROOT

HANDLER = textwrap.dedent(
    '''\
    from ..models.model_orders_input import ModelOrdersInput
    from ..models.model_orders_output import ModelOrdersOutput


    def handle_total_orders(request: ModelOrdersInput) -> ModelOrdersOutput:
        """Sum the amounts."""
        total = sum(float(item.get("amount", 0)) for item in request.items)
        return ModelOrdersOutput(operation="total_orders", data={"total": total, "n": N})
    '''
)


def handler(n: int) -> str:
    return HANDLER.replace("N}", f"{n}}}")


def path(n: int = 0) -> str:
    return f"/ws/node_orders_reducer/handlers/handler_total_orders_{n}.py"


@pytest.fixture(params=["edge", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PatternStore]:
    if request.param == "edge":
        made: PatternStore = EdgePatternStore(tmp_path / "shard", 384)
    else:
        made = QdrantServerPatternStore(":memory:", 384, "hashing-v1-384")
    yield made
    made.close()


def test_store_upserts_filters_and_deletes(store: PatternStore) -> None:
    embed = HashingEmbedder().embed
    ids = ["6f1c0f64-4ad8-4b4e-9d0e-000000000001", "6f1c0f64-4ad8-4b4e-9d0e-000000000002"]
    vectors = embed(["effect crud.create create user", "reducer aggregation.sum total sales"])
    store.upsert(
        [
            StoredPoint(ids[0], vectors[0], {GROUP_FIELD: search_group("handler", "effect", "a")}),
            StoredPoint(ids[1], vectors[1], {GROUP_FIELD: search_group("handler", "reducer", "a")}),
        ]
    )
    assert store.count() == 2
    (query,) = embed(["effect crud.create create order"])
    hits = store.search(query, {}, 5)
    assert [h.id for h in hits] == ids
    assert hits[0].score > hits[1].score
    reducers = {GROUP_FIELD: search_group("handler", "reducer", "a")}
    assert [h.id for h in store.search(query, reducers, 5)] == [ids[1]]
    store.delete([ids[0]])
    assert store.count() == 1


def test_edge_index_persists_and_is_locked(tmp_path: Path) -> None:
    first = EdgePatternStore(tmp_path / "shard", 384)
    first.upsert(
        [
            StoredPoint(
                "6f1c0f64-4ad8-4b4e-9d0e-000000000003",
                HashingEmbedder().embed(["x"])[0],
                {"kind": "t"},
            )
        ]
    )
    with pytest.raises(StoreUnavailable):
        EdgePatternStore(tmp_path / "shard", 384)
    first.close()
    again = EdgePatternStore(tmp_path / "shard", 384)
    assert again.count() == 1
    again.close()


def test_journal_dedupes_forgets_and_rebuilds_the_index(tmp_path: Path) -> None:
    library = PatternLibrary(tmp_path, HashingEmbedder())
    report = library.learn_source(handler(1), path(1))
    assert [b.kind for b in report.learned] == ["handler"]
    assert library.learn_source(handler(1), path(1)).learned == ()  # re-save adds nothing
    library.learn_source(handler(2), path(2))
    assert len(library.journal.blocks()) == 2
    candidates = library.candidates(
        "reducer", "aggregation.sum", "reducer node, aggregation.sum handler for total orders"
    )
    assert len(candidates) == 2
    assert library.journal.forget(candidates[0].block.id)
    assert library.reindex() == 1
    assert len(library.candidates("reducer", "aggregation.sum", "total orders")) == 1
    events = [e["type"] for e in library.journal.events()]
    assert events == ["learned", "learned", "forgotten"]
    library.close()


def _points_without_groups(data: Path) -> None:
    """The shard as the previous format wrote it: payloads without ``group``."""
    journal = Journal(data / JOURNAL_FILE)
    blocks = [block for _, block in journal.blocks()]
    journal.close()
    shard = EdgePatternStore(data / "index" / HashingEmbedder.id / "shard", HashingEmbedder.dim)
    vectors = HashingEmbedder().embed([b.embedding_text for b in blocks])
    old = [{"kind": b.kind, "block": b.block, "node_kind": b.node_kind} for b in blocks]
    shard.upsert([StoredPoint(b.id, v, p) for b, v, p in zip(blocks, vectors, old, strict=True)])
    shard.close()


OLDER_INDEXES: dict[str, Callable[[Path, dict[str, Any]], dict[str, Any]]] = {
    "another journal schema": lambda _, meta: {**meta, "schema": 0},
    "before search groups": lambda data, meta: (
        _points_without_groups(data),
        {k: v for k, v in meta.items() if k != "format"},
    )[1],
}


@pytest.mark.parametrize("older", sorted(OLDER_INDEXES))
def test_a_changed_index_format_is_rebuilt_not_a_crash(older: str, tmp_path: Path) -> None:
    library = PatternLibrary(tmp_path, HashingEmbedder())
    library.learn_source(handler(1), path(1))
    library.close()
    meta = tmp_path / "index" / "hashing-v1-384" / "onex-index.json"
    meta.write_text(json.dumps(OLDER_INDEXES[older](tmp_path, json.loads(meta.read_text()))))
    reopened = PatternLibrary(tmp_path, HashingEmbedder())
    assert len(reopened.candidates("reducer", "aggregation.sum", "total orders")) == 1
    assert reopened.candidates("effect", "aggregation.sum", "total orders") == []
    assert {k: json.loads(meta.read_text())[k] for k in ("schema", "format")} == {
        "schema": SCHEMA_VERSION,
        "format": INDEX_FORMAT,
    }
    reopened.close()


def test_a_rebuild_reads_the_journal_a_page_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bounded memory: a rebuild of 100k blocks once read them all (~1 GB at once)."""
    library = PatternLibrary(tmp_path, HashingEmbedder())
    for n in range(11):
        library.learn_source(handler(n), path(n))
    monkeypatch.setattr(index_keeper, "_PAGE", 4)
    read = library.journal.blocks
    sizes: list[int] = []

    def blocks(after_seq: int = 0, limit: int = -1) -> list[tuple[int, LearnedBlock]]:
        sizes.append(len(found := read(after_seq, limit)))
        return found

    monkeypatch.setattr(library.journal, "blocks", blocks)
    assert library.reindex() == 11
    assert sizes == [4, 4, 3, 0]
    assert len(library.candidates("reducer", "aggregation.sum", "total orders", 20)) == 11
    library.close()


def test_an_unreachable_server_buffers_in_the_journal(tmp_path: Path) -> None:
    down = PatternLibrary(tmp_path, HashingEmbedder(), store_url="http://127.0.0.1:9")
    report = down.learn_source(handler(1), path(1))
    assert len(report.learned) == 1  # journalled although the index is down
    assert down.candidates("reducer", "aggregation.sum", "total orders") == []
    down.close()
    back = PatternLibrary(tmp_path, HashingEmbedder(), store_url=":memory:")
    assert len(back.candidates("reducer", "aggregation.sum", "total orders")) == 1  # replayed
    back.close()


WORKER = """
import sys, time
sys.path.insert(0, {root!r})
from tests.unit.test_library import handler, path
from onex_lsp.learning.blocks import blocks_from_source
from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.index_status import IndexStatus
from onex_lsp.learning.library import JOURNAL_FILE, PatternLibrary
from pathlib import Path
from typing import Any
library = PatternLibrary(Path({data!r}), HashingEmbedder())
mode = sys.argv[1]
if mode == "hold":
    library.learn_source(handler(100), path(100))
    print("holding", library.store_description, flush=True)
    time.sleep(600)
elif mode == "learn-forever":
    n = 0
    while True:
        n += 1
        library.learn_source(handler(1000 + n), path(1000 + n))
        print("committed", n, flush=True)
else:
    library.learn_source(handler(200), path(200))
    found = library.candidates("reducer", "aggregation.sum", "total orders", limit=10)
    print("second", library.store_description, len(found), flush=True)
    library.close()
"""


def _worker(tmp_path: Path, mode: str) -> subprocess.Popen[str]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER.format(root=str(ROOT), data=str(tmp_path / "data")))
    return subprocess.Popen([sys.executable, str(script), mode], stdout=subprocess.PIPE, text=True)


def test_two_processes_share_one_store_and_a_killed_one_leaves_no_lock(tmp_path: Path) -> None:
    holder = _worker(tmp_path, "hold")
    assert holder.stdout is not None
    line = holder.stdout.readline()
    assert line.startswith("holding qdrant-edge at")
    second = _worker(tmp_path, "second")
    out, _ = second.communicate(timeout=60)
    assert second.returncode == 0
    assert out.strip() == "second qdrant-edge (private, rebuilt from the journal) 2"  # sees both
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    library = PatternLibrary(tmp_path / "data", HashingEmbedder())
    assert library.store_description.startswith("not open")
    assert len(library.candidates("reducer", "aggregation.sum", "total orders", limit=10)) == 2
    assert library.store_description.startswith("qdrant-edge at")  # the shared index, lock gone
    library.close()


def test_kill_9_while_learning_loses_nothing_journalled(tmp_path: Path) -> None:
    learner = _worker(tmp_path, "learn-forever")
    assert learner.stdout is not None
    committed = 0
    deadline = time.monotonic() + 60
    while committed < 5 and time.monotonic() < deadline:
        committed = int(learner.stdout.readline().split()[1])
    os.kill(learner.pid, signal.SIGKILL)
    learner.wait()
    library = PatternLibrary(tmp_path / "data", HashingEmbedder())
    assert len(library.journal.blocks()) >= committed
    assert (
        len(library.candidates("reducer", "aggregation.sum", "total orders", limit=50)) >= committed
    )
    library.close()


def test_get_by_id_or_unique_prefix_never_returns_forgotten_blocks(tmp_path: Path) -> None:
    library = PatternLibrary(tmp_path, HashingEmbedder())
    (block,) = library.learn_source(handler(1), path(1)).learned
    journal = library.journal
    assert journal.get(block.id) == block
    assert journal.get(block.id[:6]) == block
    assert journal.get(block.id[:6].upper()) == block  # as the former LIKE lookup
    assert journal.get("f" * 36) is None
    assert journal.get_many([block.id, "missing"]) == {block.id: block}
    head = journal.head()
    journal.forget(block.id)
    assert journal.head() == (head[0], head[1] + 1)  # sync sees the change without a scan
    assert journal.get(block.id) is None and journal.get(block.id[:6]) is None
    assert journal.forgotten_after(head[1]) == (head[1] + 1, [block.id])
    assert journal.forgotten_after(head[1] + 1) == (head[1] + 1, [])
    library.close()


def test_a_block_forgotten_elsewhere_leaves_the_index_at_the_next_query(tmp_path: Path) -> None:
    library = PatternLibrary(tmp_path, HashingEmbedder())
    (first,) = library.learn_source(handler(1), path(1)).learned
    (second,) = library.learn_source(handler(2), path(2)).learned
    assert len(library.candidates("reducer", "aggregation.sum", "total orders")) == 2
    other = PatternLibrary(tmp_path, HashingEmbedder())  # another window, same journal
    assert other.journal.forget(first.id)
    remaining = library.candidates("reducer", "aggregation.sum", "total orders")
    assert [c.block.id for c in remaining] == [second.id]
    other.close()
    library.close()


def test_batches_commit_once_and_dedupe_within_the_batch(tmp_path: Path) -> None:
    library = PatternLibrary(tmp_path, HashingEmbedder())
    outcome = blocks_from_source(handler(1), path(1))
    reports = library.journal_outcomes([(path(1), outcome), (path(9), outcome)])
    assert [len(r.learned) for r in reports] == [1, 0]  # the same block twice: once
    assert [e["type"] for e in library.journal.events()] == ["learned"]
    library.close()


def test_a_journal_from_before_the_forgotten_log_keeps_its_forgotten_blocks(
    tmp_path: Path,
) -> None:
    library = PatternLibrary(tmp_path, HashingEmbedder())
    (block,) = library.learn_source(handler(1), path(1)).learned
    library.journal.forget(block.id)
    library.close()
    with sqlite3.connect(tmp_path / "journal.sqlite3") as db:  # the former schema
        db.execute("DROP TABLE forgotten")
        db.execute("DELETE FROM meta WHERE key = 'forgotten_log'")
    reopened = PatternLibrary(tmp_path, HashingEmbedder())
    assert reopened.journal.forgotten_ids() == [block.id]
    assert reopened.candidates("reducer", "aggregation.sum", "total orders") == []
    reopened.close()


def test_isolated_learning_journals_and_indexes_what_the_worker_extracted(
    tmp_path: Path,
) -> None:
    library = PatternLibrary(tmp_path, HashingEmbedder())
    try:
        report = library.learn_source(
            handler(1), path(1), origins=[Origin(0, 10**6, "learned:x")], isolated=True
        )
        assert [b.parent_id for b in report.learned] == ["learned:x"]
        assert library.learn_source(handler(1), path(1), isolated=True).learned == ()
        found = library.candidates("reducer", "aggregation.sum", "total orders")
        assert [c.block.id for c in found] == [report.learned[0].id]
    finally:
        library.close()


def test_stats_counts_come_from_the_journal_without_opening_the_index(tmp_path: Path) -> None:
    """What ``patterns stats`` prints: live blocks per kind, events per type, and how far
    the index has caught up, read from its metadata (a forgotten block drops out)."""
    library = PatternLibrary(tmp_path, HashingEmbedder())
    first = library.learn_source(handler(1), path(1)).learned[0]
    library.learn_source(handler(2), path(2))
    journal = library.journal
    assert journal.kind_counts() == {("handler", "aggregation.sum"): 2}
    assert journal.event_counts() == {"learned": 2}
    assert [e["type"] for e in journal.events(types={"forgotten"})] == []
    library.sync()
    assert library.index_status(2).line().endswith("(hashing-v1-384; 2 of 2 blocks indexed)")
    journal.forget(first.id)
    assert journal.kind_counts() == {("handler", "aggregation.sum"): 1}
    assert [e["block_id"] for e in journal.events(types={"forgotten"})] == [first.id]
    assert journal.event_counts() == {"learned": 2, "forgotten": 1}
    assert library.index_status(1).line().endswith("(hashing-v1-384; 1 of 1 blocks indexed)")
    library.close()


@pytest.mark.parametrize(
    ("status", "line"),
    [
        (IndexStatus("qdrant-edge at /d", "e", 3, 3), "qdrant-edge at /d (e; 3 of 3 blocks indexed)"),
        (IndexStatus("qdrant at http://q", "e", 3, None), "qdrant at http://q (e; a Qdrant server: "
         "'patterns reindex' rebuilds it from the journal)"),
    ],
)  # fmt: skip
def test_index_status_lines(status: IndexStatus, line: str) -> None:
    assert status.line() == line
