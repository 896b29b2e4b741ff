"""A damaged index is rebuilt from the journal (it is a cache); a damaged journal is
moved aside, never deleted, and a fresh one starts; nothing prints a traceback."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary
from onex_lsp.learning.store.qdrant_edge import EdgePatternStore
from tests.reliability.conftest import fast_policy, handler, path, wait_until

QUERY = ("reducer", "aggregation.sum", "total orders")


def _index(data: Path) -> Path:
    return data / "index" / HashingEmbedder.id


def _learned(data: Path, count: int = 2) -> None:
    library = PatternLibrary(data, HashingEmbedder())
    for n in range(count):
        library.learn_source(handler(n), path(n))
    assert len(library.candidates(*QUERY, limit=count)) == count
    library.close()


def _segment(data: Path) -> Path:
    return next((_index(data) / "shard" / "segments").iterdir())


CORRUPTIONS: dict[str, Callable[[Path], object]] = {
    "metadata garbage": lambda d: (_index(d) / "onex-index.json").write_bytes(b"\x00{not json"),
    "metadata empty": lambda d: (_index(d) / "onex-index.json").write_text(""),
    "metadata wrong types": lambda d: (_index(d) / "onex-index.json").write_text('{"schema": []}'),
    "engine config garbage": lambda d: (_index(d) / "shard" / "edge_config.json").write_text("{"),
    "write-ahead log garbage": lambda d: [
        p.write_bytes(os.urandom(4096)) for p in (_index(d) / "shard" / "wal").glob("open-*")
    ],
    "segment description garbage": lambda d: (_segment(d) / "segment.json").write_text("xx"),
    "stored payloads garbage": lambda d: (
        _segment(d) / "payload_storage" / "page_0.dat"
    ).write_bytes(os.urandom(1000)),
    "index folder replaced by a file": lambda d: (
        subprocess.run(["rm", "-rf", str(_index(d))], check=True),
        _index(d).write_text("not a folder"),
    ),
}


@pytest.mark.parametrize("damage", sorted(CORRUPTIONS))
def test_a_damaged_index_is_rebuilt_from_the_journal(
    damage: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _learned(tmp_path)
    CORRUPTIONS[damage](tmp_path)
    caplog.set_level(logging.INFO, logger="onex_lsp")
    library = PatternLibrary(tmp_path, HashingEmbedder(), policy=fast_policy())
    try:
        wait_until(lambda: len(library.candidates(*QUERY)) == 2, timeout=30)
        # Searches read no payloads: damaged ones surface at the next write that does
        # (forgetting a block drops it from the payload index).
        assert library.journal.forget(library.candidates(*QUERY)[0].block.id)
        wait_until(lambda: len(library.candidates(*QUERY)) == 1, timeout=30)
        assert library.store_description.startswith("qdrant-edge at")  # the shared one
        messages = [r.getMessage() for r in caplog.records]
        assert any("index" in m and ("rebuild" in m or "not offered" in m) for m in messages)
    finally:
        library.close()


def test_an_index_that_lost_writes_in_a_crash_is_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _learned(tmp_path)
    shard = EdgePatternStore(_index(tmp_path) / "shard", HashingEmbedder.dim)
    first = PatternLibrary(tmp_path, HashingEmbedder())
    block_id = first.journal.blocks()[0][1].id
    first.close()
    shard.delete([block_id])  # what a kill -9 before the engine flushed would leave
    shard.close()
    caplog.set_level(logging.INFO, logger="onex_lsp")
    library = PatternLibrary(tmp_path, HashingEmbedder())
    try:
        assert len(library.candidates(*QUERY)) == 2
        assert any("holds 1 block(s) where the journal says 2" in r.getMessage()
                   for r in caplog.records)  # fmt: skip
    finally:
        library.close()


def _garbage(journal: Path) -> None:
    journal.write_bytes(os.urandom(8192))


def _truncated(journal: Path) -> None:
    with sqlite3.connect(journal) as db:  # checkpoint: every page in the main file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.truncate(journal, journal.stat().st_size // 2)


def _text(journal: Path) -> None:
    journal.write_text("this is not a database\n" * 100)


@pytest.mark.parametrize("damage", [_garbage, _truncated, _text], ids=lambda f: f.__name__[1:])
def test_a_corrupt_journal_is_moved_aside_and_a_fresh_one_starts(
    damage: Callable[[Path], None], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _learned(tmp_path, count=30)
    journal = tmp_path / "journal.sqlite3"
    damage(journal)
    caplog.set_level(logging.INFO, logger="onex_lsp")
    library = PatternLibrary(tmp_path, HashingEmbedder())
    try:
        (aside,) = [
            p
            for p in tmp_path.glob("journal.sqlite3.corrupt-*")
            if not p.name.endswith("-shm")
            and not p.name.endswith("-wal")  # its WAL moves beside it, named to match
        ]
        assert aside.stat().st_size > 0  # the damaged file is kept for the user
        lines = [r.getMessage() for r in caplog.records if "corrupt" in r.getMessage()]
        assert len(lines) == 1 and aside.name in lines[0]
        assert library.problem is None
        assert library.journal.blocks() == []
        assert len(library.learn_source(handler(7), path(7)).learned) == 1
        assert len(library.candidates(*QUERY)) == 1  # the index was rebuilt to match
    finally:
        library.close()


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onex_lsp", "patterns", "--data-dir", str(data),
         "--embedder", "hashing", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_patterns_stats_never_prints_a_traceback_for_damaged_storage(tmp_path: Path) -> None:
    _learned(tmp_path)
    (_index(tmp_path) / "onex-index.json").write_text("garbage")
    _garbage(tmp_path / "journal.sqlite3")
    result = _cli(tmp_path, "stats")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "learned blocks: 0" in result.stdout
    assert "moved it to journal.sqlite3.corrupt-" in result.stderr


def test_patterns_commands_say_why_when_the_data_dir_is_unusable(tmp_path: Path) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data directory should be")
    for action in ("stats", "list"):
        result = _cli(blocked, action)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr + result.stdout
        assert f"the data directory {blocked} is not writable" in result.stderr
