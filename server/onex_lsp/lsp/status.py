"""The server's state as one typed notification, ``onex/status``, sent on every change:

    {"state": "starting" | "loadingModel" | "generating" | "learning" | "ready",
     "model": "<embedder id>", "store": "<data directory, index>", "learning": bool}

Clients show it (VS Code's status item) instead of reading log text. The state is the
busiest work under way: loading the model, then generating, then learning.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

STATUS_NOTIFICATION = "onex/status"
_BUSY_ORDER = ("loadingModel", "generating", "learning")


@dataclass(frozen=True)
class Facts:
    model: str
    store: str
    learning: bool


class StatusReporter:
    """Counts the work under way and sends the status when it changes (event loop only)."""

    def __init__(self, send: Callable[[dict[str, Any]], None], facts: Callable[[], Facts]) -> None:
        self._send = send
        self._facts = facts
        self._busy: Counter[str] = Counter()
        self._ready = False  # sessions started
        self._last: dict[str, Any] | None = None

    @property
    def state(self) -> str:
        busy = next((s for s in _BUSY_ORDER if self._busy[s] > 0), None)
        return busy or ("ready" if self._ready else "starting")

    def started(self) -> None:
        self._ready = True
        self.publish()

    @contextlib.contextmanager
    def busy(self, state: str) -> Iterator[None]:
        self._busy[state] += 1
        self.publish()
        try:
            yield
        finally:
            self._busy[state] -= 1
            self.publish()

    def payload(self) -> dict[str, Any]:
        facts = self._facts()
        return {"state": self.state, "model": facts.model, "store": facts.store,
                "learning": facts.learning}  # fmt: skip

    def publish(self) -> None:
        """Send the status if it differs from the last one sent."""
        payload = self.payload()
        if payload != self._last:
            self._last = payload
            self._send(payload)


def state_of_progress(title: str) -> str:
    """The state of the server's own long work, by the title it reports it under."""
    return "loadingModel" if title.startswith("Loading the embedding model") else "generating"
