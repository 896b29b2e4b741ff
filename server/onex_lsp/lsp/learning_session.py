"""Learning in the server: the pattern library, the model loading in the background, and
the files of applied suggestions that are learned from when saved.

Nothing here may slow a request or break generation: the library opens, answers and
learns in worker threads (learning one file at a time), journal writes go through the
writer thread, and every failure is logged and swallowed. A save is journalled (a
pending save, ``learning/pending_saves.py``) before it waits for its turn to be learned,
so a killed server loses none: the next session learns what is still pending.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onex_lsp.layout import learned_key
from onex_lsp.learning.journal_writer import JournalWriter
from onex_lsp.learning.lineage import Origin, family_root, to_forget
from onex_lsp.learning.pending_saves import (
    LEARNED,
    PENDING,
    learned_payload,
    pending_payload,
    unlearned,
)
from onex_lsp.settings import Settings

if TYPE_CHECKING:  # the library, the generator and the embedders load after ``initialize``
    from onex_lsp.contract.model import Contract
    from onex_lsp.generation.package_plan import PackagePlan
    from onex_lsp.generation.ranking import LearnedOption
    from onex_lsp.learning.learned_block import LearnedBlock
    from onex_lsp.learning.library import PatternLibrary

log = logging.getLogger(__name__)
ACCEPTED_CAPACITY = 256  # package folders of applied suggestions, learned from on save
QUIET_WHILE_INDEXING = 0.05  # the editor is busy if a message came this recently (s)
QUIET_BEFORE_FLUSH = 1.0  # seconds without a message from the editor before the index
# is flushed: the engine holds the GIL while it writes (tens of ms a request would wait)
Progress = Callable[[str], AbstractAsyncContextManager[None]]


class LearningSession:
    """Owns the library for the server's lifetime; ``None`` until (unless) it opens."""

    def __init__(self, writer: JournalWriter, quiet_for: Callable[[], float]) -> None:
        self._writer = writer
        self._quiet_for = quiet_for
        self._flush_task: asyncio.Task[None] | None = None
        self._library: PatternLibrary | None = None
        self._model_task: asyncio.Task[None] | None = None
        self._replay_task: asyncio.Task[None] | None = None
        self._accepted: OrderedDict[Path, str] = OrderedDict()
        self._learning = asyncio.Lock()
        self._learning_thread: ThreadPoolExecutor | None = None  # background priority

    @property
    def available(self) -> bool:
        return self._library is not None

    @property
    def embedder_id(self) -> str:
        """The embedder matching learned blocks now ("" before the library opens)."""
        return self._library.embedder_id if self._library is not None else ""

    @property
    def store_description(self) -> str:
        if self._library is None:
            return ""
        return f"{self._library.data_dir}, {self._library.store_description}"

    async def start(self, settings: Settings, root: Path | None, progress: Progress) -> bool:
        """Open the library off the loop, then load the model in the background."""
        try:
            from onex_lsp import services

            library = await asyncio.to_thread(services.open_library, settings, root)
            await asyncio.to_thread(library.sync)
        except Exception as exc:
            log.error("the pattern library could not be opened: %s", exc)
            return False
        self._library = library
        library.yield_to(lambda: self._quiet_for() < QUIET_WHILE_INDEXING)
        self._writer.attach(library.journal)
        log.info("pattern library: %s, index %s", library.data_dir, library.store_description)
        loop = asyncio.get_running_loop()
        self._model_task = loop.create_task(self._load_model(settings, progress))
        self._replay_task = loop.create_task(self._learn_pending(library))
        return True

    async def _learn_pending(self, library: PatternLibrary) -> None:
        """The saves an earlier session journalled but did not get to learn."""
        try:
            wanted = {PENDING, LEARNED}
            saves = await asyncio.to_thread(lambda: unlearned(library.journal.events(types=wanted)))
        except Exception as exc:
            log.error("could not read the pending saves: %s", exc)
            return
        if saves:
            log.info("learning %d save(s) journalled by an earlier session", len(saves))
        for save in saves:
            await self._learn(library, Path(save.path), save.source, save.origins, save.seq)

    async def _load_model(self, settings: Settings, progress: Progress) -> None:
        async with progress("Loading the embedding model (MiniLM)"):
            try:
                from onex_lsp import services

                embedder = await asyncio.to_thread(services.load_model_embedder, settings)
            except Exception as exc:
                log.error("loading MiniLM failed; keeping the fallback embedder: %s", exc)
                return
            library = self._library
            if embedder is None or library is None:
                return
            await asyncio.to_thread(library.use_embedder, embedder)
            indexed = await asyncio.to_thread(library.sync)
            log.info("MiniLM ready; %d learned block(s) indexed in its space", indexed)

    def options(
        self, contract: Contract, plan: PackagePlan, threshold: float
    ) -> dict[str, list[LearnedOption]]:
        """Blocking (call from a worker thread): learned alternatives per operation."""
        if self._library is None:
            return {}
        try:
            from onex_lsp.learning.library import learned_options

            return learned_options(self._library, contract, plan, threshold)
        except Exception as exc:
            log.warning("learned blocks unavailable for %s: %s", contract.name, exc)
            return {}

    def state(self) -> tuple[str, int, int] | None:
        """Blocking: what learned options depend on in the library, its vector space and
        its journal's head (two primary-key lookups); ``None`` while it is not open."""
        library = self._library
        if library is None:
            return None
        try:
            return (library.embedder_id, *library.journal.head())
        except Exception as exc:
            log.warning("the pattern library cannot be read: %s", exc)
            return None

    def learned_blocks(self) -> list[LearnedBlock]:
        """Blocking: every learned block in the journal, oldest first."""
        if self._library is None:
            return []
        self._writer.flush()
        return [block for _, block in self._library.journal.blocks()]

    def journal_events(self, types: Collection[str]) -> list[dict[str, Any]]:
        """Blocking: the journal's events of ``types``, after the writes queued before
        this call."""
        self._writer.flush()
        return self._library.journal.events(types=types) if self._library is not None else []

    def accept(self, folder: Path, suggestion_id: str) -> None:
        """Files under ``folder`` came from an applied suggestion: learn from them on save."""
        self._accepted[folder] = suggestion_id
        self._accepted.move_to_end(folder)
        while len(self._accepted) > ACCEPTED_CAPACITY:
            self._accepted.popitem(last=False)
        self._writer.record("accepted", None, {"suggestion": suggestion_id, "path": str(folder)})

    def accepted_suggestion(self, path: Path) -> str | None:
        """The applied suggestion whose files include ``path`` (a resolved path)."""
        for folder, suggestion in self._accepted.items():
            if path == folder or folder in path.parents:
                return suggestion
        return None

    async def learn_saved(
        self, path: Path, text: str, origins: Sequence[Origin]
    ) -> list[tuple[str, str]]:
        """Journal the save first (a pending save), then learn its blocks in a worker
        process, one file at a time; each handler is linked to the followed block it came
        from (``origins``). Returns the new links: (parent pattern key, new block's key)."""
        library = self._library
        if library is None:
            return []
        payload = pending_payload(str(path), text, origins)
        try:
            written = self._writer.run(lambda journal: journal.record(PENDING, None, payload))
            seq = await asyncio.wrap_future(written) or 0
        except Exception as exc:  # the writer thread is gone: the server is stopping
            log.error("could not journal the save of %s: %s", path, exc)
            return []
        return await self._learn(library, path, text, origins, seq)

    async def _learn(
        self, library: PatternLibrary, path: Path, text: str, origins: Sequence[Origin], seq: int
    ) -> list[tuple[str, str]]:
        async with self._learning:
            try:
                learn = functools.partial(
                    library.learn_source, text, str(path), origins=origins, isolated=True
                )
                report = await asyncio.get_running_loop().run_in_executor(self._background(), learn)
            except Exception as exc:
                log.error("learning from %s failed: %s", path, exc)
                return []
        if report.paused is not None:
            return []  # held by the library; still pending in the journal
        self.flush_when_quiet(library)
        if seq:
            self._writer.record(LEARNED, None, learned_payload(seq))
        if report.error:
            log.info("not learned (the file does not parse): %s", report.error)
            return []
        log.info("learned %d new block(s) from %s (%d found)", len(report.learned), path.name,
                 report.seen)  # fmt: skip
        return [(b.parent_id, learned_key(b.id)) for b in report.learned if b.parent_id]

    def flush_when_quiet(self, library: PatternLibrary) -> asyncio.Task[None]:
        """Flush the index once the editor has been quiet for a moment (one waiter)."""
        if self._flush_task is None or self._flush_task.done():
            self._flush_task = asyncio.ensure_future(self._flush_later(library))
        return self._flush_task

    async def _flush_later(self, library: PatternLibrary) -> None:
        while (quiet := self._quiet_for()) < QUIET_BEFORE_FLUSH:
            await asyncio.sleep(QUIET_BEFORE_FLUSH - quiet)
        try:
            await asyncio.get_running_loop().run_in_executor(
                self._background(), library.flush_index
            )
        except Exception as exc:  # the library is closing; close() flushes
            log.debug("index flush skipped: %s", exc)

    def _background(self) -> ThreadPoolExecutor:
        if self._learning_thread is None:
            from onex_lsp.learning.worker import background_thread_pool

            self._learning_thread = background_thread_pool("onex-learning")
        return self._learning_thread

    def family_of(self, block_id: str) -> str | None:
        """Blocking: the family root of the live learned block ``block_id``; ``None`` when
        it is forgotten or unknown, or the library is not open."""
        library = self._library
        found = library.journal.get_many([block_id]).get(block_id) if library else None
        return family_root(found, library.journal.get_many) if library and found else None

    async def forget(self, key: str, family: bool) -> list[str]:
        """Stop using the learned block ``key`` (or its whole family); the journal keeps
        them as forgotten. Returns the ids forgotten."""
        library = self._library
        if library is None:
            return []

        def forget() -> list[str]:
            ids = to_forget(library.journal, key, family)
            forgotten = [i for i in ids if library.journal.forget(i)]
            library.sync(polite=True)
            return forgotten

        try:
            forgotten = await asyncio.to_thread(forget)
        except Exception as exc:
            log.error("could not forget %s: %s", key, exc)
            return []
        self.flush_when_quiet(library)
        return forgotten

    async def stop(self) -> None:
        for task in (self._model_task, self._replay_task, self._flush_task):
            if task is not None:
                task.cancel()
        library, self._library = self._library, None
        if self._learning_thread is not None:
            self._learning_thread.shutdown(wait=False, cancel_futures=True)
        await asyncio.to_thread(self._writer.close)
        if library is not None:
            await asyncio.to_thread(library.close)
