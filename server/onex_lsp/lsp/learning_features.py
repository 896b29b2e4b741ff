"""Learning in the server: open the library, load MiniLM in the background, learn on save.

Nothing here may slow a request or break generation: the library opens and learns in
worker threads (one at a time), and every failure is logged and swallowed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from onex_lsp import services
from onex_lsp.contract.reader import Contract
from onex_lsp.feedback.stats import LEARNED_PRIOR, builtin_key, learned_key
from onex_lsp.generation.package_plan import PackagePlan
from onex_lsp.generation.ranking import HandlerChoice, LearnedOption
from onex_lsp.learning.library import learned_options
from onex_lsp.lsp import feedback_features
from onex_lsp.lsp.convert import uri_to_path

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

log = logging.getLogger(__name__)


async def start(ls: OnexLanguageServer) -> None:
    """After ``initialized``: open the library, then load the model with ``$/progress``."""
    roots = ls.workspace_roots()
    try:
        library = await asyncio.to_thread(
            services.open_library, ls.settings, roots[0] if roots else None
        )
        ls.library = library
        await asyncio.to_thread(library.sync)
        log.info("pattern library: %s, index %s", library.data_dir, library.store_description)
    except Exception as exc:
        log.error("the pattern library could not be opened: %s", exc)
        ls.library = None
        return
    ls.model_task = asyncio.get_running_loop().create_task(_load_model(ls))


async def _load_model(ls: OnexLanguageServer) -> None:
    async with ls.reporting_progress("Loading the embedding model (MiniLM)"):
        try:
            embedder = await asyncio.to_thread(services.load_model_embedder, ls.settings)
        except Exception as exc:
            log.error("loading MiniLM failed; keeping the fallback embedder: %s", exc)
            return
        if embedder is None or ls.library is None:
            return
        library = ls.library
        await asyncio.to_thread(library.use_embedder, embedder)
        indexed = await asyncio.to_thread(library.sync)
        log.info("MiniLM ready; %d learned block(s) indexed in its space", indexed)


def options_for(
    ls: OnexLanguageServer, contract: Contract, plan: PackagePlan
) -> dict[str, list[LearnedOption]]:
    """Learned alternatives per operation, weighed by their feedback (blocking: call from
    a worker thread)."""
    if ls.library is None:
        return {}
    try:
        options = learned_options(ls.library, contract, plan, ls.settings.threshold)
    except Exception as exc:
        log.warning("learned blocks unavailable for %s: %s", contract.name, exc)
        return {}
    known = feedback_features.stats(ls)
    weighed: dict[str, list[LearnedOption]] = {}
    for operation, found in options.items():
        for option in found:
            stats = known.get(learned_key(option.block_id))
            if stats is not None:
                option = replace(
                    option,
                    keep_estimate=stats.keep_estimate(LEARNED_PRIOR) / LEARNED_PRIOR,
                    record=stats.summary(),
                    not_preferred=stats.not_preferred,
                )
            weighed.setdefault(operation, []).append(option)
    return weighed


def builtin_estimate(ls: OnexLanguageServer) -> Callable[[HandlerChoice], float]:
    """A built-in block's keep rate, its detection confidence being the prior."""
    known = feedback_features.stats(ls)

    def estimate(choice: HandlerChoice) -> float:
        stats = known.get(builtin_key(choice.block))
        return stats.keep_estimate(choice.confidence) if stats else choice.confidence

    return estimate


def accept(ls: OnexLanguageServer, path: Path, suggestion_id: str) -> None:
    """Files under ``path`` came from an applied suggestion: learn from them when saved."""
    ls.accepted[path.resolve()] = suggestion_id
    if ls.library is not None:
        ls.library.journal.record(
            "accepted", None, {"suggestion": suggestion_id, "path": str(path)}
        )


def accepted_suggestion(ls: OnexLanguageServer, path: Path) -> str | None:
    resolved = path.resolve()
    for root, suggestion in ls.accepted.items():
        if resolved == root or root in resolved.parents:
            return suggestion
    return None


async def did_save(ls: OnexLanguageServer, uri: str) -> None:
    path = uri_to_path(uri)
    if path is None or path.suffix != ".py" or ls.library is None or not ls.settings.learning:
        return
    suggestion = accepted_suggestion(ls, path)
    if suggestion is None:
        return
    text = ls.workspace.get_text_document(uri).source
    library = ls.library
    async with ls.learn_lock:
        try:
            # A kept-and-modified block strengthens a learned pattern linked to its origin.
            parent = next((b.pattern for b in ls.tracker.blocks.values() if b.uri == uri), None)
            report = await asyncio.to_thread(
                functools.partial(
                    library.learn_source, text, str(path), parent_id=parent, isolated=True
                )
            )
        except Exception as exc:
            log.error("learning from %s failed: %s", path, exc)
            return
    if report.error:
        log.info("not learned (the file does not parse): %s", report.error)
        return
    log.info(
        "learned %d new block(s) from %s (%d found; suggestion %s)",
        len(report.learned), path.name, report.seen, suggestion,
    )  # fmt: skip


async def stop(ls: OnexLanguageServer) -> None:
    if ls.model_task is not None:
        ls.model_task.cancel()
    if ls.library is not None:
        library, ls.library = ls.library, None
        await asyncio.to_thread(library.close)
