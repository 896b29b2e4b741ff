"""A learned block: what the journal stores for every reusable piece of code."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class LearnedBlock:
    """A reusable block: its source, its parameterised template and what it is for."""

    id: str
    fingerprint: str
    kind: str  # handler | error_handling | validation | dependency_injection | naming | test
    block: str | None  # crud.create, transformation.parse, ... for handlers
    node_kind: str | None
    operation: str | None
    needs: str | None
    is_async: bool
    source: str
    template: str
    origin_file: str
    origin_range: tuple[int, int, int, int]
    learned_at: float
    embedding_text: str
    parent_id: str | None = None  # the block it was derived from (feedback)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        # Fields are plain values: no need for asdict's recursive deep copy (bulk learning
        # serialises thousands of blocks); the JSON is the same.
        return json.dumps({f.name: getattr(self, f.name) for f in fields(self)}, sort_keys=True)

    @staticmethod
    def from_json(text: str) -> LearnedBlock:
        data = json.loads(text)
        data["origin_range"] = tuple(data["origin_range"])
        return LearnedBlock(**data)
