"""Code actions: generate a node, quick fixes (add a handler, known replacements), and
alternative blocks for a handler.

Listing reads nothing on the event loop: parsing, what exists of the package and the
learned options are computed in worker threads. The edit is computed in
``codeAction/resolve`` when the client can resolve ``edit``, eagerly when it cannot, and
never on automatic triggers; clients that cannot create files get a command that writes
them on the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp.contract.model import Contract
from onex_lsp.lsp import contract_lenses, package_actions, quick_fixes, update_actions
from onex_lsp.lsp.convert import uri_to_path
from onex_lsp.lsp.documents import parse_document
from onex_lsp.lsp.forget import forget_actions
from onex_lsp.lsp.suggestions import (
    ADD_HANDLER_KIND,
    CODE_ACTION_KINDS,
    FORGET_KIND,
    GENERATE_NODE_KIND,
    INSERT_PATTERN_KIND,
    OTHER_VERBS_KIND,
    REFACTOR_GENERATE_KIND,
    UPDATE_NODE_KIND,
)

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

KINDS = CODE_ACTION_KINDS
_ADD_HANDLER_CODES = ("missing-handler", "handler-name-drift")


def _wanted(kind: str, only: list[str] | None) -> bool:
    return only is None or any(kind == o or kind.startswith(o + ".") for o in only)


def _asked_others(only: list[str] | None) -> bool:
    """Blocks of other verb families only when the request names their kind itself, never
    through a prefix (``refactor``): the menu keeps them out unless the user asks."""
    return only is not None and OTHER_VERBS_KIND in only


async def provide(ls: OnexLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    only = [str(k) for k in params.context.only] if params.context.only else None
    actions: list[lsp.CodeAction] = []
    parsed = await parse_document(ls, uri)
    offered = ls.settings.actions
    if parsed is not None and parsed.path is not None:
        diagnostics = params.context.diagnostics
        if _wanted(ADD_HANDLER_KIND, only):
            actions += replacement_fixes(uri, diagnostics)
            actions += quick_fixes.insertion_fixes(uri, diagnostics)
        contract = parsed.result.contract
        if parsed.result.generatable and contract is not None:
            if offered.generate_node:
                actions += await _generate(ls, uri, parsed.path, contract, only)
            if offered.add_handler and _wanted(ADD_HANDLER_KIND, only):
                actions += _add_handler_actions(ls, uri, diagnostics)
            source, fix = _wanted(UPDATE_NODE_KIND, only), _wanted("quickfix", only)
            if source or fix:
                actions += await update_actions.update_actions(
                    ls, uri, parsed.path, contract, diagnostics, source, fix
                )
    elif offered.insert_pattern and (_wanted(INSERT_PATTERN_KIND, only) or _asked_others(only)):
        path, asked = uri_to_path(uri), _asked_others(only)
        actions += await package_actions.insert_actions(ls, uri, path, asked) if path else []
    if parsed is None and _wanted(FORGET_KIND, only):
        actions += await forget_actions(ls, uri)
    automatic = params.context.trigger_kind == lsp.CodeActionTriggerKind.Automatic
    if not automatic and not ls.support.resolve_edit:
        actions = [await resolve(ls, action) for action in actions]
    return actions


async def _generate(
    ls: OnexLanguageServer, uri: str, path: Path, contract: Contract, only: list[str] | None
) -> list[lsp.CodeAction]:
    """The generate actions as ``source`` and, the preferred one, as ``refactor``; when
    there is none because the package exists, a disabled action that says so. A request
    for every kind (Neovim's and Emacs's whole menu) gets the refactor copy only: the menu
    lists each action once. VS Code asks for ``source`` by name in its Source Action menu."""
    source = only is not None and _wanted(GENERATE_NODE_KIND, only)
    refactor = _wanted(REFACTOR_GENERATE_KIND, only)
    if not (source or refactor):
        return []
    offers = await package_actions.generate_actions(ls, uri, path, contract)
    if not offers:
        return await contract_lenses.exists_notice(ls, uri) if source or only is None else []
    return (offers if source else []) + (contract_lenses.refactor_copy(offers) if refactor else [])


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
        if diagnostic.code not in _ADD_HANDLER_CODES or not isinstance(diagnostic.data, dict):
            continue
        operation = str(diagnostic.data.get("operation", ""))
        title = f"Add handler for '{operation}' with its routing"
        if diagnostic.code == "handler-name-drift":
            title = f"Add {diagnostic.data.get('declared')} to the code for '{operation}'"
        suggestion_id = ls.suggestions.offer(ADD_HANDLER_KIND, uri, title)
        data = {
            "type": "addHandler",
            "uri": uri,
            "operation": operation,
            "suggestionId": suggestion_id,
        }
        actions.append(
            lsp.CodeAction(
                title=title,
                kind=ADD_HANDLER_KIND,
                diagnostics=[diagnostic],
                is_preferred=True,
                data=data,
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
        variant = data.get("variant")
        await package_actions.resolve_generate(ls, action, uri, suggestion_id, variant)
    elif kind == "addHandler":
        operation = str(data.get("operation"))
        await package_actions.resolve_add_handler(ls, action, uri, operation, suggestion_id)
    elif kind == "updateNode":
        await update_actions.resolve_update(ls, action, uri, suggestion_id)
    elif kind == "insertPattern":
        variant = data.get("variant")
        await package_actions.resolve_insert(ls, action, uri, suggestion_id, variant)
    return action
