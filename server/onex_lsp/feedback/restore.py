"""Blocks an earlier session was still following, read back from its journal events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from onex_lsp import layout
from onex_lsp.feedback.tracker import TrackedBlock

# The event types ``unfinished_blocks`` reads. ``derived`` links a followed block to the
# block learned from its latest save: its outcome decides whether that child supersedes it.
DERIVED = "derived"
RESTORE_EVENTS = frozenset({"tracking", "checkpoint", "outcome", DERIVED})


@dataclass(frozen=True)
class Unfinished:
    """A tracked block without an outcome; its span is found again in the file."""

    block: TrackedBlock  # start and end are 0 until the handler is found
    function: str
    child: str = ""  # the learned key of the block its latest save taught, if any


def unfinished_blocks(events: Iterable[Mapping[str, Any]]) -> list[Unfinished]:
    """``tracking`` events with no ``outcome`` yet, with the checkpoints already measured."""
    events = list(events)
    finished = {e["block_id"] for e in events if e.get("type") == "outcome"}
    done: dict[str, set[float]] = {}
    children: dict[str, str] = {}  # the latest link wins: a newer save superseded the older
    for e in events:
        if e.get("type") == "checkpoint":
            done.setdefault(e["block_id"], set()).add(float(e.get("checkpoint", 0)))
        elif e.get("type") == DERIVED:
            children[e["block_id"]] = str(e.get("child") or "")
    found = []
    for e in events:
        if e.get("type") != "tracking" or e["block_id"] in finished:
            continue
        block = TrackedBlock(
            block_id=e["block_id"],
            suggestion_id=str(e.get("suggestion", "")),
            pattern=str(e["pattern"]),
            uri=str(e["uri"]),
            start=0,
            end=0,
            inserted=tuple(e["inserted"]),
            applied_at=float(e["applied_at"]),
            done=tuple(sorted(done.get(e["block_id"], ()))),
            family=str(e.get("family") or ""),
            builtin=tuple(e.get("builtin") or ()),
            module=str(e.get("module") or ""),
        )
        function = str(e.get("function") or layout.handler_function(str(e["operation"])))
        found.append(Unfinished(block, function, children.get(e["block_id"], "")))
    return found
