"""Vector stores behind one small protocol: Qdrant's embedded engine, or a Qdrant server.

A store is an index, never the truth: everything in it can be rebuilt from the journal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class StoredPoint:
    id: str  # a UUID string
    vector: list[float]
    payload: dict[str, Any]


@dataclass(frozen=True)
class Hit:
    id: str
    score: float


INDEX_FORMAT = 2  # 2: points carry ``group``; an index of another format is rebuilt
GROUP_FIELD = "group"  # the payload field searches filter on, the one stores index


def search_group(kind: str, node_kind: str, block: str) -> str:
    """The one indexed keyword a search filters on. Qdrant resolves one condition from
    its payload index but checks a filter's other conditions point by point: three
    conditions took 5 ms over the largest group of a 100k store, one 1.8 ms."""
    return f"{kind}/{node_kind}/{block}"


class StoreUnavailable(RuntimeError):
    """The store cannot be opened or reached now (locked folder, server down)."""


class StoreLocked(StoreUnavailable):
    """Another process holds the embedded index's folder: use a private index."""


class PatternStore(Protocol):
    @property
    def description(self) -> str: ...

    def upsert(self, points: list[StoredPoint]) -> None: ...

    def delete(self, ids: list[str]) -> None: ...

    def search(self, vector: list[float], match: dict[str, str], limit: int) -> list[Hit]:
        """Nearest points whose payload equals every ``match`` field (cosine score);
        stores index ``GROUP_FIELD`` (``search_group``), the field searches match on."""
        ...

    def count(self) -> int: ...

    def flush(self) -> None:
        """Make every write so far durable (before it is recorded as indexed)."""
        ...

    def close(self) -> None: ...
