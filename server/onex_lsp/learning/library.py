"""The pattern library: the journal (truth), an embedder and a vector index, kept in sync.

Writes go to the journal first; the index is brought up to date from it before every
query (``IndexKeeper``), so blocks learned by another process on the same data directory
are seen too, and a store outage only delays indexing. The index is per embedder: when
MiniLM finishes loading, queries move to its index, filled from the journal.

Storage trouble never breaks generation nor raises into the editor: with the journal
unavailable (data directory read-only, blocked, full, or corrupt and moved aside) or too
little free space, learning *pauses* — saved files are held in memory (the last one per
path) and learned when it resumes, feedback events are buffered by the journal — and a
background supervisor retries with backoff, so everything resumes without a restart.
"""

from __future__ import annotations

import ast
import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from onex_lsp import layout
from onex_lsp.contract.reader import Contract
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.package_plan import HandlerStyle, PackagePlan
from onex_lsp.generation.ranking import LearnedOption, choose_handlers
from onex_lsp.learning.blocks import LearnOutcome, blocks_from_source, describe
from onex_lsp.learning.datadir import Backoff
from onex_lsp.learning.embeddings import CachedEmbedder, Embedder
from onex_lsp.learning.index_keeper import INDEX_DIR, IndexKeeper, StoragePolicy
from onex_lsp.learning.index_status import IndexStatus, index_status
from onex_lsp.learning.journal import Journal, JournalUnavailable, LearnedBlock
from onex_lsp.learning.lineage import Origin, family_root, with_parents
from onex_lsp.learning.module_filter import definitions_only
from onex_lsp.learning.parameterize import NameContext, instantiate
from onex_lsp.learning.supervisor import Supervisor
from onex_lsp.learning.worker import ExtractionWorker, package_context

__all__ = [
    "INDEX_DIR",
    "JOURNAL_FILE",
    "Candidate",
    "LearnReport",
    "PatternLibrary",
    "StoragePolicy",
    "default_data_dir",
    "learned_option",
    "learned_options",
    "name_context",
]
log = logging.getLogger(__name__)
JOURNAL_FILE = "journal.sqlite3"
# Learning inside the server: work in steps this small, pausing between them, so a request
# waits for at most one step instead of a 5 ms GIL switch interval per hand-over.
_POLITE_STEP = 8
_PAUSE = 0.002
_HELD_SAVES = 256  # saved files kept in memory while learning is paused


