"""Saves accepted for learning, journalled before anything else happens to them.

A save the server will learn from is written to the journal as a ``save-pending`` event
(its source, path and the followed blocks it holds, for lineage) the moment it is
accepted; once its blocks are journalled a ``save-learned`` event names it. A process
killed in between (kill -9, a crash, a power cut) leaves pending saves that the next
session learns: learning is idempotent (blocks are deduplicated by fingerprint), so a
save learned twice costs nothing but time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from onex_lsp.learning.lineage import Origin

PENDING = "save-pending"
LEARNED = "save-learned"


@dataclass(frozen=True)
class PendingSave:
    seq: int  # the journal event that holds it
    path: str
    source: str
    origins: tuple[Origin, ...] = ()


def pending_payload(path: str, source: str, origins: Sequence[Origin]) -> dict[str, Any]:
    return {"path": path, "source": source, "origins": [asdict(o) for o in origins]}


def _origins(value: Any) -> tuple[Origin, ...]:
    """The saved origins; a damaged list is no lineage, not a lost save."""
    try:
        return tuple(Origin(**item) for item in value or ())
    except (TypeError, ValueError):
        return ()


def learned_payload(seq: int) -> dict[str, Any]:
    return {"pending": seq}


def unlearned(events: Iterable[dict[str, Any]]) -> list[PendingSave]:
    """The pending saves of a journal's events that no ``save-learned`` event names,
    oldest first."""
    events = list(events)
    done = {e.get("pending") for e in events if e.get("type") == LEARNED}
    found = []
    for event in events:
        if event.get("type") != PENDING or event.get("seq") in done:
            continue
        path, source = event.get("path"), event.get("source")
        if isinstance(path, str) and isinstance(source, str):
            found.append(
                PendingSave(int(event["seq"]), path, source, _origins(event.get("origins")))
            )
    return found
