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

import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from onex_lsp.learning.blocks import LearnOutcome, blocks_from_source
from onex_lsp.learning.datadir import Backoff
from onex_lsp.learning.embeddings import CachedEmbedder, Embedder
from onex_lsp.learning.index_keeper import INDEX_DIR, IndexKeeper, StoragePolicy
from onex_lsp.learning.index_status import IndexStatus, index_status
from onex_lsp.learning.journal import Journal, JournalUnavailable, LearnedBlock
from onex_lsp.learning.journalling import LearnReport, journal_outcomes
from onex_lsp.learning.lineage import Origin
from onex_lsp.learning.store import GROUP_FIELD, Hit, search_group
from onex_lsp.learning.supervisor import Supervisor
from onex_lsp.learning.worker import ExtractionWorker, package_context

__all__ = [
    "INDEX_DIR",
    "JOURNAL_FILE",
    "Candidate",
    "LearnReport",
    "PatternLibrary",
    "Query",
    "StoragePolicy",
    "default_data_dir",
    "learned_option",
    "learned_options",
    "name_context",
]
log = logging.getLogger(__name__)
JOURNAL_FILE = "journal.sqlite3"
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
class Query:
    """What learned handlers are searched for: the node kind, the block type and the
    text describing the operation (embedded)."""

    node_kind: str
    block: str
    text: str

    def match(self) -> dict[str, str]:
        return {GROUP_FIELD: search_group("handler", self.node_kind, self.block)}


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

    def yield_to(self, busy: Callable[[], bool]) -> None:
        """Polite syncs (learning in the server) pause between steps while ``busy()``
        says the editor is waiting for answers, up to half a second a sync."""
        self._keeper.editor_busy = busy

    def flush_index(self) -> None:
        """Make what polite syncs indexed durable (blocking; the server calls it when the
        editor is quiet: the engine holds the GIL while it writes)."""
        self._keeper.flush_pending()

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

        ``isolated`` extracts and journals in the library's worker process: the language
        server's requests must not wait for parsing and journal writes that would hold
        this process's GIL (only indexing the new blocks stays here). ``origins``:
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
        report = worker.learn(source, path, self.journal.path, origins)
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

    def journal_outcomes(
        self, outcomes: list[tuple[str, LearnOutcome]], origins: Sequence[Origin] = ()
    ) -> list[LearnReport]:
        """Journal several files' blocks in one transaction: one commit per batch.
        Raises ``JournalUnavailable`` when the journal cannot take them."""
        return journal_outcomes(self.journal, outcomes, origins)

    # -- querying -------------------------------------------------------------------------
    def candidates(
        self, node_kind: str, block: str, query_text: str, limit: int = 5
    ) -> list[Candidate]:
        """Learned whole-module handlers of this node kind and block type, nearest first;
        none, at once, while the journal or the index is away."""
        return self.candidates_many([Query(node_kind, block, query_text)], limit)[0]

    def candidates_many(self, queries: Sequence[Query], limit: int = 5) -> list[list[Candidate]]:
        """``candidates`` for several queries (a contract's operations): their texts are
        embedded in one batch (one model run, one cache write) and the hits read from the
        journal in one lookup."""
        none: list[list[Candidate]] = [[] for _ in queries]
        if self.journal.problem is not None:
            self._supervisor.poke()
            return none
        if not queries:
            return none
        try:
            self._keeper.refresh()
            if self._keeper.description == "not open":
                return none
            vectors = self._embedder.embed([q.text for q in queries])
            hits = [
                self._keeper.search(vector, query.match(), limit * 2)
                for query, vector in zip(queries, vectors, strict=True)
            ]
            found = self.journal.get_many(list(dict.fromkeys(h.id for hs in hits for h in hs)))
        except JournalUnavailable:
            return none
        return [_handler_candidates(found_hits, found, limit) for found_hits in hits]

    def close(self) -> None:
        self._supervisor.stop()
        with self._lock:
            self._keeper.close()
            self.journal.close()
            if self._worker is not None:
                self._worker.close()
                self._worker = None


def _handler_candidates(
    hits: Sequence[Hit], found: dict[str, LearnedBlock], limit: int
) -> list[Candidate]:
    """Hits that are live whole-module handlers, as candidates (nearest first)."""
    result = []
    for hit in hits:
        learned = found.get(hit.id)
        if learned is not None and learned.extra.get("module"):
            result.append(Candidate(learned, round(hit.score, 4)))
    return result[:limit]


# Re-exported: callers import a contract's learned options from the library.
from onex_lsp.learning.learned_options import (  # noqa: E402
    learned_option,
    learned_options,
    name_context,
)
