"""The embedded Qdrant index writes in bounded operations.

Each update operation is one record of the shard's write-ahead log, replayed at every
load: one operation of 20,000 points held ~600 MB at each start of the server (bench).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from onex_lsp.learning.store import StoredPoint, qdrant_edge
from onex_lsp.learning.store.qdrant_edge import EdgePatternStore


class CountingShard:
    """The shard, counting its update operations."""

    def __init__(self, shard: Any) -> None:
        self.shard = shard
        self.updates = 0

    def update(self, operation: Any) -> None:
        self.updates += 1
        self.shard.update(operation)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.shard, name)


def test_big_writes_go_in_bounded_operations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(qdrant_edge, "_BATCH", 16)
    store = EdgePatternStore(tmp_path / "shard", 3)
    shard = store._shard = CountingShard(store._shard)
    written = [
        StoredPoint(str(uuid.UUID(int=n + 1)), [1.0, float(n % 7), 0.5], {"kind": "handler"})
        for n in range(40)
    ]
    store.upsert(written)
    assert (shard.updates, store.count()) == (3, 40)  # 16 + 16 + 8
    store.delete([p.id for p in written[:20]])
    assert (shard.updates, store.count()) == (5, 20)  # 16 + 4
    store.close()
    again = EdgePatternStore(tmp_path / "shard", 3)
    assert again.count() == 20
    again.close()
