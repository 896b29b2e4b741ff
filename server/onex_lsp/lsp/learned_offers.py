"""Learned options of open contracts, computed in the background.

Listing a contract's code actions must not wait for the pattern library: after an edit
of the contract's description every operation's query is a new text for the embedding
model, and each query is an index search (~2 ms at 20k blocks). So a contract's options
are computed in a worker thread when it opens or changes (debounced like its
diagnostics) and kept with what they were computed from (``Basis``). A listing takes
what is ready — the options of this version, else those of the last version computed,
else none — and schedules a refresh when they are stale; the editor's next request
shows the refreshed ones. Resolving an action computes them when they are stale: an
edit is built from current options.

``onex.showDetectedPatterns`` reports whether a contract's options are current, so a
client (and the end-to-end tests) can wait for them instead of guessing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from onex_lsp.contract.model import Contract
from onex_lsp.generation.package_plan import PackagePlan
from onex_lsp.generation.ranking import LearnedOption

if TYPE_CHECKING:
    from onex_lsp.lsp.generation_jobs import Workbench
    from onex_lsp.lsp.server import OnexLanguageServer

log = logging.getLogger(__name__)
Options = dict[str, list[LearnedOption]]
Compute = Callable[[Contract, PackagePlan, float], Options]
LibraryState = tuple[str, int, int] | None  # embedder id and journal head; None: not open


@dataclass(frozen=True)
class Basis:
    """What a contract's learned options were computed from."""

    version: int | None  # the document's
    threshold: float
    library: LibraryState


@dataclass(frozen=True)
class Ready:
    basis: Basis
    options: Options


class ReadyOptions:
    """A listing's lookup (called in a worker thread): the ready options, never computed;
    ``stale`` says whether a refresh is due."""

    def __init__(
        self, ready: Ready | None, version: int | None, state: Callable[[], LibraryState]
    ) -> None:
        self._ready = ready
        self._version = version
        self._state = state
        self.stale = True

    def __call__(self, contract: Contract, plan: PackagePlan, threshold: float) -> Options:
        basis = Basis(self._version, threshold, self._state())
        self.stale = self._ready is None or self._ready.basis != basis
        return self._ready.options if self._ready is not None else {}


class FreshOptions:
    """A resolve's or a refresh's lookup (worker thread): the ready options when they are
    current, else computed now; ``computed`` is what the event loop keeps."""

    def __init__(
        self,
        ready: Ready | None,
        version: int | None,
        state: Callable[[], LibraryState],
        compute: Compute,
    ) -> None:
        self._ready = ready
        self._version = version
        self._state = state
        self._compute = compute
        self.computed: Ready | None = None

    def __call__(self, contract: Contract, plan: PackagePlan, threshold: float) -> Options:
        basis = Basis(self._version, threshold, self._state())
        if self._ready is not None and self._ready.basis == basis:
            return self._ready.options
        self.computed = Ready(basis, self._compute(contract, plan, threshold))
        return self.computed.options


class LearnedOffers:
    """Per open contract: the options last computed, the version being refreshed and the
    computation running (event loop only; entries go when the document closes)."""

    def __init__(self) -> None:
        self._ready: dict[str, Ready] = {}
        self._refreshing: dict[str, int | None] = {}
        self._computing: dict[str, tuple[int | None, asyncio.Future[None]]] = {}

    def ready(self, uri: str) -> Ready | None:
        return self._ready.get(uri)

    def keep(self, uri: str, computed: Ready | None) -> None:
        """Keep newly computed options unless newer ones are kept already."""
        kept = self._ready.get(uri)
        if computed is None or (kept is not None and _newer(kept.basis, computed.basis)):
            return
        self._ready[uri] = computed

    def refreshing(self, uri: str, version: int | None) -> bool:
        """Whether a refresh of this version runs; if not, it does from now on."""
        if uri in self._refreshing and self._refreshing[uri] == version:
            return True
        self._refreshing[uri] = version
        return False

    def refreshed(self, uri: str, version: int | None) -> None:
        if self._refreshing.get(uri, -1) == version:
            del self._refreshing[uri]

    def compute(
        self, uri: str, version: int | None, lookup: FreshOptions, work: Awaitable[None]
    ) -> asyncio.Future[None]:
        """Run ``work`` (which calls ``lookup``), keeping what it computed when done."""
        running = asyncio.ensure_future(work)
        self._computing[uri] = (version, running)

        def done(finished: asyncio.Future[None]) -> None:
            if self._computing.get(uri, (None, None))[1] is finished:
                del self._computing[uri]
            if not finished.cancelled() and finished.exception() is None:
                self.keep(uri, lookup.computed)

        running.add_done_callback(done)
        return running

    async def settle(self, uri: str, version: int | None) -> None:
        """Wait for this version's options if they are being computed now."""
        found = self._computing.get(uri)
        if found is not None and found[0] == version:
            with contextlib.suppress(Exception):
                await asyncio.shield(found[1])

    def forget(self, uri: str) -> None:
        self._ready.pop(uri, None)
        self._refreshing.pop(uri, None)
        self._computing.pop(uri, None)


