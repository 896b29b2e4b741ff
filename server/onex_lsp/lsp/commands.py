"""``workspace/executeCommand`` handlers: arguments arrive as separate positional values."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp.contract.files import read_contract
from onex_lsp.contract.model import Contract
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.drift import AddHandlerPlan
from onex_lsp.generation.package_plan import plan_layout
from onex_lsp.generation.ranking import choose_handlers
from onex_lsp.lsp import feedback_features, learning_features, package_actions, packages
from onex_lsp.lsp.documents import parse_document, publish
from onex_lsp.workspace_fs import UnsafePathError, atomic_write, confined_path, write_tree

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

log = logging.getLogger(__name__)


def suggestion_applied(ls: OnexLanguageServer, suggestion_id: str, *_: Any) -> dict[str, Any]:
    event = ls.suggestions.applied(str(suggestion_id))
    if event is None:
        log.info(
            "suggestion %s applied, but it was not offered by this server session", suggestion_id
        )
        return {"recorded": False}
    log.info("suggestion applied: %s (%s) %s", event.suggestion_id, event.kind, event.detail)
    target = ls.suggestion_targets.get(event.suggestion_id)
    if target is not None:
        learning_features.accept(ls, target, event.suggestion_id)
    feedback_features.track_applied(ls, event.suggestion_id)
    for uri in list(ls.parsed):  # the edit may have created the files a diagnostic asked for
        publish(ls, uri)
    return {"recorded": True, "kind": event.kind}


async def generate_node(
    ls: OnexLanguageServer, uri: str, suggestion_id: str | None = None, variant: str = "default"
) -> dict[str, Any]:
    """Write the package on the server side (for clients that cannot create files)."""
    found = await _valid_contract(ls, uri)
    if found is None:
        return {"written": []}
    contract, path = found
    where = packages.location(path, ls.workspace_roots())
    async with ls.reporting_progress(f"Generating the {contract.name} node"):
        generated = await asyncio.to_thread(
            package_actions.plan_variant, ls, contract, where, variant
        )
        writes = await asyncio.to_thread(packages.writes_for, generated)
        if writes.blocked_by:
            ls.notify_user(
                lsp.MessageType.Warning,
                f"Not generated: {', '.join(writes.blocked_by)} already hold(s) your code.",
            )
            return {"written": []}
        if suggestion_id:
            planned = package_actions.planned_blocks(generated)
            feedback_features.remember_planned(ls, suggestion_id, planned)
        try:
            root = Path(where.root)
            result = await asyncio.to_thread(
                write_tree, root, writes.reconciled.writes, overwrite=True
            )
        except (UnsafePathError, OSError) as exc:
            ls.notify_user(lsp.MessageType.Error, f"Not generated: {exc}")
            return {"written": []}
    folder = Path(where.root) / generated.plan.package
    if suggestion_id:
        ls.suggestion_targets.setdefault(suggestion_id, folder)
        suggestion_applied(ls, suggestion_id)
    main = (
        generated.plan.node.module.path
        if generated.plan.node
        else generated.plan.handlers[0].module.path
    )
    await ls.show(Path(where.root) / main)
    log.info("generated %s: %d file(s)", folder, len(result.written))
    return {"written": [str(p) for p in result.written]}


async def _valid_contract(ls: OnexLanguageServer, uri: str) -> tuple[Contract, Path] | None:
    parsed = parse_document(ls, uri) if uri in ls.workspace.text_documents else None
    result = parsed.result if parsed else None
    path = packages.path_of(uri)
    if result is None and path is not None:
        result = await asyncio.to_thread(read_contract, path, strict_model=ls.settings.strict_model)
    if result is None or path is None or result.contract is None or not result.generatable:
        ls.notify_user(
            lsp.MessageType.Error, "The contract has errors; fix them before generating."
        )
        return None
    return result.contract, path


async def add_handler(
    ls: OnexLanguageServer, uri: str, operation: str, suggestion_id: str | None = None
) -> dict[str, Any]:
    found = await _valid_contract(ls, uri)
    if found is None:
        return {"written": []}
    contract, path = found
    if operation not in {op.name for op in contract.operations}:
        ls.notify_user(
            lsp.MessageType.Error,
            f"Handler not added: the contract has no operation '{operation}'.",
        )
        return {"written": []}
    where = packages.location(path, ls.workspace_roots())
    plan, generated = await asyncio.to_thread(
        package_actions.add_handler_job, ls, contract, where, operation
    )
    if suggestion_id:
        blocks = [b for b in package_actions.planned_blocks(generated) if b[3] == operation]
        feedback_features.remember_planned(ls, suggestion_id, blocks)
    try:
        edited = await asyncio.to_thread(apply_additions, Path(where.root), plan)
    except (UnsafePathError, OSError) as exc:
        ls.notify_user(lsp.MessageType.Error, f"Handler not added: {exc}")
        return {"written": []}
    if suggestion_id:
        suggestion_applied(ls, suggestion_id)
    publish(ls, uri)
    root = Path(where.root)
    return {
        "written": [str(root / p) for p in plan.new_files],
        "edited": [str(p) for p in edited],
        "routed": plan.routed,
    }


def apply_additions(root: Path, plan: AddHandlerPlan) -> list[Path]:
    """Blocking: write the new files (never over existing ones) and apply the line edits."""
    write_tree(root, plan.new_files)
    edited: dict[Path, list[str]] = {}
    for edit in sorted(plan.edits, key=lambda e: (-e.start, -e.end)):
        path = confined_path(root, edit.path)
        if path not in edited:
            edited[path] = path.read_text(encoding="utf-8").splitlines(keepends=True)
        edited[path][edit.start : edit.end] = [edit.text] if edit.text else []
    for path, lines in edited.items():
        atomic_write(path, "".join(lines))
    return list(edited)


def show_detected_patterns(ls: OnexLanguageServer, uri: str) -> dict[str, Any]:
    parsed = parse_document(ls, uri) if uri in ls.workspace.text_documents else None
    contract = parsed.result.contract if parsed else None
    if contract is None:
        return {"error": "not a valid ONEX contract (open it first)"}
    detection = detect_contract(contract)
    choices = choose_handlers(contract, detection, ls.settings.threshold)
    path = packages.path_of(uri)
    package = (
        plan_layout(contract, packages.location(path, ls.workspace_roots())).package.name
        if path is not None
        else contract.name
    )
    return {
        "node": package,
        "name": contract.name,
        "dialect": contract.dialect.value,
        "kind": contract.kind.value,
        "patterns": [
            {
                "pattern": s.pattern.value,
                "confidence": s.confidence,
                "operations": list(s.operations),
                "reason": s.reason,
            }
            for s in detection.patterns
        ],
        "operations": [
            {
                "operation": c.operation,
                "block": c.block,
                "confidence": c.confidence,
                "reason": c.reason,
            }
            for c in choices
        ],
    }
