"""The generate and add-handler actions: what a contract's package needs, as LSP edits.

The listing and the edits are computed in worker threads (they read the package's files
and the pattern library); this module turns their results into ``CodeAction`` values.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp import layout
from onex_lsp.contract.model import Contract
from onex_lsp.generation.detection import ContractDetection, detect_contract
from onex_lsp.generation.drift import (
    AddHandlerPlan,
    add_handler_plan,
    alternative_blocks,
    swap_block_plan,
)
from onex_lsp.generation.existing import is_stub
from onex_lsp.generation.offers import generate_title
from onex_lsp.generation.package_plan import HandlerStyle, Location, PackagePlan
from onex_lsp.generation.pipeline import GeneratedPackage, plan_package
from onex_lsp.generation.ranking import HandlerChoice, LearnedOption, apply_learned, choose_handlers
from onex_lsp.lsp import feedback_features, learning_features, packages
from onex_lsp.lsp.convert import create_files_edit
from onex_lsp.lsp.documents import parse_document
from onex_lsp.lsp.suggestions import GENERATE_NODE_KIND, applied_command, new_suggestion_id
from onex_lsp.workspace_fs import read_texts

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Offer:
    plan: PackagePlan
    detection: ContractDetection
    choices: tuple[HandlerChoice, ...]
    options: dict[str, list[LearnedOption]]
    stubs: int  # scaffold stubs the package would fill


def _offer(ls: OnexLanguageServer, contract: Contract, where: Location) -> Offer | None:
    """Blocking: whether to offer generation, with what (``None``: the package exists)."""
    state = packages.package_state(contract, where)
    if state.exists:
        return None
    detection = detect_contract(contract)
    options = learning_features.options_for(ls, contract, state.plan)
    choices = apply_learned(
        choose_handlers(contract, detection, ls.settings.threshold),
        options,
        builtin_estimate=learning_features.builtin_estimate(ls),
    )
    stubs = sum(1 for text in state.existing.values() if text is not None and is_stub(text))
    return Offer(state.plan, detection, choices, options, stubs)


def _variants(
    contract: Contract, offer: Offer, known: dict[str, Any]
) -> list[tuple[str, str, bool]]:
    """(title, variant, preferred) of each generate action."""
    title = generate_title(contract, offer.detection)
    if offer.stubs:
        title += f" (fills {offer.stubs} scaffold stub(s))"
    demoted = [
        c.operation
        for c in offer.choices
        if c.learned is None
        and (record := known.get(layout.builtin_key(c.block)))
        and record.not_preferred
    ]
    if demoted:
        title += f" — {', '.join(demoted)} reverted twice, not preferred"
    used = [c for c in offer.choices if c.learned is not None]
    variants = [(title, "default", not demoted)]
    if used:
        learned_ops = ", ".join(
            f"{c.operation}; {c.learned.record}" if c.learned and c.learned.record else c.operation
            for c in used
        )
        variants = [
            (f"{title} + your learned blocks ({learned_ops})", "default", True),
            (f"{title} — built-in blocks only", "builtin", False),
        ]
    chosen = {c.operation: c.learned.block_id for c in used if c.learned}
    head = f"Generate {contract.kind.upper_name} node {contract.name}"
    for operation, alternatives in offer.options.items():
        for option in alternatives:
            if chosen.get(operation) != option.block_id:
                history = f" — {option.record}" if option.record else ""
                why = f"learned from {option.origin}, similarity {option.similarity:.2f}"
                variants.append(
                    (
                        f"{head} — {operation} {why}{history}",
                        f"{operation}:{option.block_id}",
                        False,
                    )
                )
    return variants


async def actions(
    ls: OnexLanguageServer, uri: str, path: Path, contract: Contract
) -> list[lsp.CodeAction]:
    where = packages.location(path, ls.workspace_roots())
    offer = await asyncio.to_thread(_offer, ls, contract, where)
    if offer is None:
        return []
    version = ls.workspace.get_text_document(uri).version
    await asyncio.to_thread(_record_shown, ls, uri, version, offer)
    known = feedback_features.stats(ls)
    result = []
    for title, variant, preferred in _variants(contract, offer, known):
        suggestion_id = new_suggestion_id()
        ls.suggestions.shown(suggestion_id, GENERATE_NODE_KIND, uri, title)
        ls.suggestion_targets[suggestion_id] = Path(offer.plan.root) / offer.plan.package
        data = {
            "type": "generateNode",
            "uri": uri,
            "suggestionId": suggestion_id,
            "variant": variant,
        }
        result.append(
            lsp.CodeAction(title=title, kind=GENERATE_NODE_KIND, is_preferred=preferred, data=data)
        )
    return result


def _record_shown(ls: OnexLanguageServer, uri: str, version: int | None, offer: Offer) -> None:
    """Every pattern offered counts as shown once per document version (blocking: journal)."""
    keys = {pattern_key(c) for c in offer.choices} | {
        layout.learned_key(o.block_id) for found in offer.options.values() for o in found
    }
    for key in sorted(keys):
        if (uri, version, key) not in ls.shown_recorded:
            ls.shown_recorded.add((uri, version, key))
            feedback_features.record_event(ls, "shown", {"pattern": key, "uri": uri})


def pattern_key(choice: HandlerChoice) -> str:
    if choice.learned:
        return layout.learned_key(choice.learned.block_id)
    return layout.builtin_key(choice.block)


def plan_variant(
    ls: OnexLanguageServer, contract: Contract, where: Location, variant: str
) -> GeneratedPackage:
    """Blocking: the package for an action's variant (built-in, default, a learned pick)."""
    threshold = ls.settings.threshold
    if variant == "builtin":
        return plan_package(contract, where, threshold)
    plan = packages.package_state(contract, where).plan
    options = learning_features.options_for(ls, contract, plan)
    forced = None
    if ":" in variant:
        operation, block_id = variant.split(":", 1)
        picked = [o for o in options.get(operation, []) if o.block_id == block_id]
        forced = {operation: picked[0]} if picked else None
    estimate = learning_features.builtin_estimate(ls)
    return plan_package(contract, where, threshold, options, forced, estimate)