def _newer(kept: Basis, computed: Basis) -> bool:
    return (kept.version or 0) > (computed.version or 0)


def _version(ls: OnexLanguageServer, uri: str) -> int | None:
    if uri not in ls.workspace.text_documents:
        return None
    return ls.workspace.get_text_document(uri).version


def ready_lookup(ls: OnexLanguageServer, uri: str) -> ReadyOptions:
    return ReadyOptions(ls.offers.ready(uri), _version(ls, uri), ls.learning.state)


def library_options(ls: OnexLanguageServer) -> Compute:
    """The library's options for a contract, through the replay gate (blocking)."""
    return ls.gates.gated(ls.learning.options, lambda: ls.settings.validation_interpreter)


def fresh_lookup(ls: OnexLanguageServer, uri: str) -> FreshOptions:
    ready = ls.offers.ready(uri)
    return FreshOptions(ready, _version(ls, uri), ls.learning.state, library_options(ls))


async def settled(ls: OnexLanguageServer, uri: str) -> FreshOptions:
    """A resolve's lookup, after the options of this version that are being computed
    (a refresh that started at the open or after the edit) are done."""
    await ls.offers.settle(uri, _version(ls, uri))
    return fresh_lookup(ls, uri)


def schedule(ls: OnexLanguageServer, uri: str, delay: float | None = None) -> None:
    """Refresh a contract's options in the background after ``delay`` seconds (the
    diagnostics delay by default); nothing when this version's refresh already runs."""
    if ls.offers.refreshing(uri, _version(ls, uri)):
        return
    wait = ls.settings.diagnostics_delay_ms / 1000 if delay is None else delay
    ls.documents.run("learned", uri, _refresh(ls, uri, wait))


async def _refresh(ls: OnexLanguageServer, uri: str, delay: float) -> None:
    from onex_lsp.lsp import generation_jobs as jobs
    from onex_lsp.lsp.documents import parse_document
    from onex_lsp.lsp.package_actions import workbench

    version = _version(ls, uri)
    try:
        await asyncio.sleep(delay)
        parsed = await parse_document(ls, uri)
        contract = parsed.result.contract if parsed is not None else None
        if parsed is None or contract is None or parsed.path is None:
            return
        if not parsed.result.generatable:
            return
        lookup = fresh_lookup(ls, uri)
        bench: Workbench = workbench(ls, lookup)
        work = asyncio.to_thread(jobs.learned_for, bench, contract, parsed.path)
        await asyncio.shield(ls.offers.compute(uri, version, lookup, work))
        log.debug("learned options of %s (version %s) ready", uri, version)
    finally:
        ls.offers.refreshed(uri, version)


def learned_status(lookup: ReadyOptions, options: Options, path: Path | None) -> dict[str, object]:
    """What ``onex.showDetectedPatterns`` says of the learned options it saw."""
    return {
        "current": path is not None and not lookup.stale,
        "operations": {
            operation: [
                {
                    "block": o.block_id,
                    "origin": o.origin,
                    "similarity": o.similarity,
                    "gate": o.gate,
                }
                for o in found
            ]
            for operation, found in options.items()
        },
    }
