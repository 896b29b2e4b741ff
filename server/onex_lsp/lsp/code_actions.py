"""Code actions: generate a node, add a missing handler, insert an alternative block.

Listing is cheap (the contract is parsed and detected, nothing is rendered). The edit is
computed in ``codeAction/resolve`` when the client can resolve ``edit``, eagerly when it
cannot, and never on automatic triggers; clients that cannot create files get a command
that writes them on the server side instead.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp.contract.reader import Contract
from onex_lsp.feedback.stats import builtin_key, learned_key
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.drift import add_handler_edits, alternative_blocks, render_with_block
from onex_lsp.generation.offers import generate_title
from onex_lsp.generation.pipeline import GeneratedPackage, plan_package
from onex_lsp.generation.ranking import HandlerChoice, LearnedOption, apply_learned, choose_handlers
from onex_lsp.generation.targets import package_target
from onex_lsp.lsp import feedback_features, learning_features
from onex_lsp.lsp.convert import create_files_edit, whole_document_edit
from onex_lsp.lsp.documents import parse_document
from onex_lsp.lsp.suggestions import (
    ADD_HANDLER_KIND,
    GENERATE_NODE_KIND,
    INSERT_PATTERN_KIND,
    new_suggestion_id,
)

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

APPLIED = "onex.suggestionApplied"
_HANDLER_FILE = re.compile(r"/(node_[a-z0-9_]+)/handlers/handler_([a-z0-9_]+)\.py$")


def _wanted(kind: str, only: list[str] | None) -> bool:
    return only is None or any(kind == o or kind.startswith(o + ".") for o in only)


def _applied_command(suggestion_id: str, uri: str) -> lsp.Command:
    return lsp.Command(
        title="Record the applied suggestion", command=APPLIED, arguments=[suggestion_id, uri]
    )


async def provide(ls: OnexLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    only = [str(k) for k in params.context.only] if params.context.only else None
    automatic = params.context.trigger_kind == lsp.CodeActionTriggerKind.Automatic
    actions: list[lsp.CodeAction] = []
    parsed = parse_document(ls, uri)
    if parsed is not None and parsed.path is not None and parsed.result.ok:
        assert parsed.result.contract is not None
        contract, path = parsed.result.contract, parsed.path
        if ls.settings.actions.generate_node and _wanted(GENERATE_NODE_KIND, only):
            actions += await _generate_actions(ls, uri, path, contract)
        if ls.settings.actions.add_handler and _wanted(ADD_HANDLER_KIND, only):
            actions += _add_handler_actions(ls, uri, params.context.diagnostics)
    elif ls.settings.actions.insert_pattern and _wanted(INSERT_PATTERN_KIND, only):
        actions += await _insert_pattern_actions(ls, uri)
    if not automatic and not ls.support.resolve_edit:
        actions = [await resolve(ls, action) for action in actions]
    return actions


async def _generate_actions(
    ls: OnexLanguageServer, uri: str, path: Path, contract: Contract
) -> list[lsp.CodeAction]:
    target = package_target(path, contract)
    if (target.folder / "node.py").exists() or not ls.inside_workspace(target.folder):
        return []  # the package exists: drift actions apply instead
    detection = detect_contract(contract)
    options = await asyncio.to_thread(learning_features.options_for, ls, contract)
    choices = apply_learned(
        choose_handlers(contract, detection, ls.settings.threshold),
        options,
        builtin_estimate=learning_features.builtin_estimate(ls),
    )
    _record_shown(ls, uri, choices, options)
    known = feedback_features.stats(ls)
    demoted = [
        c.operation
        for c in choices
        if c.learned is None
        and (record := known.get(builtin_key(c.block)))
        and record.not_preferred
    ]
    used = [c for c in choices if c.learned is not None]
    title = generate_title(contract, detection)
    if demoted:
        title += f" — {', '.join(demoted)} reverted twice, not preferred"
    variants: list[tuple[str, str, bool]] = []
    if used:
        learned_ops = ", ".join(
            f"{c.operation}; {c.learned.record}" if c.learned and c.learned.record else c.operation
            for c in used
        )
        variants.append((f"{title} + your learned blocks ({learned_ops})", "default", True))
        variants.append((f"{title} — built-in blocks only", "builtin", False))
    else:
        variants.append((title, "default", not demoted))
    chosen = {c.operation: c.learned.block_id for c in used if c.learned}
    for operation, alternatives in options.items():
        for option in alternatives:
            if chosen.get(operation) != option.block_id:
                history = f" — {option.record}" if option.record else ""
                why = f"learned from {option.origin}, similarity {option.similarity:.2f}"
                variants.append(
                    (
                        f"Generate {contract.kind.upper_name} node {contract.name} — {operation} "
                        f"{why}{history}",
                        f"{operation}:{option.block_id}",
                        False,
                    )
                )
    actions = []
    for action_title, variant, preferred in variants:
        suggestion_id = new_suggestion_id()
        ls.suggestions.shown(suggestion_id, GENERATE_NODE_KIND, uri, action_title)
        ls.suggestion_targets[suggestion_id] = target.folder
        actions.append(
            lsp.CodeAction(
                title=action_title,
                kind=GENERATE_NODE_KIND,
                is_preferred=preferred,
                data={
                    "type": "generateNode",
                    "uri": uri,
                    "suggestionId": suggestion_id,
                    "variant": variant,
                },
            )
        )
    return actions


def _record_shown(
    ls: OnexLanguageServer,
    uri: str,
    choices: tuple[HandlerChoice, ...],
    options: dict[str, list[LearnedOption]],
) -> None:
    """Every pattern offered counts as shown once per document version."""
    version = ls.workspace.get_text_document(uri).version
    keys = {pattern_key(c) for c in choices} | {
        learned_key(o.block_id) for found in options.values() for o in found
    }
    for key in sorted(keys):
        if (uri, version, key) not in ls.shown_recorded:
            ls.shown_recorded.add((uri, version, key))
            feedback_features.record_event(ls, "shown", {"pattern": key, "uri": uri})


def pattern_key(choice: HandlerChoice) -> str:
    return learned_key(choice.learned.block_id) if choice.learned else builtin_key(choice.block)


def plan_variant(ls: OnexLanguageServer, contract: Contract, variant: str) -> GeneratedPackage:
    """Render the package for an action's variant (blocking: call from a worker thread)."""
    threshold = ls.settings.threshold
    if variant == "builtin":
        return plan_package(contract, threshold)
    options = learning_features.options_for(ls, contract)
    estimate = learning_features.builtin_estimate(ls)
    forced = None
    if ":" in variant:
        operation, block_id = variant.split(":", 1)
        picked = [o for o in options.get(operation, []) if o.block_id == block_id]
        forced = {operation: picked[0]} if picked else None
    return plan_package(contract, threshold, options, forced=forced, builtin_estimate=estimate)


