"""Learning on save: the worker process extracts *and journals* the saved file's blocks,
so the language server's process (whose GIL its request loop needs) writes none of them;
it only indexes the new blocks it is told about, and finds them in its queries."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary
from onex_lsp.learning.lineage import Origin
from onex_lsp.learning.worker import background_thread_pool
from tests.unit.journal_trace import traced_statements
from tests.unit.test_library import handler, path

QUERY = ("reducer", "aggregation.sum", "total orders")


def test_the_worker_journals_a_saved_file_and_the_server_indexes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements = traced_statements(monkeypatch)
    library = PatternLibrary(tmp_path, HashingEmbedder())
    try:
        report = library.learn_source(handler(1), path(1), isolated=True)
        assert [b.kind for b in report.learned] == ["handler"] and report.seen >= 1
        again = library.learn_source(handler(1), path(1), isolated=True)
        assert again.learned == ()  # the worker's journal dedupes like the library's
        writes = [s for s in statements if s.startswith("INSERT INTO blocks")]
        assert writes == []  # journalled by the worker, not here
        (found,) = library.candidates(*QUERY)
        assert found.block.id == report.learned[0].id
        assert [e["type"] for e in library.journal.events()] == ["learned"]
    finally:
        library.close()


def test_the_worker_links_a_saved_handler_to_the_block_it_came_from(tmp_path: Path) -> None:
    library = PatternLibrary(tmp_path, HashingEmbedder())
    try:
        source = handler(2)
        lines = len(source.splitlines())
        origin = Origin(0, lines, "learned:parent-block")
        (block,) = library.learn_source(source, path(2), origins=[origin], isolated=True).learned
        assert block.parent_id == "learned:parent-block"
        assert library.journal.get(block.id) == block
    finally:
        library.close()


def test_a_file_that_does_not_parse_is_reported_not_journalled(tmp_path: Path) -> None:
    library = PatternLibrary(tmp_path, HashingEmbedder())
    try:
        report = library.learn_source("def broken(:\n", path(3), isolated=True)
        assert report.learned == () and report.error is not None
        assert report.error.startswith(f"{path(3)}:1:")
        assert library.journal.blocks() == []
    finally:
        library.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority: Linux")
def test_the_learning_thread_runs_at_background_priority_and_only_it() -> None:
    """Indexing what a save taught (the model's runs) stays in the server's process: its
    thread yields the CPU to the request threads, which keep their priority."""

    def priority() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = priority()
    pool = background_thread_pool("onex-learning-test")
    try:
        assert pool.submit(priority).result() == 19
    finally:
        pool.shutdown()
    assert priority() == before
