"""Learning in the server: the pattern library, the model loading in the background, and
the files of applied suggestions that are learned from when saved.

Nothing here may slow a request or break generation: the library opens, answers and
learns in worker threads (learning one file at a time), journal writes go through the
writer thread, and every failure is logged and swallowed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onex_lsp import services
from onex_lsp.contract.model import Contract
from onex_lsp.generation.ranking import LearnedOption
from onex_lsp.learning.journal_writer import JournalWriter
from onex_lsp.settings import Settings

if TYPE_CHECKING:
    from onex_lsp.generation.package_plan import PackagePlan
    from onex_lsp.learning.library import PatternLibrary

log = logging.getLogger(__name__)
ACCEPTED_CAPACITY = 256  # package folders of applied suggestions, learned from on save
Progress = Callable[[str], AbstractAsyncContextManager[None]]


class LearningSession:
    """Owns the library for the server's lifetime; ``None`` until (unless) it opens."""

    def __init__(self, writer: JournalWriter) -> None:
        self._writer = writer
        self._library: PatternLibrary | None = None
        self._model_task: asyncio.Task[None] | None = None
        self._accepted: OrderedDict[Path, str] = OrderedDict()
        self._learning = asyncio.Lock()

    @property
    def available(self) -> bool:
        return self._library is not None

    async def start(self, settings: Settings, root: Path | None, progress: Progress) -> bool:
        """Open the library off the loop, then load the model in the background."""
        try:
            library = await asyncio.to_thread(services.open_library, settings, root)
            await asyncio.to_thread(library.sync)
        except Exception as exc:
            log.error("the pattern library could not be opened: %s", exc)
            return False
        self._library = library
        self._writer.attach(library.journal)
        log.info("pattern library: %s, index %s", library.data_dir, library.store_description)
        loop = asyncio.get_running_loop()
        self._model_task = loop.create_task(self._load_model(settings, progress))
        return True

    async def _load_model(self, settings: Settings, progress: Progress) -> None:
        async with progress("Loading the embedding model (MiniLM)"):
            try:
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
        from onex_lsp.learning.library import learned_options  # loaded with the library

        try:
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

    def journal_events(self) -> list[dict[str, Any]]:
        """Blocking: every journal event, after the writes queued before this call."""
        self._writer.flush()
        return self._library.journal.events() if self._library is not None else []

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

    async def learn_saved(self, path: Path, text: str, parent: str | None) -> None:
        """Learn the blocks of a saved file in a worker process, one file at a time."""
        library = self._library
        if library is None:
            return
        async with self._learning:
            try:
                learn = functools.partial(
                    library.learn_source, text, str(path), parent_id=parent, isolated=True
                )
                report = await asyncio.to_thread(learn)
            except Exception as exc:
                log.error("learning from %s failed: %s", path, exc)
                return
        if report.error:
            log.info("not learned (the file does not parse): %s", report.error)
            return
        log.info("learned %d new block(s) from %s (%d found)", len(report.learned), path.name,
                 report.seen)  # fmt: skip

    async def stop(self) -> None:
        if self._model_task is not None:
            self._model_task.cancel()
        library, self._library = self._library, None
        await asyncio.to_thread(self._writer.close)
        if library is not None:
            await asyncio.to_thread(library.close)