def remember_generated(
    ls: OnexLanguageServer, suggestion_id: str, files: dict[Path, str], generated: GeneratedPackage
) -> None:
    patterns = {c.operation: pattern_key(c) for c in generated.choices}
    feedback_features.remember_planned(ls, suggestion_id, files, patterns)


def _add_handler_actions(
    ls: OnexLanguageServer, uri: str, diagnostics: Sequence[lsp.Diagnostic]
) -> list[lsp.CodeAction]:
    actions = []
    for diagnostic in diagnostics:
        if diagnostic.code != "missing-handler" or not isinstance(diagnostic.data, dict):
            continue
        operation = str(diagnostic.data.get("operation", ""))
        suggestion_id = new_suggestion_id()
        title = f"Add handler for '{operation}' with its routing"
        ls.suggestions.shown(suggestion_id, ADD_HANDLER_KIND, uri, title)
        contract_path = ls.path_of(uri)
        if contract_path is not None:
            handler = contract_path.parent / "handlers" / f"handler_{operation}.py"
            ls.suggestion_targets[suggestion_id] = handler
        actions.append(
            lsp.CodeAction(
                title=title,
                kind=ADD_HANDLER_KIND,
                diagnostics=[diagnostic],
                is_preferred=True,
                data={
                    "type": "addHandler",
                    "uri": uri,
                    "operation": operation,
                    "suggestionId": suggestion_id,
                },
            )
        )
    return actions


async def _insert_pattern_actions(ls: OnexLanguageServer, uri: str) -> list[lsp.CodeAction]:
    match = _HANDLER_FILE.search(uri)
    if match is None:
        return []
    package_uri = uri[: match.end(1)]
    contract_uri = f"{package_uri}/contract.yaml"
    contract = ls.load_contract_at(contract_uri)
    if contract is None:
        return []
    operation = match.group(2)
    choices = choose_handlers(contract, detect_contract(contract), ls.settings.threshold)
    choice = next((c for c in choices if c.operation == operation), None)
    if choice is None:
        return []
    options = await asyncio.to_thread(learning_features.options_for, ls, contract)
    offers = [
        (
            learned_key(o.block_id),
            f"Replace the {operation} handler with your block learned from {o.origin} "
            f"(similarity {o.similarity:.2f}{'; ' + o.record if o.record else ''})",
        )
        for o in options.get(operation, [])
    ]
    offers += [
        (block, f"Replace the {operation} handler with the {block} block")
        for block in alternative_blocks(contract, choice)
    ]
    actions = []
    for block, title in offers:
        suggestion_id = new_suggestion_id()
        ls.suggestions.shown(suggestion_id, INSERT_PATTERN_KIND, uri, title)
        handler_path = ls.path_of(uri)
        if handler_path is not None:
            ls.suggestion_targets[suggestion_id] = handler_path
        actions.append(
            lsp.CodeAction(
                title=title,
                kind=INSERT_PATTERN_KIND,
                data={
                    "type": "insertPattern",
                    "uri": uri,
                    "contractUri": contract_uri,
                    "operation": operation,
                    "block": block,
                    "suggestionId": suggestion_id,
                },
            )
        )
    return actions


