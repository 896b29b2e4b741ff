"""Suggestions: what a code action offers, how it is titled, and the record of its use.

Every action the server offers gets a suggestion id; ``SuggestionLog`` remembers what
was shown and what was applied (the feedback loop builds on these events).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from onex_lsp.contract import Contract
from onex_lsp.detection import ContractDetection
from onex_lsp.generation import GeneratedPackage

GENERATE_NODE_KIND = "source.onex.generateNode"
ADD_HANDLER_KIND = "quickfix"
INSERT_PATTERN_KIND = "refactor.onex.insertPattern"


def new_suggestion_id() -> str:
    return uuid.uuid4().hex


def generate_title(contract: Contract, detection: ContractDetection) -> str:
    """``Generate EFFECT node user_management — CRUD 0.94 (create, get, update, delete)``."""
    head = f"Generate {contract.kind.upper_name} node {contract.name}"
    with_ops = [s for s in detection.patterns if s.operations]
    if not with_ops:
        return f"{head} — no pattern detected (handlers will be stubs)"
    best = with_ops[0]
    verbs: list[str] = []
    for op in best.operations:
        found = detection.for_operation(op)
        if found and found.best and found.best.keyword not in verbs:
            verbs.append(found.best.keyword)
    extra = f" + {len(with_ops) - 1} more pattern(s)" if len(with_ops) > 1 else ""
    return f"{head} — {best.pattern.label} {best.confidence:.2f} ({', '.join(verbs)}){extra}"


@dataclass(frozen=True)
class PackageTarget:
    """Where a package goes: ``root/<package>/``; ``in_place`` when the contract is inside."""

    root: Path
    package: str
    in_place: bool

    @property
    def folder(self) -> Path:
        return self.root / self.package

    def files_to_write(self, generated: GeneratedPackage) -> dict[str, str]:
        """Paths relative to ``root`` -> text; the user's own contract is never rewritten."""
        files = {f"{self.package}/{rel}": text for rel, text in generated.files.items()}
        if self.in_place:
            files.pop(f"{self.package}/contract.yaml", None)
        return files

    def existing(self, generated: GeneratedPackage) -> list[Path]:
        return [
            self.root / rel for rel in self.files_to_write(generated) if (self.root / rel).exists()
        ]


def package_target(contract_path: Path, contract: Contract) -> PackageTarget:
    """The package folder sits around the contract when it already lives in it, else beside it."""
    if contract_path.parent.name == contract.package_name:
        return PackageTarget(contract_path.parent.parent, contract.package_name, True)
    return PackageTarget(contract_path.parent, contract.package_name, False)


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
