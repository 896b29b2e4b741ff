"""The pattern library: the journal (truth), an embedder and a vector index, kept in sync.

Writes go to the journal first; the index is brought up to date from it (``sync``)
before every query, so blocks learned by another process on the same data directory
are seen too, and a store outage only delays indexing. ``sync`` costs one indexed query
when nothing changed: it reads what was journalled or forgotten after the last seqs it
saw. The index is per embedder: when MiniLM finishes loading, queries move to its index,
filled from the journal.
"""

from __future__ import annotations

import ast
import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from onex_lsp import layout
from onex_lsp.contract.reader import Contract
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.package_plan import HandlerStyle, PackagePlan
from onex_lsp.generation.ranking import LearnedOption, choose_handlers
from onex_lsp.learning.blocks import LearnOutcome, blocks_from_source, describe
from onex_lsp.learning.embeddings import CachedEmbedder, Embedder
from onex_lsp.learning.journal import SCHEMA_VERSION, Journal, LearnedBlock
from onex_lsp.learning.parameterize import NameContext, instantiate
from onex_lsp.learning.store import PatternStore, StoredPoint, StoreUnavailable
from onex_lsp.learning.worker import ExtractionWorker, package_context
from onex_lsp.workspace_fs import atomic_write

log = logging.getLogger(__name__)
JOURNAL_FILE = "journal.sqlite3"
# Learning inside the server: work in steps this small, pausing between them, so a request
# waits for at most one step instead of a 5 ms GIL switch interval per hand-over.
_POLITE_STEP = 8
_PAUSE = 0.002
INDEX_DIR = "index"


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