async def resolve(ls: OnexLanguageServer, action: lsp.CodeAction) -> lsp.CodeAction:
    data: Any = action.data
    if not isinstance(data, dict) or action.edit is not None or action.command is not None:
        return action
    kind = data.get("type")
    suggestion_id = str(data.get("suggestionId"))
    uri = str(data.get("uri"))
    if kind == "generateNode":
        await _resolve_generate(ls, action, uri, suggestion_id, str(data.get("variant", "default")))
    elif kind == "addHandler":
        await _resolve_add_handler(ls, action, uri, str(data.get("operation")), suggestion_id)
    elif kind == "insertPattern":
        await _resolve_insert_pattern(ls, action, data, suggestion_id)
    return action


def _contract_or_command(
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


async def _resolve_generate(
    ls: OnexLanguageServer, action: lsp.CodeAction, uri: str, suggestion_id: str, variant: str
) -> None:
    arguments: list[Any] = [uri, suggestion_id, variant]
    found = _contract_or_command(ls, action, uri, "onex.generateNode", arguments)
    if found is None:
        return
    contract, path = found
    target = package_target(path, contract)
    async with ls.reporting_progress(f"Generating {contract.package_name}"):
        generated = await asyncio.to_thread(plan_variant, ls, contract, variant)
    files = {target.root / rel: text for rel, text in target.files_to_write(generated).items()}
    remember_generated(ls, suggestion_id, files, generated)
    action.edit = create_files_edit(files)
    action.command = _applied_command(suggestion_id, uri)


async def _resolve_add_handler(
    ls: OnexLanguageServer, action: lsp.CodeAction, uri: str, operation: str, suggestion_id: str
) -> None:
    arguments: list[Any] = [uri, operation, suggestion_id]
    found = _contract_or_command(ls, action, uri, "onex.addHandler", arguments)
    if found is None:
        return
    contract, path = found
    plan = await asyncio.to_thread(
        add_handler_edits,
        contract,
        path.parent,
        operation,
        ls.settings.threshold,
    )
    feedback_features.remember_planned(
        ls, suggestion_id, plan.new_files, {operation: builtin_key(plan.block)}
    )
    inserts: dict[Path, list[tuple[int, str]]] = {}
    for insert in plan.inserts:
        inserts.setdefault(insert.path, []).append((insert.line, insert.text))
    action.edit = create_files_edit(plan.new_files, inserts)
    action.command = _applied_command(suggestion_id, uri)


async def _resolve_insert_pattern(
    ls: OnexLanguageServer, action: lsp.CodeAction, data: dict[str, Any], suggestion_id: str
) -> None:
    uri = str(data["uri"])
    contract = ls.load_contract_at(str(data["contractUri"]))
    if contract is None:
        return
    operation, block = str(data["operation"]), str(data["block"])
    new_text = await asyncio.to_thread(_render_alternative, ls, contract, operation, block)
    if new_text is None:
        return
    old_text = ls.workspace.get_text_document(uri).source
    handler_path = ls.path_of(uri)
    if handler_path is not None:
        feedback_features.remember_planned(
            ls,
            suggestion_id,
            {handler_path: new_text},
            {operation: block if block.startswith("learned:") else builtin_key(block)},
        )
    action.edit = lsp.WorkspaceEdit(changes={uri: [whole_document_edit(old_text, new_text)]})
    action.command = _applied_command(suggestion_id, uri)


def _render_alternative(
    ls: OnexLanguageServer, contract: Contract, operation: str, block: str
) -> str | None:
    """The handler module with another built-in block, or with a learned block re-rendered
    for this contract (blocking: call from a worker thread)."""
    if not block.startswith("learned:"):
        return render_with_block(contract, operation, block, ls.settings.threshold)
    block_id = block.removeprefix("learned:")
    options = learning_features.options_for(ls, contract).get(operation, [])
    picked = next((o for o in options if o.block_id == block_id), None)
    if picked is None:
        return None
    generated = plan_package(contract, ls.settings.threshold, forced={operation: picked})
    return generated.files[f"handlers/handler_{operation}.py"]