def default_data_dir(setting: str | None = None) -> Path:
    """``onex.store.path``, else ``$ONEX_LSP_DATA_DIR``, else the user data directory."""
    if setting:
        return Path(setting).expanduser()
    env = os.environ.get("ONEX_LSP_DATA_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("onex-lsp", appauthor=False))


@dataclass(frozen=True)
class Candidate:
    block: LearnedBlock
    similarity: float


@dataclass(frozen=True)
class LearnReport:
    path: str
    learned: tuple[LearnedBlock, ...]  # new blocks (duplicates are not repeated)
    seen: int  # blocks found in the file
    error: str | None = None
    paused: str | None = None  # learning is paused (why): the file is held, learned later


@dataclass(frozen=True)
class _HeldSave:
    source: str
    origins: Sequence[Origin]
    isolated: bool


class PatternLibrary:
    def __init__(
        self,
        data_dir: Path,
        embedder: Embedder,
        store_url: str | None = None,
        api_key: str | None = None,
        *,
        policy: StoragePolicy | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.store_url = store_url
        self.api_key = api_key
        self.policy = policy or StoragePolicy()
        self._lock = threading.RLock()
        self._supervisor = Supervisor(self._recover, "onex-storage-recovery")
        retry = Backoff(self.policy.retry_first, self.policy.retry_cap)
        self._ready = False  # recovery waits for the constructor to finish
        self.journal = Journal(data_dir / JOURNAL_FILE, retry=retry, on_trouble=self._trouble)
        self._embedder = CachedEmbedder(embedder, self.journal)
        self._keeper = IndexKeeper(
            data_dir, self.journal, self._embedder, store_url, api_key, self.policy,
            on_trouble=self._trouble,
        )  # fmt: skip
        self._held: dict[str, _HeldSave] = {}
        self._worker: ExtractionWorker | None = None
        self._ready = True
        if self.journal.problem is not None:
            self._supervisor.poke()

    def _trouble(self) -> None:
        if self._ready:
            self._supervisor.poke()

    # -- state ------------------------------------------------------------------------
    @property
    def embedder_id(self) -> str:
        return self._embedder.id

    @property
    def store_description(self) -> str:
        return self._keeper.description

    @property
    def problem(self) -> str | None:
        """Why the journal cannot be used (learning is off until it can), or ``None``."""
        return self.journal.problem

    def learning_paused(self) -> str | None:
        """Why new blocks are not learned now (held until they can be), or ``None``. Low
        free space also closes the index (one log line says so, the keeper's)."""
        if self.journal.problem is not None:
            return self.journal.problem
        space = self._keeper.space_problem()
        if space is not None:
            self._keeper.pause(space)
        return space

    def use_embedder(self, embedder: Embedder) -> None:
        """Switch vector spaces (e.g. MiniLM is ready); the new index fills from the journal."""
        with self._lock:
            self._embedder = CachedEmbedder(embedder, self.journal)
            self._keeper.use_embedder(self._embedder)

    # -- the index ------------------------------------------------------------------------
    def sync(self, *, polite: bool = False) -> int:
        """Index every journalled block the index has not seen, drop what was forgotten
        since; returns how many blocks were indexed. ``polite``: in small steps with a
        pause between them, for a server whose request loop shares this process's GIL."""
        indexed = self._keeper.sync(polite=polite)
        if not self._keeper.healthy() or self.journal.problem is not None:
            self._supervisor.poke()
        return indexed

    def index_status(self, live: int) -> IndexStatus:
        """How many of the ``live`` blocks the index holds, read without opening it."""
        keeper = self._keeper
        return index_status(
            keeper.folder(), keeper.embedder.id, keeper.store_url, self.journal, live
        )

    def reindex(self) -> int:
        """Drop the index and rebuild it from the journal."""
        return self._keeper.reindex()

    def _recover(self) -> float | None:
        """One recovery round (the supervisor's thread): journal, held saves, index."""
        waits: list[float] = []
        if self.journal.problem is not None:
            try:
                self.journal.ensure_open()
            except JournalUnavailable:
                waits.append(self.journal.retry_in())
        if self._held and self.learning_paused() is None:
            self._learn_held()
        elif self._held:
            waits.append(self.policy.retry_first)
        if self.journal.problem is None:
            self._keeper.sync(polite=True)
            if not self._keeper.healthy():
                waits.append(self._keeper.retry_in())
        return min(waits) if waits else None

    # -- learning -------------------------------------------------------------------------
    def learn_source(
        self,
        source: str,
        path: str,
        *,
        origins: Sequence[Origin] = (),
        index: bool = True,
        isolated: bool = False,
    ) -> LearnReport:
        """Journal the file's new blocks, then index them unless ``index`` is False (bulk
        learning indexes in batches with ``sync``). The blocks are committed when this
        returns; while learning is paused the file is held and learned when it resumes.

        ``isolated`` extracts in the library's worker process: the language server's
        requests must not wait for parsing that holds this process's GIL. ``origins``:
        the tracked blocks of the file, each handler's parent (``lineage``).
        """
        paused = self.learning_paused()
        if paused is None:
            try:
                return self._learn(source, path, origins, index, isolated)
            except JournalUnavailable as exc:
                paused = str(exc)
        self._hold(path, _HeldSave(source, origins, isolated))
        return LearnReport(path, (), 0, paused=paused)

    def _learn(
        self, source: str, path: str, origins: Sequence[Origin], index: bool, isolated: bool
    ) -> LearnReport:
        if not isolated:
            outcome = blocks_from_source(source, path, package_context(Path(path)))
            (report,) = self.journal_outcomes([(path, outcome)], origins=origins)
            if report.learned and index:
                self._keeper.sync_soon()
            return report
        with self._lock:
            if self._worker is None:
                self._worker = ExtractionWorker()
            worker = self._worker
        outcome = worker.extract(source, path)
        report = self._journal_politely(path, outcome, origins)
        if report.learned and index:
            self._keeper.sync_soon(polite=True)
        return report

    def _hold(self, path: str, save: _HeldSave) -> None:
        with self._lock:
            self._held.pop(path, None)  # the latest save of a file wins
            self._held[path] = save
            while len(self._held) > _HELD_SAVES:
                dropped = next(iter(self._held))
                del self._held[dropped]
                log.warning("learning is paused; not holding %s any longer", dropped)
        self._supervisor.poke()

    def _learn_held(self) -> None:
        with self._lock:
            held, self._held = self._held, {}
        learned = 0
        for path, save in held.items():
            report = self.learn_source(
                save.source, path, origins=save.origins, isolated=save.isolated
            )
            learned += len(report.learned)
        log.info("learning resumed: %d new block(s) from %d file(s) saved while it was paused",
                 learned, len(held))  # fmt: skip

    def _journal_politely(
        self, path: str, outcome: LearnOutcome, origins: Sequence[Origin]
    ) -> LearnReport:
        """One file's blocks in small transactions with pauses between them (the server's
        request loop shares this process's GIL); a crash keeps the committed steps."""
        blocks, learned = outcome.blocks, list[LearnedBlock]()
        for first in range(0, max(len(blocks), 1), _POLITE_STEP):
            part = replace(outcome, blocks=blocks[first : first + _POLITE_STEP])
            (report,) = self.journal_outcomes([(path, part)], origins=origins)
            if report.error:
                return report
            learned.extend(report.learned)
            time.sleep(_PAUSE)
        return LearnReport(path, tuple(learned), len(blocks))

    def journal_outcomes(
        self, outcomes: list[tuple[str, LearnOutcome]], origins: Sequence[Origin] = ()
    ) -> list[LearnReport]:
        """Journal several files' blocks in one transaction: one commit per batch.
        Raises ``JournalUnavailable`` when the journal cannot take them."""
        prepared = [with_parents(outcome.blocks, origins) for _, outcome in outcomes]
        added = iter(self.journal.add_blocks([b for blocks in prepared for b in blocks]))
        reports = []
        for (path, outcome), blocks in zip(outcomes, prepared, strict=True):
            if outcome.error is not None:
                err = outcome.error
                message = f"{path}:{err.line}:{err.column + 1}: {err}"
                reports.append(LearnReport(path, (), 0, message))
                continue
            learned = tuple(b for b in blocks if next(added))
            reports.append(LearnReport(path, learned, len(blocks)))
        return reports

    # -- querying -------------------------------------------------------------------------
    def candidates(
        self, node_kind: str, block: str, query_text: str, limit: int = 5
    ) -> list[Candidate]:
        """Learned whole-module handlers of this node kind and block type, nearest first;
        none, at once, while the journal or the index is away."""
        if self.journal.problem is not None:
            self._supervisor.poke()
            return []
        match = {"kind": "handler", "node_kind": node_kind, "block": block}
        try:
            self._keeper.refresh()
            if self._keeper.description == "not open":
                return []
            (vector,) = self._embedder.embed([query_text])
            hits = self._keeper.search(vector, match, limit * 2)
            found = self.journal.get_many([hit.id for hit in hits])
        except JournalUnavailable:
            return []
        result = []
        for hit in hits:
            learned = found.get(hit.id)
            if learned is not None and learned.extra.get("module"):
                result.append(Candidate(learned, round(hit.score, 4)))
        return result[:limit]

    def close(self) -> None:
        self._supervisor.stop()
        with self._lock:
            self._keeper.close()
            self.journal.close()
            if self._worker is not None:
                self._worker.close()
                self._worker = None


def learned_options(
    library: PatternLibrary,
    contract: Contract,
    plan: PackagePlan,
    threshold: float,
    limit: int = 3,
) -> dict[str, list[LearnedOption]]:
    """Learned handlers that could replace each operation's built-in block, re-render-checked.

    Only blocks of the same node kind and block type are asked for, and only those that
    re-render for this contract into valid Python are kept. Learned blocks are handler
    modules of the function layout; a package in the class layout gets none.
    """
    if plan.style is not HandlerStyle.FUNCTION:
        return {}
    detection = detect_contract(contract)
    node = plan
    options: dict[str, list[LearnedOption]] = {}
    for choice in choose_handlers(contract, detection, threshold):
        if choice.block == "stub":
            continue
        query = describe(contract.kind.value, choice.block, choice.operation, contract.description)
        for candidate in library.candidates(contract.kind.value, choice.block, query, limit):
            option = learned_option(
                candidate.block, contract, node, choice.operation, candidate.similarity
            )
            if option is not None:
                family = family_root(candidate.block, library.journal.get_many)
                options.setdefault(choice.operation, []).append(replace(option, family=family))
    return options


def learned_option(
    learned: LearnedBlock, contract: Contract, node: PackagePlan, operation: str, similarity: float
) -> LearnedOption | None:
    """A learned handler re-rendered for ``operation`` of ``contract``; ``None`` when it does
    not become valid Python with this contract's names."""
    try:
        # Journals written before learned modules were cut down to definitions (and
        # imported files) may carry other module-level code: never re-render that.
        template = definitions_only(learned.template).text
        module_text = instantiate(template, name_context(contract, node, operation))
        ast.parse(module_text)
    except (SyntaxError, ValueError, RecursionError):  # UnsafeModule is a ValueError
        return None
    origin = "/".join(Path(learned.origin_file).parts[-3:])
    if learned.operation:  # the function it came from
        origin = f"{layout.handler_function(learned.operation)} in {origin}"
    return LearnedOption(learned.id, module_text, origin, similarity)


def name_context(contract: Contract, plan: PackagePlan, operation: str) -> NameContext:
    """The new contract's names, for re-rendering a learned template."""
    return NameContext(
        node=contract.name,
        kind=contract.kind.value,
        operation=operation,
        input_class=plan.input_model.name,
        output_class=plan.output_model.name,
        repository_protocol=layout.repository_protocol(contract.name),
        executor_protocol=layout.executor_protocol(contract.name),
    )