class PatternLibrary:
    def __init__(
        self,
        data_dir: Path,
        embedder: Embedder,
        store_url: str | None = None,
        api_key: str | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.journal = Journal(data_dir / JOURNAL_FILE)
        self.store_url = store_url
        self.api_key = api_key
        self._lock = threading.RLock()
        self._embedder = CachedEmbedder(embedder, self.journal)
        self._store: PatternStore | None = None
        self._synced = 0
        self._forgotten_synced = 0
        self._seen_head: tuple[int, int] | None = None  # journal head at the last sync
        self._shared_index = False
        self._worker: ExtractionWorker | None = None

    # -- the index ---------------------------------------------------------------
    @property
    def embedder_id(self) -> str:
        return self._embedder.id

    @property
    def store_description(self) -> str:
        with self._lock:
            return self._store.description if self._store else "not open"

    def use_embedder(self, embedder: Embedder) -> None:
        """Switch vector spaces (e.g. MiniLM is ready); the new index fills from the journal."""
        with self._lock:
            self._close_store()
            self._embedder = CachedEmbedder(embedder, self.journal)

    def _index_folder(self) -> Path:
        return self.data_dir / INDEX_DIR / self._embedder.id

    def _meta(self) -> dict[str, Any]:
        return {"schema": SCHEMA_VERSION, "embedder": self._embedder.id, "dim": self._embedder.dim}

    def _open_store(self) -> PatternStore:
        if self._store is not None:
            return self._store
        if self.store_url:
            from onex_lsp.learning.store.qdrant_server import QdrantServerPatternStore

            store: PatternStore = QdrantServerPatternStore(
                self.store_url, self._embedder.dim, self._embedder.id, self.api_key
            )
            self._synced, self._shared_index = 0, False  # a re-upsert is idempotent
            self._forgotten_synced = 0
        else:
            store = self._open_edge()
        self._store = store
        log.info("pattern index: %s", store.description)
        return store

    def _open_edge(self) -> PatternStore:
        from onex_lsp.learning.store.qdrant_edge import EdgePatternStore

        folder = self._index_folder()
        meta_file = folder / "onex-index.json"
        meta = json.loads(meta_file.read_text()) if meta_file.exists() else None
        if meta is not None and {k: meta.get(k) for k in self._meta()} != self._meta():
            log.info("index format changed (%s); rebuilding it from the journal", meta)
            shutil.rmtree(folder, ignore_errors=True)
            meta = None
        try:
            store = EdgePatternStore(folder / "shard", self._embedder.dim)
            self._synced = int(meta["synced_seq"]) if meta else 0
            self._forgotten_synced = int(meta.get("forgotten_seq", 0)) if meta else 0
            self._shared_index = True
        except StoreUnavailable as exc:
            # Another editor window owns the shared index: keep a private one, rebuilt
            # from the journal; both processes keep learning into the same journal.
            log.info("%s; using a private index", exc)
            store = EdgePatternStore(None, self._embedder.dim)
            self._synced, self._shared_index = 0, False
            self._forgotten_synced = 0
        return store

    def _close_store(self) -> None:
        if self._store is not None:
            try:
                self._store.close()
            except Exception as exc:
                log.warning("closing the index failed: %s", exc)
            self._store = None
        self._seen_head = None

    def sync(self, *, polite: bool = False) -> int:
        """Index every journalled block the index has not seen, drop what was forgotten
        since; returns how many blocks were indexed. ``polite``: in small steps with a
        pause between them, for a server whose request loop shares this process's GIL."""
        with self._lock:
            try:
                store = self._open_store()
                head = self.journal.head()
                if head == self._seen_head:
                    return 0
                pending = self.journal.blocks(after_seq=self._synced)
                step = _POLITE_STEP if polite else max(len(pending), 1)
                for first in range(0, len(pending), step):
                    part = pending[first : first + step]
                    vectors = self._embedder.embed([b.embedding_text for _, b in part])
                    store.upsert(
                        [
                            StoredPoint(b.id, v, _payload(b))
                            for (_, b), v in zip(part, vectors, strict=True)
                        ]
                    )
                    self._synced = part[-1][0]
                    if polite:
                        time.sleep(_PAUSE)
                forgotten_seq, forgotten = self.journal.forgotten_after(self._forgotten_synced)
                if forgotten:
                    store.delete(forgotten)
                    self._forgotten_synced = forgotten_seq
                if self._shared_index and (pending or forgotten):
                    self._write_index_meta()
                self._seen_head = head
                return len(pending)
            except StoreUnavailable as exc:
                log.warning("pattern index unavailable, blocks stay in the journal: %s", exc)
                self._close_store()
                return 0

    def _write_index_meta(self) -> None:
        meta = {**self._meta(), "synced_seq": self._synced, "forgotten_seq": self._forgotten_synced}
        atomic_write(self._index_folder() / "onex-index.json", json.dumps(meta))

    def reindex(self) -> int:
        """Drop the index and rebuild it from the journal."""
        with self._lock:
            self._close_store()
            if not self.store_url:
                shutil.rmtree(self._index_folder(), ignore_errors=True)
            self._synced = self._forgotten_synced = 0
            return self.sync()

    # -- learning and querying -----------------------------------------------------
    def learn_source(
        self,
        source: str,
        path: str,
        *,
        parent_id: str | None = None,
        index: bool = True,
        isolated: bool = False,
    ) -> LearnReport:
        """Journal the file's new blocks, then index them unless ``index`` is False (bulk
        learning indexes in batches with ``sync``).

        ``isolated`` extracts in the library's worker process: the language server's
        requests must not wait for parsing that holds this process's GIL.
        """
        if not isolated:
            outcome = blocks_from_source(source, path, package_context(Path(path)))
            (report,) = self.journal_outcomes([(path, outcome)], parent_id=parent_id)
            if report.learned and index:
                self.sync()
            return report
        with self._lock:
            if self._worker is None:
                self._worker = ExtractionWorker()
            worker = self._worker
        outcome = worker.extract(source, path)
        report = self._journal_politely(path, outcome, parent_id)
        if report.learned and index:
            self.sync(polite=True)
        return report

    def _journal_politely(
        self, path: str, outcome: LearnOutcome, parent_id: str | None
    ) -> LearnReport:
        """One file's blocks in small transactions with pauses between them (the server's
        request loop shares this process's GIL); a crash keeps the committed steps."""
        blocks, learned = outcome.blocks, list[LearnedBlock]()
        for first in range(0, max(len(blocks), 1), _POLITE_STEP):
            part = replace(outcome, blocks=blocks[first : first + _POLITE_STEP])
            (report,) = self.journal_outcomes([(path, part)], parent_id=parent_id)
            if report.error:
                return report
            learned.extend(report.learned)
            time.sleep(_PAUSE)
        return LearnReport(path, tuple(learned), len(blocks))

    def journal_outcomes(
        self, outcomes: list[tuple[str, LearnOutcome]], parent_id: str | None = None
    ) -> list[LearnReport]:
        """Journal several files' blocks in one transaction: one commit per batch."""
        prepared = [
            [
                replace(b, parent_id=parent_id) if parent_id and b.kind == "handler" else b
                for b in outcome.blocks
            ]
            for _, outcome in outcomes
        ]
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

    def candidates(
        self, node_kind: str, block: str, query_text: str, limit: int = 5
    ) -> list[Candidate]:
        """Learned whole-module handlers of this node kind and block type, nearest first."""
        with self._lock:
            self.sync()
            if self._store is None:
                return []
            (vector,) = self._embedder.embed([query_text])
            try:
                hits = self._store.search(
                    vector, {"kind": "handler", "node_kind": node_kind, "block": block}, limit * 2
                )
            except StoreUnavailable as exc:
                log.warning("pattern query failed: %s", exc)
                self._close_store()
                return []
        found = self.journal.get_many([hit.id for hit in hits])
        result = []
        for hit in hits:
            learned = found.get(hit.id)
            if learned is not None and learned.extra.get("module"):
                result.append(Candidate(learned, round(hit.score, 4)))
        return result[:limit]

    def close(self) -> None:
        with self._lock:
            self._close_store()
            self.journal.close()
            if self._worker is not None:
                self._worker.close()
                self._worker = None


def _payload(block: LearnedBlock) -> dict[str, Any]:
    return {
        "kind": block.kind,
        "block": block.block or "",
        "node_kind": block.node_kind or "",
        "needs": block.needs or "",
        "operation": block.operation or "",
        "origin": block.origin_file,
    }


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
                options.setdefault(choice.operation, []).append(option)
    return options


def learned_option(
    learned: LearnedBlock, contract: Contract, node: PackagePlan, operation: str, similarity: float
) -> LearnedOption | None:
    """A learned handler re-rendered for ``operation`` of ``contract``; ``None`` when it does
    not become valid Python with this contract's names."""
    try:
        module_text = instantiate(learned.template, name_context(contract, node, operation))
        ast.parse(module_text)
    except (SyntaxError, ValueError):
        return None
    origin = "/".join(Path(learned.origin_file).parts[-3:])
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
