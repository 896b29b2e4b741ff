"""Qdrant's embedded engine (``qdrant-edge-py``): an on-disk shard in the data directory.

The shard takes an exclusive lock on its folder; a second process opening it gets
``StoreLocked`` and the library falls back to a private index rebuilt from the journal.
The lock is the OS's, so a killed process leaves no stale lock behind. Any other failure
of the engine (it raises bare ``Exception`` for damaged files, and a Rust panic is a
``BaseException``) is ``StoreUnavailable``: the caller rebuilds the index from the journal.

Writes go in operations of at most ``_BATCH`` points: the shard keeps every operation in
its write-ahead log and replays it at each load, and replaying one operation of 20,000
points holds about 600 MB for the process's lifetime (256 points: a few MB).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import qdrant_edge as q

from onex_lsp.learning.store import GROUP_FIELD, Hit, StoredPoint, StoreLocked, StoreUnavailable

_KEYWORD_FIELDS = (GROUP_FIELD,)  # what searches filter on
_LOCK_MARKERS = ("wouldblock", "already accessed", "is locked")


def _engine_error(action: str, folder: Path, exc: BaseException) -> StoreUnavailable:
    """pyo3 turns a Rust panic into ``PanicException``, a ``BaseException`` that cannot be
    imported by name: everything but an interpreter exit becomes ``StoreUnavailable``."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc
    text = str(exc)
    if any(marker in text.lower() for marker in _LOCK_MARKERS):
        return StoreLocked(f"cannot open the index in {folder}: {text}")
    return StoreUnavailable(f"the index in {folder} failed to {action}: {text}")


_BATCH = 256  # points per update operation (one write-ahead log record each)


class EdgePatternStore:
    def __init__(self, folder: Path | None, dim: int) -> None:
        """``folder=None``: a private shard in a temporary folder, removed on close."""
        self._temporary = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="onex-lsp-index-")) if folder is None else folder
        try:
            if (self.folder / "wal").exists() or any(self.folder.glob("*")):
                self._shard = q.EdgeShard.load(str(self.folder))
            else:
                self.folder.mkdir(parents=True, exist_ok=True)
                config = q.EdgeConfig(
                    vectors=q.EdgeVectorParams(size=dim, distance=q.Distance.Cosine)
                )
                self._shard = q.EdgeShard.create(str(self.folder), config)
                for name in _KEYWORD_FIELDS:
                    self._shard.update(
                        q.UpdateOperation.create_field_index(name, q.PayloadSchemaType.Keyword)
                    )
        except BaseException as exc:  # bare Exception for a held lock or bad files
            raise _engine_error("open", self.folder, exc) from exc

    @property
    def description(self) -> str:
        return (
            "qdrant-edge (private, rebuilt from the journal)"
            if self._temporary
            else f"qdrant-edge at {self.folder}"
        )

    def _run(self, action: str, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except BaseException as exc:
            raise _engine_error(action, self.folder, exc) from exc

    def upsert(self, points: list[StoredPoint]) -> None:
        for first in range(0, len(points), _BATCH):
            part = points[first : first + _BATCH]
            operation = q.UpdateOperation.upsert_points(
                [q.Point(p.id, p.vector, p.payload) for p in part]
            )
            self._run("write", self._shard.update, operation)

    def delete(self, ids: list[str]) -> None:
        for first in range(0, len(ids), _BATCH):
            part = list[Any](ids[first : first + _BATCH])
            self._run("write", self._shard.update, q.UpdateOperation.delete_points(part))

    def flush(self) -> None:
        """Make what was written durable before the caller records it as indexed."""
        self._run("flush", self._shard.flush)

    def search(self, vector: list[float], match: dict[str, str], limit: int) -> list[Hit]:
        conditions: list[Any] = [
            q.FieldCondition(key=k, match=q.MatchValue(v)) for k, v in match.items()
        ]
        request: Any = q.QueryRequest(
            limit=limit,
            query=q.Query.Nearest(vector),
            filter=q.Filter(must=conditions) if conditions else None,
            with_payload=False,  # callers read blocks from the journal; payloads cost 0.5 ms
        )
        return [
            Hit(str(p.id), float(p.score)) for p in self._run("read", self._shard.query, request)
        ]

    def count(self) -> int:
        return int(self._run("read", self._shard.count, q.CountRequest()))

    def close(self) -> None:
        try:
            self._run("flush", self._shard.flush)
            self._run("close", self._shard.close)
        finally:
            if self._temporary:
                shutil.rmtree(self.folder, ignore_errors=True)
