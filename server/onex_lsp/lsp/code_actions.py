"""Code actions: generate a node, quick fixes (add a handler, known replacements), and
alternative blocks for a handler.

Listing reads nothing on the event loop: what exists of the package and the learned
options are computed in a worker thread. The edit is computed in ``codeAction/resolve``
when the client can resolve ``edit``, eagerly when it cannot, and never on automatic
triggers; clients that cannot create files get a command that writes them on the server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp import layout
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.ranking import choose_handlers
from onex_lsp.lsp import feedback_features, package_actions, packages
from onex_lsp.lsp.convert import create_files_edit
from onex_lsp.lsp.documents import parse_document
from onex_lsp.lsp.suggestions import (
    ADD_HANDLER_KIND,
    GENERATE_NODE_KIND,
    INSERT_PATTERN_KIND,
    applied_command,
    new_suggestion_id,
)

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer


def _wanted(kind: str, only: list[str] | None) -> bool:
    return only is None or any(kind == o or kind.startswith(o + ".") for o in only)


async def provide(ls: OnexLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    only = [str(k) for k in params.context.only] if params.context.only else None
    automatic = params.context.trigger_kind == lsp.CodeActionTriggerKind.Automatic
    actions: list[lsp.CodeAction] = []
    parsed = parse_document(ls, uri)
    if parsed is not None and parsed.path is not None:
        diagnostics = params.context.diagnostics
        if _wanted(ADD_HANDLER_KIND, only):
            actions += replacement_fixes(uri, diagnostics)
        contract = parsed.result.contract
        if parsed.result.generatable and contract is not None:
            if ls.settings.actions.generate_node and _wanted(GENERATE_NODE_KIND, only):
                actions += await package_actions.actions(ls, uri, parsed.path, contract)
            if ls.settings.actions.add_handler and _wanted(ADD_HANDLER_KIND, only):
                actions += _add_handler_actions(ls, uri, diagnostics)
    elif ls.settings.actions.insert_pattern and _wanted(INSERT_PATTERN_KIND, only):
        actions += await _insert_pattern_actions(ls, uri)
    if not automatic and not ls.support.resolve_edit:
        actions = [await resolve(ls, action) for action in actions]
    return actions


def replacement_fixes(uri: str, diagnostics: Sequence[lsp.Diagnostic]) -> list[lsp.CodeAction]:
    """A quick fix for every diagnostic that knows the text that mends it."""
    fixes = []
    for diagnostic in diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        replacement = data.get("replacement")
        if not isinstance(replacement, str):
            continue
        edit = lsp.TextEdit(range=diagnostic.range, new_text=replacement)
        title = f"Replace with '{replacement}'"
        if diagnostic.code == "handler-name-drift":
            title = f"Route '{data.get('operation')}' to {replacement}, as the code names it"
        fixes.append(
            lsp.CodeAction(
                title=title,
                kind=ADD_HANDLER_KIND,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
            )
        )
    return fixes


def _add_handler_actions(
    ls: OnexLanguageServer, uri: str, diagnostics: Sequence[lsp.Diagnostic]
) -> list[lsp.CodeAction]:
    actions = []
    for diagnostic in diagnostics:
        codes = ("missing-handler", "handler-name-drift")
        if diagnostic.code not in codes or not isinstance(diagnostic.data, dict):
            continue
        operation = str(diagnostic.data.get("operation", ""))
        suggestion_id = new_suggestion_id()
        title = f"Add handler for '{operation}' with its routing"
        if diagnostic.code == "handler-name-drift":
            title = f"Add {diagnostic.data.get('declared')} to the code for '{operation}'"
        ls.suggestions.shown(suggestion_id, ADD_HANDLER_KIND, uri, title)
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


def _handler_of(uri: str) -> tuple[Path, str] | None:
    """(package folder, operation) of ``.../handlers/handler_<op>.py``."""
    path = packages.path_of(uri)
    if path is None:
        return None
    operation = layout.handler_file_operation(path.parts)
    return (path.parent.parent, operation) if operation else None


async def _insert_pattern_actions(ls: OnexLanguageServer, uri: str) -> list[lsp.CodeAction]:
    found = _handler_of(uri)
    if found is None:
        return []
    package, operation_ident = found
    contract = await asyncio.to_thread(packages.contract_in, package, ls.settings.strict_model)
    if contract is None:
        return []
    choices = choose_handlers(contract, detect_contract(contract), ls.settings.threshold)
    choice = next(
        (c for c in choices if layout.operation_ident(c.operation) == operation_ident), None
    )
    if choice is None:
        return []
    where = packages.location(package / "contract.yaml", ls.workspace_roots())
    offers = await asyncio.to_thread(package_actions.insert_offers, ls, contract, where, choice)
    actions = []
    for block, title in offers:
        suggestion_id = new_suggestion_id()
        ls.suggestions.shown(suggestion_id, INSERT_PATTERN_KIND, uri, title)
        actions.append(
            lsp.CodeAction(
                title=title,
                kind=INSERT_PATTERN_KIND,
                data={
                    "type": "insertPattern",
                    "uri": uri,
                    "package": str(package),
                    "operation": choice.operation,
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
        variant = str(data.get("variant", "default"))
        await package_actions.resolve_generate(ls, action, uri, suggestion_id, variant)
    elif kind == "addHandler":
        await package_actions.resolve_add_handler(
            ls, action, uri, str(data.get("operation")), suggestion_id
        )
    elif kind == "insertPattern":
        await _resolve_insert_pattern(ls, action, data, suggestion_id)
    return action


async def _resolve_insert_pattern(
    ls: OnexLanguageServer, action: lsp.CodeAction, data: dict[str, Any], suggestion_id: str
) -> None:
    uri = str(data["uri"])
    package = Path(str(data["package"]))
    contract = await asyncio.to_thread(packages.contract_in, package, ls.settings.strict_model)
    if contract is None:
        return
    operation, block = str(data["operation"]), str(data["block"])
    where = packages.location(package / "contract.yaml", ls.workspace_roots())
    swap = await asyncio.to_thread(package_actions.swap_job, ls, contract, where, operation, block)
    handler_path = packages.path_of(uri)
    if swap is None or handler_path is None:
        return
    old_text = ls.workspace.get_text_document(uri).source
    pattern = block if block.startswith(layout.LEARNED_PREFIX) else layout.builtin_key(block)
    feedback_features.remember_planned(
        ls, suggestion_id, [(handler_path, swap.text, pattern, operation, swap.function)]
    )
    root = Path(where.root)
    created = {root / rel: text for rel, text in swap.wiring.new_files.items()}
    action.edit = create_files_edit(
        created,
        package_actions.line_edits(root, swap.wiring),
        replaced={handler_path: (old_text, swap.text)},
    )
    action.command = applied_command(suggestion_id, uri)