def planned_blocks(generated: GeneratedPackage) -> list[feedback_features.Planned]:
    """The handler functions a generated package creates, for feedback to follow."""
    if generated.plan.style is not HandlerStyle.FUNCTION:
        return []
    root = Path(generated.plan.root)
    planned = []
    for choice in generated.choices:
        target = generated.plan.handler_for(choice.operation)
        rel = str(target.module.path)
        if rel in generated.files:
            text = generated.files[rel]
            planned.append((root / rel, text, pattern_key(choice), choice.operation, target.name))
    return planned


def contract_or_command(
    ls: OnexLanguageServer, action: lsp.CodeAction, uri: str, command: str, arguments: list[Any]
) -> tuple[Contract, Path] | None:
    """The contract to build the edit from; ``None`` when there is none, or when the client
    cannot create files and the action becomes a server-side command instead."""
    parsed = parse_document(ls, uri)
    if parsed is None or parsed.path is None or parsed.result.contract is None:
        return None
    if not ls.support.create_files:
        action.command = lsp.Command(title=action.title, command=command, arguments=arguments)
        return None
    return parsed.result.contract, parsed.path


async def resolve_generate(
    ls: OnexLanguageServer, action: lsp.CodeAction, uri: str, suggestion_id: str, variant: str
) -> None:
    arguments: list[Any] = [uri, suggestion_id, variant]
    found = contract_or_command(ls, action, uri, "onex.generateNode", arguments)
    if found is None:
        return
    contract, path = found
    where = packages.location(path, ls.workspace_roots())
    async with ls.reporting_progress(f"Generating the {contract.name} node"):
        generated = await asyncio.to_thread(plan_variant, ls, contract, where, variant)
        writes = await asyncio.to_thread(packages.writes_for, generated)
    if writes.blocked_by:
        ls.notify_user(
            lsp.MessageType.Warning,
            f"Not generated: {', '.join(writes.blocked_by)} already hold(s) your code.",
        )
        return
    root = Path(where.root)
    replaced = {
        root / rel: (writes.existing[rel] or "", text)
        for rel, text in writes.reconciled.replace.items()
    }
    created = {root / rel: text for rel, text in writes.reconciled.create.items()}
    feedback_features.remember_planned(ls, suggestion_id, planned_blocks(generated))
    action.edit = create_files_edit(created, replaced=replaced)
    action.command = applied_command(suggestion_id, uri)


