"""Learning inside the server yields to the editor: index flushes wait for a quiet moment,
indexing steps pause while requests keep coming.

The embedded engine holds the GIL while it flushes (tens of ms in which no request is
answered), so a polite sync (learning inside the server) indexes at once but leaves the
flush, and the metadata saying how far the index got, for later: ``flush_index`` when
the editor is quiet, or the close. A crash before that only re-indexes those blocks.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.journal_writer import JournalWriter
from onex_lsp.learning.library import PatternLibrary
from onex_lsp.lsp import learning_session
from onex_lsp.lsp.learning_session import LearningSession
from tests.conftest import ROOT
from tests.unit.test_library import handler, path

QUERY = ("reducer", "aggregation.sum", "total orders")


def _synced(data: Path) -> int:
    meta = data / "index" / HashingEmbedder.id / "onex-index.json"
    return int(json.loads(meta.read_text())["synced_seq"]) if meta.exists() else 0


def test_a_polite_sync_is_searchable_at_once_and_durable_after_the_flush(tmp_path: Path) -> None:
    library = PatternLibrary(tmp_path, HashingEmbedder())
    try:
        library.learn_source(handler(1), path(1))  # a plain sync flushes
        before = _synced(tmp_path)
        assert before > 0
        (block,) = library.learn_source(handler(2), path(2), isolated=True).learned
        assert block.id in [c.block.id for c in library.candidates(*QUERY, limit=5)]
        assert _synced(tmp_path) == before  # not flushed yet
        library.flush_index()
        assert _synced(tmp_path) == library.journal.head()[0]
    finally:
        library.close()


def test_closing_flushes_what_a_polite_sync_indexed(tmp_path: Path) -> None:
    library = PatternLibrary(tmp_path, HashingEmbedder())
    library.learn_source(handler(1), path(1), isolated=True)
    head = library.journal.head()[0]
    library.close()
    assert _synced(tmp_path) == head


CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from tests.unit.test_library import handler, path
from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary
if __name__ == "__main__":  # the learning worker is spawned: it imports this file
    library = PatternLibrary(Path({data!r}), HashingEmbedder())
    for n in range(5):
        library.learn_source(handler(n), path(n), isolated=True)
    print("learned", flush=True)
    time.sleep(60)
"""


def test_a_crash_before_the_flush_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), data=str(data)))
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "learned"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    reopened = PatternLibrary(data, HashingEmbedder())
    try:
        assert len(reopened.candidates(*QUERY, limit=10)) == 5
    finally:
        reopened.close()


class _Library:
    def __init__(self) -> None:
        self.flushes = 0

    def flush_index(self) -> None:
        self.flushes += 1


def test_the_server_flushes_only_once_the_editor_has_been_quiet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Messages keep arriving for a while: no flush; then a quiet moment: one flush."""
    monkeypatch.setattr(learning_session, "QUIET_BEFORE_FLUSH", 0.05)
    quiet = iter([0.0, 0.01, 0.02, 0.5])  # seconds since the editor's last message
    session = LearningSession(JournalWriter(), lambda: next(quiet))
    library = _Library()

    async def run() -> None:
        waiting = session.flush_when_quiet(library)  # type: ignore[arg-type]
        assert session.flush_when_quiet(library) is waiting  # type: ignore[arg-type]
        await asyncio.sleep(0.03)
        assert library.flushes == 0
        await waiting

    asyncio.run(run())
    assert library.flushes == 1


def test_learning_waits_while_the_editor_is_busy_but_not_for_long(tmp_path: Path) -> None:
    """Indexing in the server pauses between its steps while requests keep coming, at
    most half a second a save, then indexes anyway; an idle editor costs no wait."""
    library = PatternLibrary(tmp_path, HashingEmbedder())
    asked: list[float] = []

    def busy() -> bool:
        asked.append(time.monotonic())
        return True

    try:
        library.yield_to(lambda: False)
        library.learn_source(handler(1), path(1), isolated=True)
        library.yield_to(busy)
        (block,) = library.learn_source(handler(2), path(2), isolated=True).learned
        assert 0.45 <= asked[-1] - asked[0] <= 0.6  # waited, then indexed anyway
        assert block.id in [c.block.id for c in library.candidates(*QUERY, limit=5)]
    finally:
        library.close()
