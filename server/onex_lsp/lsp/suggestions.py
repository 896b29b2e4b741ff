"""Suggestions: the kinds of code action offered, and the registry of those in play.

Every action the server offers gets a suggestion id. ``SuggestionRegistry`` remembers
what each offered (its kind, document, title, the folder it creates) and, once its edit
is computed, the handler blocks it will create, so that applying it starts learning and
feedback. Offers expire: the registry holds at most ``capacity`` suggestions, none older
than ``ttl`` seconds, so it never grows with uptime.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from lsprotocol import types as lsp

from onex_lsp.feedback.tracker import PlannedBlock

# The protocol's names for what the server offers: one home, importable without loading
# the features (``serve`` registers them before any of those modules is imported).
GENERATE_NODE_KIND = "source.onex.generateNode"
REFACTOR_GENERATE_KIND = "refactor.onex.generateNode"  # the same action where Ctrl+. looks
UPDATE_NODE_KIND = "source.onex.updateNode"
ADD_HANDLER_KIND = "quickfix"
INSERT_PATTERN_KIND = "refactor.onex.insertPattern"
# Blocks of another verb family (a delete for a create handler): offered only when a request
# names this kind itself, e.g. from the menu's "More patterns (other verbs)…" entry.
OTHER_VERBS_KIND = "refactor.onex.insertPattern.otherVerbs"
# The editor's own command that opens the code-action menu for one kind (VS Code's name;
# the Neovim plugin handles it for its client).
CODE_ACTION_MENU_COMMAND = "editor.action.codeAction"
FORGET_KIND = "refactor.onex.forgetPattern"
CODE_ACTION_KINDS = [
    GENERATE_NODE_KIND,
    REFACTOR_GENERATE_KIND,
    UPDATE_NODE_KIND,
    ADD_HANDLER_KIND,
    INSERT_PATTERN_KIND,
    OTHER_VERBS_KIND,
    FORGET_KIND,
]
APPLIED = "onex.suggestionApplied"
GENERATE_COMMAND = "onex.generateNode"
ADD_HANDLER_COMMAND = "onex.addHandler"
UPDATE_COMMAND = "onex.updateNode"
OPEN_COMMAND = "onex.openNode"
FORGET_COMMAND = "onex.forgetPattern"
DETECTED_PATTERNS_COMMAND = "onex.showDetectedPatterns"
PATTERN_LIBRARY_REQUEST = "onex/patternLibrary"
PATTERN_REPORT_REQUEST = "onex/patternReport"
EXPORT_PATTERNS_REQUEST = "onex/exportPatterns"


def applied_command(suggestion_id: str, uri: str) -> lsp.Command:
    """Run after an action's edit is applied: records it and starts following its blocks."""
    return lsp.Command(
        title="Record the applied suggestion", command=APPLIED, arguments=[suggestion_id, uri]
    )


@dataclass(frozen=True)
class Suggestion:
    suggestion_id: str
    kind: str
    uri: str
    title: str
    offered_at: float
    creates: Path | None = None  # the package folder a generate action creates
    planned: tuple[PlannedBlock, ...] = ()  # handler blocks its edit creates
    applied: bool = False


class SuggestionRegistry:
    """Offered suggestions by id, bounded in number and age (event-loop only)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        capacity: int = 1000,
        ttl: float = 6 * 3600.0,
    ) -> None:
        self._clock = clock
        self._capacity = capacity
        self._ttl = ttl
        self._offered: OrderedDict[str, Suggestion] = OrderedDict()

    def __len__(self) -> int:
        return len(self._offered)

    def offer(self, kind: str, uri: str, title: str, creates: Path | None = None) -> str:
        """Register an offered action; returns its new suggestion id."""
        suggestion_id = uuid.uuid4().hex
        self._expire()
        self._offered[suggestion_id] = Suggestion(
            suggestion_id, kind, uri, title, self._clock(), creates
        )
        while len(self._offered) > self._capacity:
            self._offered.popitem(last=False)
        return suggestion_id

    def plan(self, suggestion_id: str, planned: Sequence[PlannedBlock]) -> None:
        """The handler blocks the suggestion's edit creates (set when the edit is computed)."""
        found = self._offered.get(suggestion_id)
        if found is not None and not found.applied:
            self._offered[suggestion_id] = replace(found, planned=tuple(planned))

    def apply(self, suggestion_id: str) -> Suggestion | None:
        """Mark applied; returns it the first time only (a repeated apply changes nothing).
        ``None`` also for ids this session never offered or that expired."""
        self._expire()
        found = self._offered.get(suggestion_id)
        if found is None or found.applied:
            return None
        self._offered[suggestion_id] = replace(found, applied=True, planned=())
        return found

    def get(self, suggestion_id: str) -> Suggestion | None:
        return self._offered.get(suggestion_id)

    def _expire(self) -> None:
        limit = self._clock() - self._ttl
        while self._offered:
            oldest = next(iter(self._offered.values()))
            if oldest.offered_at >= limit:
                return
            self._offered.popitem(last=False)
