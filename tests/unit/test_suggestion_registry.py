"""The registry of offered suggestions: applied once, bounded in number and age."""

from __future__ import annotations

from pathlib import Path

from onex_lsp.feedback.tracker import PlannedBlock
from onex_lsp.lsp.suggestions import SuggestionRegistry

BLOCK = PlannedBlock("file:///w/h.py", "builtin:crud.create", "create", "handle_create", "x", 0, 1)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_applied_once_with_what_it_creates_and_plans() -> None:
    registry = SuggestionRegistry()
    sid = registry.offer("source.onex.generateNode", "file:///w/c.yaml", "Generate", Path("/w/p"))
    registry.plan(sid, [BLOCK])
    applied = registry.apply(sid)
    assert applied is not None
    assert (applied.creates, applied.planned, applied.title) == (Path("/w/p"), (BLOCK,), "Generate")
    assert registry.apply(sid) is None  # a second apply starts nothing again
    registry.plan(sid, [BLOCK])  # too late: ignored
    assert registry.get(sid) is not None and registry.get(sid).planned == ()  # type: ignore[union-attr]


def test_unknown_ids_are_not_applied() -> None:
    assert SuggestionRegistry().apply("never-offered") is None


def test_offers_expire() -> None:
    clock = Clock()
    registry = SuggestionRegistry(clock=clock, ttl=60)
    old = registry.offer("quickfix", "u", "old")
    clock.now += 61
    fresh = registry.offer("quickfix", "u", "fresh")
    assert registry.apply(old) is None
    assert registry.apply(fresh) is not None
    assert len(registry) == 1


def test_capacity_bounds_the_registry() -> None:
    registry = SuggestionRegistry(capacity=5)
    ids = [registry.offer("quickfix", "u", str(n)) for n in range(12)]
    assert len(registry) == 5
    assert registry.apply(ids[0]) is None
    assert registry.apply(ids[-1]) is not None
