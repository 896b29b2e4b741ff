"""Where users look on a contract: a CodeLens on its first line ("Generate node", or "Open
node <package>" once the package exists, with "Update node — 1 operation added" while the
contract and the package disagree), the generate action also under Ctrl+. (a
``refactor`` kind beside the ``source`` one), and a disabled generate action that says why
when the package exists already.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from lsprotocol import types as lsp

from onex_lsp.contract.model import Contract
from onex_lsp.lsp import packages, update_actions
from onex_lsp.lsp.documents import parse_document
from onex_lsp.lsp.package_actions import workbench
from onex_lsp.lsp.suggestions import (
    GENERATE_COMMAND,
    GENERATE_NODE_KIND,
    OPEN_COMMAND,
    REFACTOR_GENERATE_KIND,
    UPDATE_COMMAND,
)

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

_FIRST_LINE = lsp.Range(
    start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)
)


@dataclass(frozen=True)
class NodeStatus:
    exists: bool
    package: str  # the package folder's name
    main: Path  # the module a user opens first: node.py, else the first handler


def node_status(roots: tuple[Path, ...], contract: Contract, path: Path) -> NodeStatus:
    """Blocking: what exists of the contract's package on disk."""
    state = packages.package_state(contract, packages.location(path, list(roots)))
    plan = state.plan
    root = Path(plan.root)
    if plan.node is not None:
        main = root / plan.node.module.path
    elif plan.handlers:
        main = root / plan.handlers[0].module.path
    else:
        main = root / plan.package
    return NodeStatus(state.exists, plan.package.name, main)


async def _contract(ls: OnexLanguageServer, uri: str) -> tuple[Contract, Path] | None:
    """A valid, generatable contract and its path (``None`` for anything else)."""
    parsed = await parse_document(ls, uri)
    if parsed is None or parsed.path is None or not parsed.result.generatable:
        return None
    contract = parsed.result.contract
    return (contract, parsed.path) if contract is not None else None


async def _status(ls: OnexLanguageServer, uri: str) -> NodeStatus | None:
    """The package status of a valid, generatable contract (``None`` for anything else)."""
    found = await _contract(ls, uri)
    if found is None:
        return None
    roots = tuple(ls.workspace_roots())
    return await asyncio.to_thread(node_status, roots, *found)


async def code_lenses(ls: OnexLanguageServer, uri: str) -> list[lsp.CodeLens]:
    """ "Generate node"; once the package exists "Open node", and "Update node — what
    differs" while the contract and the package disagree."""
    if not ls.settings.actions.generate_node:
        return []
    found = await _contract(ls, uri)
    if found is None:
        return []
    status = await asyncio.to_thread(node_status, tuple(ls.workspace_roots()), *found)
    if not status.exists:
        generate = lsp.Command(
            title="Generate node", command=GENERATE_COMMAND, arguments=[uri, None, None]
        )
        return [lsp.CodeLens(range=_FIRST_LINE, command=generate)]
    commands = [
        lsp.Command(title=f"Open node {status.package}", command=OPEN_COMMAND, arguments=[uri])
    ]
    summary = await asyncio.to_thread(update_actions.offer_job, workbench(ls), *found)
    if summary is not None:
        title = f"Update node — {summary}" if summary else "Update node"
        commands.append(lsp.Command(title=title, command=UPDATE_COMMAND, arguments=[{"uri": uri}]))
    return [lsp.CodeLens(range=_FIRST_LINE, command=command) for command in commands]


async def open_node(ls: OnexLanguageServer, uri: str) -> dict[str, Any]:
    """``onex.openNode``: show the package's main module."""
    status = await _status(ls, uri)
    if status is None or not status.exists:
        message = "The node package does not exist yet: generate it first."
        ls.notify_user(lsp.MessageType.Warning, message)
        return {"opened": None}
    await ls.show(status.main)
    return {"opened": str(status.main)}


def refactor_copy(actions: list[lsp.CodeAction]) -> list[lsp.CodeAction]:
    """The preferred generate action again, as a ``refactor`` (Ctrl+. lists those; it
    leaves ``source`` actions out). Same suggestion: applying either records it."""
    preferred = next((a for a in actions if a.is_preferred), actions[0] if actions else None)
    if preferred is None:
        return []
    return [attrs.evolve(preferred, kind=REFACTOR_GENERATE_KIND, is_preferred=False)]


async def exists_notice(ls: OnexLanguageServer, uri: str) -> list[lsp.CodeAction]:
    """No generate offer: when that is because the package exists, a disabled action
    saying so (clients show its reason instead of "no actions")."""
    text_document = ls.client_capabilities.text_document
    code_action = text_document.code_action if text_document else None
    if not (code_action and code_action.disabled_support):
        return []
    status = await _status(ls, uri)
    if status is None or not status.exists:
        return []
    reason = f"{status.package} exists already: open it with the lens on the first line"
    return [
        lsp.CodeAction(
            title=f"Generate node {status.package}",
            kind=GENERATE_NODE_KIND,
            disabled=lsp.CodeActionDisabled(reason=reason),
        )
    ]


def refresh(ls: OnexLanguageServer) -> None:
    """Ask the client to re-request lenses (after a package was written), if it can; not
    awaited: the answer changes nothing here."""
    workspace = ls.client_capabilities.workspace
    lenses = workspace.code_lens if workspace else None
    if lenses is not None and lenses.refresh_support:
        ls.workspace_code_lens_refresh(None)
