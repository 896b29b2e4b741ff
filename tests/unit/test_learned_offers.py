"""Learned options of open contracts: listings take what is ready, resolves what is current."""

from __future__ import annotations

import asyncio
from typing import Any

from onex_lsp.generation.ranking import LearnedOption
from onex_lsp.lsp.learned_offers import (
    Basis,
    FreshOptions,
    LearnedOffers,
    LibraryState,
    Ready,
    ReadyOptions,
)

CONTRACT: Any = object()  # the lookups pass contract and plan through to the library
PLAN: Any = object()
LIBRARY: LibraryState = ("minilm-l6-v2-384", 20_000, 0)


def options(block: str) -> dict[str, list[LearnedOption]]:
    return {"create_user": [LearnedOption(block, "def handle(): ...", "a/b.py", 0.9)]}


def ready(version: int, block: str = "b1", library: LibraryState = LIBRARY) -> Ready:
    return Ready(Basis(version, 0.7, library), options(block))


def test_a_listing_answers_with_the_last_options_and_says_they_are_stale() -> None:
    current = ReadyOptions(ready(3), 3, lambda: LIBRARY)
    assert current(CONTRACT, PLAN, 0.7) == options("b1") and not current.stale
    edited = ReadyOptions(ready(3), 4, lambda: LIBRARY)  # the document changed since
    assert edited(CONTRACT, PLAN, 0.7) == options("b1") and edited.stale
    learned = ReadyOptions(ready(3), 3, lambda: ("minilm-l6-v2-384", 20_001, 0))
    assert learned(CONTRACT, PLAN, 0.7) == options("b1") and learned.stale
    threshold = ReadyOptions(ready(3), 3, lambda: LIBRARY)
    assert threshold(CONTRACT, PLAN, 0.9) == options("b1") and threshold.stale
    nothing = ReadyOptions(None, 1, lambda: LIBRARY)
    assert nothing(CONTRACT, PLAN, 0.7) == {} and nothing.stale


def test_a_resolve_computes_only_what_is_stale() -> None:
    calls: list[float] = []

    def compute(contract: Any, plan: Any, threshold: float) -> dict[str, list[LearnedOption]]:
        calls.append(threshold)
        return options("b2")

    current = FreshOptions(ready(3), 3, lambda: LIBRARY, compute)
    assert current(CONTRACT, PLAN, 0.7) == options("b1")
    assert (calls, current.computed) == ([], None)
    stale = FreshOptions(ready(3), 4, lambda: LIBRARY, compute)
    assert stale(CONTRACT, PLAN, 0.7) == options("b2")
    assert calls == [0.7] and stale.computed == Ready(Basis(4, 0.7, LIBRARY), options("b2"))


def test_newer_options_are_never_replaced_by_older_ones() -> None:
    offers = LearnedOffers()
    offers.keep("u", ready(5, "new"))
    offers.keep("u", ready(4, "old"))  # a computation that started before the edit
    assert offers.ready("u") == ready(5, "new")
    offers.keep("u", ready(5, "again", ("minilm-l6-v2-384", 20_001, 0)))
    assert offers.ready("u") == ready(5, "again", ("minilm-l6-v2-384", 20_001, 0))
    offers.forget("u")
    assert offers.ready("u") is None


async def test_a_resolve_waits_for_the_computation_of_its_version() -> None:
    offers = LearnedOffers()
    lookup = FreshOptions(None, 2, lambda: LIBRARY, lambda c, p, t: options("b3"))
    started = asyncio.Event()

    async def work() -> None:
        started.set()
        await asyncio.sleep(0.01)
        lookup(CONTRACT, PLAN, 0.7)

    running = offers.compute("u", 2, lookup, work())
    await started.wait()
    await offers.settle("u", 1)  # another version: no wait
    assert not running.done()
    await offers.settle("u", 2)
    assert running.done() and offers.ready("u") == Ready(Basis(2, 0.7, LIBRARY), options("b3"))
    assert offers.refreshing("u", 2) is False and offers.refreshing("u", 2) is True
