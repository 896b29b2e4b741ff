"""A Qdrant server or cluster through ``qdrant-client`` (``onex.store.url``), or its
``:memory:`` mode. One collection per embedder, so vector spaces never mix.

Every call has a short timeout (``timeout`` seconds, connect and read): a server that
refuses or never answers costs a background attempt that long, never a hung thread."""

from __future__ import annotations

from typing import Any

from qdrant_client import QdrantClient
from qdrant_client import models as qm

from onex_lsp.learning.store import GROUP_FIELD, Hit, StoredPoint, StoreUnavailable

COLLECTION_PREFIX = "onex_patterns_"


class QdrantServerPatternStore:
    def __init__(
        self,
        url: str,
        dim: int,
        embedder_id: str,
        api_key: str | None = None,
        timeout: int = 2,
    ) -> None:
        self.url = url
        self.collection = COLLECTION_PREFIX + embedder_id.replace("-", "_")
        try:
            self._client: Any = (
                QdrantClient(":memory:")
                if url == ":memory:"
                else QdrantClient(
                    url=url, api_key=api_key, timeout=timeout, check_compatibility=False
                )
            )
            if not self._client.collection_exists(self.collection):
                self._client.create_collection(
                    self.collection,
                    vectors_config=qm.VectorParams(size=dim, distance=qm.Distance.COSINE),
                )
            if url != ":memory:":  # (the local mode has no payload indexes; it says so)
                self._client.create_payload_index(  # idempotent: collections made before it
                    self.collection, GROUP_FIELD, field_schema=qm.PayloadSchemaType.KEYWORD
                )
        except Exception as exc:  # connection refused, auth, timeouts: all mean "not now"
            raise StoreUnavailable(f"cannot reach Qdrant at {url}: {exc}") from exc

    @property
    def description(self) -> str:
        return f"qdrant at {self.url} ({self.collection})"

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(self._client, method)(*args, **kwargs)
        except Exception as exc:
            raise StoreUnavailable(f"Qdrant at {self.url} failed: {exc}") from exc

    def upsert(self, points: list[StoredPoint]) -> None:
        if points:
            self._call(
                "upsert",
                self.collection,
                points=[
                    qm.PointStruct(id=p.id, vector=p.vector, payload=p.payload) for p in points
                ],
            )

    def delete(self, ids: list[str]) -> None:
        if ids:
            self._call(
                "delete", self.collection, points_selector=qm.PointIdsList(points=list[Any](ids))
            )

    def search(self, vector: list[float], match: dict[str, str], limit: int) -> list[Hit]:
        query_filter = qm.Filter(
            must=[qm.FieldCondition(key=k, match=qm.MatchValue(value=v)) for k, v in match.items()]
        )
        result = self._call(
            "query_points", self.collection, query=vector, query_filter=query_filter,
            limit=limit, with_payload=False,
        )  # fmt: skip
        return [Hit(str(p.id), float(p.score)) for p in result.points]

    def count(self) -> int:
        return int(self._call("count", self.collection).count)

    def flush(self) -> None:
        """The server persists each acknowledged write itself."""

    def close(self) -> None:
        self._client.close()
