"""Suggestions: the kinds of code action offered, and the record of their use.

Every action the server offers gets a suggestion id; ``SuggestionLog`` remembers what
was shown and what was applied (the feedback loop builds on these events).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

from lsprotocol import types as lsp

GENERATE_NODE_KIND = "source.onex.generateNode"
ADD_HANDLER_KIND = "quickfix"
INSERT_PATTERN_KIND = "refactor.onex.insertPattern"


APPLIED = "onex.suggestionApplied"


def new_suggestion_id() -> str:
    return uuid.uuid4().hex


def applied_command(suggestion_id: str, uri: str) -> lsp.Command:
    """Run after an action's edit is applied: records it and starts following its blocks."""
    return lsp.Command(
        title="Record the applied suggestion", command=APPLIED, arguments=[suggestion_id, uri]
    )


@dataclass(frozen=True)
class SuggestionEvent:
    suggestion_id: str
    event: str  # shown | applied
    kind: str
    uri: str
    detail: str
    at: float


@dataclass
class SuggestionLog:
    """Thread-safe in-memory record of suggestions shown and applied in this session."""

    events: list[SuggestionEvent] = field(default_factory=list)
    _offered: dict[str, SuggestionEvent] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def shown(self, suggestion_id: str, kind: str, uri: str, detail: str) -> None:
        event = SuggestionEvent(suggestion_id, "shown", kind, uri, detail, time.time())
        with self._lock:
            self._offered[suggestion_id] = event
            self.events.append(event)

    def applied(self, suggestion_id: str) -> SuggestionEvent | None:
        with self._lock:
            offered = self._offered.get(suggestion_id)
            if offered is None:
                return None
            if any(e.suggestion_id == suggestion_id and e.event == "applied" for e in self.events):
                return offered
            event = SuggestionEvent(
                suggestion_id, "applied", offered.kind, offered.uri, offered.detail, time.time()
            )
            self.events.append(event)
            return event

    def count(self, event: str) -> int:
        with self._lock:
            return sum(1 for e in self.events if e.event == event)
