"""Recovery after storage outages, with the default retry policy (1 s, doubling, at most
30 s): how long after the fix learned blocks are offered again, and what a query costs
while the storage is away.

    python bench/bench_recovery.py [--outage 2 10]

Outages: too little free space (the probe is switched, the disk is not filled), a
blocked data directory (a file in its place), an unreachable Qdrant server (a stand-in
that refuses until "back"; no Qdrant server binary exists here), a server that accepts
and never answers, a corrupt index, a corrupt journal.
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary, StoragePolicy
from onex_lsp.learning.store import StoreUnavailable, qdrant_server

QUERY = ("reducer", "aggregation.sum", "total orders")
HANDLER = (
    "def handle_total_orders(request: ModelOrdersInput) -> ModelOrdersOutput:\n"
    "    return ModelOrdersOutput(operation='total_orders', data={{'n': {n}}})\n"
)


def _learn(library: PatternLibrary, n: int) -> None:
    library.learn_source(HANDLER.format(n=n), f"/ws/node_orders_reducer/handlers/h_{n}.py")


def _until(predicate: Callable[[], object], timeout: float = 120.0) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            return float("inf")
        time.sleep(0.01)
    return time.monotonic() - started


def _slowest_query(library: PatternLibrary, count: int = 200) -> float:
    slowest = 0.0
    for _ in range(count):
        started = time.monotonic()
        library.candidates(*QUERY)
        slowest = max(slowest, time.monotonic() - started)
    return slowest * 1000


def low_space(outage: float) -> tuple[float, float]:
    free = {"bytes": 1 << 40}
    policy = StoragePolicy(free_space=lambda _: free["bytes"])
    library = PatternLibrary(Path(tempfile.mkdtemp()), HashingEmbedder(), policy=policy)
    _learn(library, 1)
    free["bytes"] = 1 << 20
    _learn(library, 2)  # held: learning is paused
    query = _slowest_query(library)
    time.sleep(outage)
    free["bytes"] = 1 << 40
    recovery = _until(lambda: len(library.candidates(*QUERY)) == 2)
    library.close()
    return query, recovery


def blocked_dir(outage: float) -> tuple[float, float]:
    data = Path(tempfile.mkdtemp()) / "data"
    data.write_text("in the way")
    library = PatternLibrary(data, HashingEmbedder())
    _learn(library, 1)
    query = _slowest_query(library)
    time.sleep(outage)
    data.unlink()
    recovery = _until(lambda: len(library.candidates(*QUERY)) == 1)
    library.close()
    return query, recovery


def refused_server(outage: float) -> tuple[float, float]:
    state = {"up": False}
    real = qdrant_server.QdrantServerPatternStore

    def stand_in(url: str, dim: int, embedder_id: str, *rest: Any) -> Any:
        if not state["up"]:
            raise StoreUnavailable("connection refused")
        return real(":memory:", dim, embedder_id)

    qdrant_server.QdrantServerPatternStore = stand_in  # type: ignore[assignment,misc]
    try:
        library = PatternLibrary(Path(tempfile.mkdtemp()), HashingEmbedder(), "http://q:6333")
        _learn(library, 1)
        query = _slowest_query(library)
        time.sleep(outage)
        state["up"] = True
        recovery = _until(lambda: len(library.candidates(*QUERY)) == 1)
        library.close()
    finally:
        qdrant_server.QdrantServerPatternStore = real  # type: ignore[misc]
    return query, recovery


def black_hole(outage: float) -> tuple[float, float]:
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    threading.Thread(target=lambda: [held.append(server.accept()[0]) for _ in range(1000)],
                     daemon=True).start()  # fmt: skip
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    library = PatternLibrary(Path(tempfile.mkdtemp()), HashingEmbedder(), url)
    _learn(library, 1)
    time.sleep(min(outage, 3.0))
    query = _slowest_query(library)
    library.close()
    server.close()
    return query, float("nan")


def corrupt_index(blocks: int = 1000) -> float:
    data = Path(tempfile.mkdtemp())
    library = PatternLibrary(data, HashingEmbedder())
    for n in range(blocks):
        _learn(library, n)
    library.candidates(*QUERY)
    library.close()
    (data / "index" / HashingEmbedder.id / "onex-index.json").write_text("garbage")
    started = time.monotonic()
    reopened = PatternLibrary(data, HashingEmbedder())
    reopened.candidates(*QUERY)
    reopened.close()
    return time.monotonic() - started


def corrupt_journal() -> float:
    data = Path(tempfile.mkdtemp())
    (data / "journal.sqlite3").write_bytes(os.urandom(1 << 20))
    started = time.monotonic()
    PatternLibrary(data, HashingEmbedder()).close()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--outage", type=float, nargs="+", default=[2.0, 10.0])
    args = parser.parse_args()
    for name, run in [("low free space", low_space), ("blocked data dir", blocked_dir),
                      ("Qdrant refusing", refused_server), ("Qdrant black hole", black_hole)]:  # fmt: skip
        for outage in args.outage:
            query, recovery = run(outage)
            print(f"{name:<18} outage {outage:>4.0f} s: slowest query while away "
                  f"{query:6.2f} ms, offered again {recovery:5.2f} s after the fix")  # fmt: skip
    print(f"corrupt index metadata, 1,000 blocks: rebuilt and queried in {corrupt_index():.2f} s")
    print(f"corrupt journal (1 MB garbage): moved aside, fresh one in {corrupt_journal():.2f} s")


if __name__ == "__main__":
    main()
