"""The generate, add-handler and insert-pattern actions as LSP values.

Policy (what to offer, titles, preference) comes from ``feedback/offers.py``; the work
from ``generation_jobs`` in worker threads. This module registers each offer as a
suggestion and turns results into ``CodeAction``s and ``WorkspaceEdit``s.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types as lsp

from onex_lsp.contract.model import Contract
from onex_lsp.feedback.offers import generate_offers, more_patterns_title, shown_keys
from onex_lsp.generation.drift import AddHandlerPlan
from onex_lsp.generation.offers import DEFAULT_VARIANT, Variant
from onex_lsp.lsp import generation_jobs as jobs
from onex_lsp.lsp import learned_offers as offers
from onex_lsp.lsp.convert import create_files_edit, uri_to_path
from onex_lsp.lsp.documents import parse_document
from onex_lsp.lsp.generation_report import report_of
from onex_lsp.lsp.suggestions import (
    CODE_ACTION_MENU_COMMAND,
    GENERATE_NODE_KIND,
    INSERT_PATTERN_KIND,
    OTHER_VERBS_KIND,
    applied_command,
)
from onex_lsp.workspace_fs import UnsafePathError

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

log = logging.getLogger(__name__)
T = TypeVar("T")


def workbench(ls: OnexLanguageServer, lookup: jobs.Lookup | None = None) -> jobs.Workbench:
    """What the worker-thread jobs need, captured now on the event loop; ``lookup``: where
    learned options come from (by default the library, queried by the job)."""
    stats = dict(ls.feedback.stats())
    return jobs.Workbench(
        ls.settings.threshold, stats, lookup or ls.learning.options, tuple(ls.workspace_roots())
    )


def variant_data(variant: Variant) -> dict[str, Any]:
    """A variant as JSON for a code action's ``data`` or a command's argument."""
    return {
        "builtinOnly": variant.builtin_only,
        "operation": variant.operation,
        "builtinBlock": variant.builtin_block,
        "learnedBlock": variant.learned_block,
    }


def variant_from(data: Any) -> Variant:
    """The variant a client sends back; anything unexpected means the default."""
    if not isinstance(data, dict):
        return DEFAULT_VARIANT
    text = {k: v if isinstance(v, str) else None for k, v in data.items()}
    return Variant(
        builtin_only=data.get("builtinOnly") is True,
        operation=text.get("operation"),
        builtin_block=text.get("builtinBlock"),
        learned_block=text.get("learnedBlock"),
    )


async def _builtin_files(
    bench: jobs.Workbench, contract: Contract, path: Path, wanted: bool
) -> Mapping[str, str] | None:
    """``jobs.builtin_files`` in a worker thread, if learned options may be chosen;
    ``None`` when not wanted or it fails (the generate job then renders it if needed,
    and reports what went wrong)."""
    if not wanted:
        return None
    try:
        return await asyncio.to_thread(jobs.builtin_files, bench, contract, path)
    except Exception as exc:
        log.debug("built-in package not rendered ahead: %s", exc)
        return None


async def confined_job(
    ls: OnexLanguageServer, refused: str, job: Callable[..., T], *args: Any
) -> T | None:
    """A job in a worker thread; ``None``, and the user told why, when a file it would write
    or propose resolves outside the workspace (``Workbench.confine``)."""
    try:
        return await asyncio.to_thread(job, *args)
    except UnsafePathError as exc:
        ls.notify_user(lsp.MessageType.Error, f"{refused}: {exc}")
        return None


async def generate_actions(
    ls: OnexLanguageServer, uri: str, path: Path, contract: Contract
) -> list[lsp.CodeAction]:
    """The generate offers, with the learned options ready now (never waiting for them)."""
    lookup = offers.ready_lookup(ls, uri)
    found = await asyncio.to_thread(jobs.generate_situation, workbench(ls, lookup), contract, path)
    if lookup.stale:
        offers.schedule(ls, uri)
    if found is None:
        return []
    situation, folder = found
    version = ls.workspace.get_text_document(uri).version
    ls.feedback.record_shown(uri, version, shown_keys(situation))
    actions = []
    for offer in generate_offers(situation, ls.feedback.stats()):
        suggestion_id = ls.suggestions.offer(GENERATE_NODE_KIND, uri, offer.title, creates=folder)
        data = {"type": "generateNode", "uri": uri, "suggestionId": suggestion_id,
                "variant": variant_data(offer.variant)}  # fmt: skip
        actions.append(
            lsp.CodeAction(
                title=offer.title, kind=GENERATE_NODE_KIND, is_preferred=offer.preferred, data=data
            )
        )
    return actions


async def insert_actions(
    ls: OnexLanguageServer, uri: str, path: Path, other_verbs: bool = False
) -> list[lsp.CodeAction]:
    """In a handler module: the other blocks its handler could be, and one entry that asks
    for the blocks of other verb families (or, ``other_verbs``, those blocks). The entry
    runs the client's own code-action menu command, so only clients that announce it get
    it; others ask for the kind by name."""
    bench, strict = workbench(ls), ls.settings.strict_model
    found = await asyncio.to_thread(jobs.insert_job, bench, path, strict, other_verbs)
    if found is None:
        return []
    kind = OTHER_VERBS_KIND if other_verbs else INSERT_PATTERN_KIND
    actions = []
    for offer in found.offers:
        suggestion_id = ls.suggestions.offer(INSERT_PATTERN_KIND, uri, offer.title)
        data = {"type": "insertPattern", "uri": uri, "suggestionId": suggestion_id,
                "variant": variant_data(offer.variant)}  # fmt: skip
        actions.append(lsp.CodeAction(title=offer.title, kind=kind, data=data))
    if found.held_back and CODE_ACTION_MENU_COMMAND in ls.support.client_commands:
        title = more_patterns_title(found.operation, found.held_back)
        ask = [{"kind": OTHER_VERBS_KIND, "apply": "never"}]  # a menu, even of one
        menu = lsp.Command(title=title, command=CODE_ACTION_MENU_COMMAND, arguments=ask)
        actions.append(lsp.CodeAction(title=title, kind=INSERT_PATTERN_KIND, command=menu))
    return actions


async def _contract_or_command(
    ls: OnexLanguageServer, action: lsp.CodeAction, uri: str, command: str, arguments: list[Any]
) -> tuple[Contract, Path] | None:
    """The contract to build the edit from; ``None`` when there is none, or when the client
    cannot create files and the action becomes a server-side command instead."""
    parsed = await parse_document(ls, uri)
    if parsed is None or parsed.path is None or parsed.result.contract is None:
        return None
    if not ls.support.create_files:
        action.command = lsp.Command(title=action.title, command=command, arguments=arguments)
        return None
    return parsed.result.contract, parsed.path


async def resolve_generate(
    ls: OnexLanguageServer, action: lsp.CodeAction, uri: str, suggestion_id: str, variant: Any
) -> None:
    arguments: list[Any] = [uri, suggestion_id, variant]
    found = await _contract_or_command(ls, action, uri, "onex.generateNode", arguments)
    if found is None:
        return
    contract, path = found
    # The built-in package (what a learned block is followed against) needs no learned
    # options: rendered (and formatted by ruff, in its own process) while they settle.
    ready = ls.offers.ready(uri)
    ahead = ready is None or any(ready.options.values())
    builtin = asyncio.ensure_future(_builtin_files(workbench(ls), contract, path, ahead))
    lookup = await offers.settled(ls, uri)
    bench, picked = workbench(ls, lookup), variant_from(variant)
    async with ls.reporting_progress(f"Generating the {contract.name} node"):
        job = await confined_job(
            ls, "Not generated", jobs.generate_job, bench, contract, path, picked, await builtin
        )
    if job is None:
        return
    ls.offers.keep(uri, lookup.computed)
    generated, writes = job.generated, job.writes
    if writes.blocked_by:
        ls.notify_user(
            lsp.MessageType.Warning,
            f"Not generated: {', '.join(writes.blocked_by)} already hold(s) your code.",
        )
        return
    root = Path(generated.plan.root)
    replaced = {
        root / rel: (writes.existing[rel] or "", text)
        for rel, text in writes.reconciled.replace.items()
    }
    created = {root / rel: text for rel, text in writes.reconciled.create.items()}
    ls.suggestions.plan(suggestion_id, job.planned)
    codec = ls.workspace.position_codec
    action.edit = create_files_edit(created, replaced=replaced, codec=codec)
    action.command = applied_command(suggestion_id, uri)
    ls.reports.expect(suggestion_id, report_of(generated, [*created, *replaced]))


async def resolve_add_handler(
    ls: OnexLanguageServer, action: lsp.CodeAction, uri: str, operation: str, suggestion_id: str
) -> None:
    arguments: list[Any] = [uri, operation, suggestion_id]
    found = await _contract_or_command(ls, action, uri, "onex.addHandler", arguments)
    if found is None:
        return
    contract, path = found
    job = jobs.add_handler_job
    added = await confined_job(
        ls, "Handler not added", job, workbench(ls), contract, path, operation
    )
    if added is None:
        if operation not in {op.name for op in contract.operations}:
            message = f"Handler not added: the contract has no operation '{operation}'."
            ls.notify_user(lsp.MessageType.Error, message)
        return
    plan, planned, root = added
    ls.suggestions.plan(suggestion_id, planned)
    created = {root / rel: text for rel, text in plan.new_files.items()}
    action.edit = create_files_edit(created, line_edits(root, plan))
    action.command = applied_command(suggestion_id, uri)


async def resolve_insert(
    ls: OnexLanguageServer, action: lsp.CodeAction, uri: str, suggestion_id: str, variant: Any
) -> None:
    path = uri_to_path(uri)
    if path is None:
        return
    bench, strict = workbench(ls), ls.settings.strict_model
    picked = variant_from(variant)
    swap = await confined_job(ls, "Not proposed", jobs.swap_job, bench, path, picked, strict)
    if swap is None or uri not in ls.workspace.text_documents:
        return
    old_text = ls.workspace.get_text_document(uri).source
    ls.suggestions.plan(suggestion_id, swap.planned)
    created = {swap.root / rel: text for rel, text in swap.wiring.new_files.items()}
    action.edit = create_files_edit(
        created,
        line_edits(swap.root, swap.wiring),
        replaced={path: (old_text, swap.text)},
        codec=ls.workspace.position_codec,
    )
    action.command = applied_command(suggestion_id, uri)


def line_edits(root: Path, plan: AddHandlerPlan) -> dict[Path, list[tuple[int, int, str]]]:
    edits: dict[Path, list[tuple[int, int, str]]] = {}
    for edit in plan.edits:
        edits.setdefault(root / edit.path, []).append((edit.start, edit.end, edit.text))
    return edits
