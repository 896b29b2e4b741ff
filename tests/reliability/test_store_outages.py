"""A Qdrant server (``onex.store.url``) that refuses connections or accepts and never
answers never slows a query: queries return no learned options at once, the store is
reopened in the background with exponential backoff (never per request), blocks wait in
the journal and are replayed when it is back."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary
from onex_lsp.learning.store import StoreUnavailable, qdrant_server
from tests.reliability.conftest import fast_policy, handler, path, wait_until

QUERY = ("reducer", "aggregation.sum", "total orders")
FAST = 2.0  # seconds: "returns fast", generous for a loaded CI machine


class BlackHole:
    """A TCP server that accepts every connection and never sends a byte."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.accepted = 0
        self.held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.accepted += 1
            self.held.append(conn)

    def close(self) -> None:
        self.server.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    yield hole
    hole.close()


def _refusing_port() -> int:
    with socket.socket() as probe:  # bound, never listening: connections are refused
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _timed_queries(library: PatternLibrary, count: int) -> float:
    """The slowest of ``count`` queries, in seconds; each must return nothing."""
    slowest = 0.0
    for _ in range(count):
        started = time.monotonic()
        assert library.candidates(*QUERY) == []
        slowest = max(slowest, time.monotonic() - started)
    return slowest


def test_a_server_that_never_answers_never_slows_a_query(
    tmp_path: Path, black_hole: BlackHole
) -> None:
    url = f"http://127.0.0.1:{black_hole.port}"
    library = PatternLibrary(tmp_path, HashingEmbedder(), store_url=url, policy=fast_policy())
    try:
        report = library.learn_source(handler(1), path(1))  # background work may wait
        assert len(report.learned) == 1  # journalled although the index is unreachable
        assert _timed_queries(library, 200) < FAST
        time.sleep(1.0)
        assert _timed_queries(library, 200) < FAST
        # Reopening is the background's job, with backoff: far fewer attempts than queries.
        assert 1 <= black_hole.accepted <= 12
    finally:
        library.close()


def test_a_server_that_refuses_never_slows_a_query(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_refusing_port()}"
    library = PatternLibrary(tmp_path, HashingEmbedder(), store_url=url, policy=fast_policy())
    try:
        assert len(library.learn_source(handler(1), path(1)).learned) == 1
        assert _timed_queries(library, 200) < FAST
    finally:
        library.close()


class FlakyServer:
    """Stands in for a Qdrant server, which cannot run here (no server binary is
    obtainable): while ``up`` is False opening fails the way an unreachable server does;
    once True it opens qdrant-client's in-memory mode, the same client API."""

    def __init__(self) -> None:
        self.up = False
        self.opened = 0
        self._real = qdrant_server.QdrantServerPatternStore

    def __call__(self, url: str, dim: int, embedder_id: str, *args: Any) -> Any:
        if not self.up:
            raise StoreUnavailable(f"cannot reach Qdrant at {url}: connection refused")
        self.opened += 1
        return self._real(":memory:", dim, embedder_id)


def test_blocks_wait_in_the_journal_and_are_replayed_when_the_server_is_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = FlakyServer()
    monkeypatch.setattr(qdrant_server, "QdrantServerPatternStore", server)
    url = "http://qdrant.invalid:6333"
    library = PatternLibrary(tmp_path, HashingEmbedder(), store_url=url, policy=fast_policy())
    try:
        library.learn_source(handler(1), path(1))
        library.learn_source(handler(2), path(2))
        assert _timed_queries(library, 20) < FAST
        server.up = True
        recovery = wait_until(lambda: len(library.candidates(*QUERY)) == 2)
        assert recovery < 5.0
        assert server.opened == 1  # reopened once, in the background, then kept
    finally:
        library.close()