def add_handler_job(
    ls: OnexLanguageServer, contract: Contract, where: Location, operation: str
) -> tuple[AddHandlerPlan, GeneratedPackage]:
    """Blocking: the package as the contract wants it now, and the edits it needs; the
    base is the package as generated before the operation was added."""
    threshold = ls.settings.threshold
    generated = plan_package(contract, where, threshold)
    others = tuple(op for op in contract.operations if op.name != operation)
    base = plan_package(replace(contract, operations=others), where, threshold) if others else None
    existing = read_texts(Path(where.root), list(generated.files))
    plan = add_handler_plan(generated, operation, existing, base.files if base else None)
    return plan, generated


async def resolve_add_handler(
    ls: OnexLanguageServer, action: lsp.CodeAction, uri: str, operation: str, suggestion_id: str
) -> None:
    arguments: list[Any] = [uri, operation, suggestion_id]
    found = contract_or_command(ls, action, uri, "onex.addHandler", arguments)
    if found is None:
        return
    contract, path = found
    where = packages.location(path, ls.workspace_roots())
    plan, generated = await asyncio.to_thread(add_handler_job, ls, contract, where, operation)
    root = Path(where.root)
    blocks = [b for b in planned_blocks(generated) if b[3] == operation]
    feedback_features.remember_planned(ls, suggestion_id, blocks)
    created = {root / rel: text for rel, text in plan.new_files.items()}
    action.edit = create_files_edit(created, line_edits(root, plan))
    action.command = applied_command(suggestion_id, uri)


def line_edits(root: Path, plan: AddHandlerPlan) -> dict[Path, list[tuple[int, int, str]]]:
    edits: dict[Path, list[tuple[int, int, str]]] = {}
    for edit in plan.edits:
        edits.setdefault(root / edit.path, []).append((edit.start, edit.end, edit.text))
    return edits


def insert_offers(
    ls: OnexLanguageServer, contract: Contract, where: Location, choice: HandlerChoice
) -> list[tuple[str, str]]:
    """Blocking: (block, title) of each block the handler of ``choice`` could be swapped for."""
    plan = packages.package_state(contract, where).plan
    if plan.style is not HandlerStyle.FUNCTION:
        return []
    options = learning_features.options_for(ls, contract, plan).get(choice.operation, [])
    operation = choice.operation
    offers = [
        (
            layout.learned_key(o.block_id),
            f"Replace the {operation} handler with your block learned from {o.origin} "
            f"(similarity {o.similarity:.2f}{'; ' + o.record if o.record else ''})",
        )
        for o in options
    ]
    offers += [
        (block, f"Replace the {operation} handler with the {block} block")
        for block in alternative_blocks(contract, choice)
    ]
    return offers


@dataclass(frozen=True)
class Swap:
    """Another block for a handler: its module's new text and the wiring it needs."""

    path: str  # the handler module, relative to root
    text: str
    function: str
    wiring: AddHandlerPlan  # support modules to create, lines to add to the node and models


def swap_job(
    ls: OnexLanguageServer, contract: Contract, where: Location, operation: str, block: str
) -> Swap | None:
    """Blocking: the package with ``block`` (built-in or learned) for one operation."""
    plan = packages.package_state(contract, where).plan
    threshold = ls.settings.threshold
    if block.startswith(layout.LEARNED_PREFIX):
        block_id = block.removeprefix(layout.LEARNED_PREFIX)
        options = learning_features.options_for(ls, contract, plan).get(operation, [])
        picked = next((o for o in options if o.block_id == block_id), None)
        if picked is None:
            return None
        generated = plan_package(contract, where, threshold, forced={operation: picked})
    else:
        generated = plan_package(contract, where, threshold, blocks={operation: block})
    existing = read_texts(Path(where.root), list(generated.files))
    base = plan_package(contract, where, threshold).files  # what the current block came with
    wiring = swap_block_plan(generated, operation, existing, base)
    target = generated.plan.handler_for(operation)
    path = str(target.module.path)
    new_files = {p: t for p, t in wiring.new_files.items() if p != path}
    return Swap(path, generated.files[path], target.name, replace(wiring, new_files=new_files))
