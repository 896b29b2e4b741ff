"""``workspace/executeCommand`` handlers: arguments arrive as separate positional values."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp.feedback.stats import builtin_key
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.drift import add_handler_edits, apply_add_handler
from onex_lsp.generation.ranking import choose_handlers
from onex_lsp.generation.targets import package_target
from onex_lsp.lsp import code_actions, feedback_features, learning_features
from onex_lsp.lsp.documents import parse_document, publish
from onex_lsp.workspace_fs import FileExistsConflict, UnsafePathError, write_tree

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
    parsed = parse_document(ls, uri) if uri in ls.workspace.text_documents else None
    contract = parsed.result.contract if parsed else ls.load_contract_at(uri)
    path = parsed.path if parsed else None
    if contract is None or (parsed is not None and parsed.result.errors):
        ls.notify_user(
            lsp.MessageType.Error, "The contract has errors; fix them before generating."
        )
        return {"written": []}
    path = path or Path(str(ls.path_of(uri)))
    target = package_target(path, contract)
    if not ls.inside_workspace(target.folder):
        ls.notify_user(
            lsp.MessageType.Error,
            f"Refusing to write {target.folder}: it is outside the workspace.",
        )
        return {"written": []}
    async with ls.reporting_progress(f"Generating {contract.package_name}"):
        generated = await asyncio.to_thread(code_actions.plan_variant, ls, contract, variant)
        if suggestion_id:
            files = {
                target.root / rel: text for rel, text in target.files_to_write(generated).items()
            }
            code_actions.remember_generated(ls, suggestion_id, files, generated)
        try:
            result = await asyncio.to_thread(
                write_tree, target.root, target.files_to_write(generated)
            )
        except FileExistsConflict as exc:
            ls.notify_user(
                lsp.MessageType.Error,
                f"Not generated: {len(exc.paths)} file(s) already exist, e.g. {exc.paths[0]}",
            )
            return {"written": []}
        except (UnsafePathError, OSError) as exc:
            ls.notify_user(lsp.MessageType.Error, f"Not generated: {exc}")
            return {"written": []}
    if suggestion_id:
        ls.suggestion_targets.setdefault(suggestion_id, target.folder)
        suggestion_applied(ls, suggestion_id)
    await ls.show(target.folder / "node.py")
    log.info("generated %s: %d file(s)", target.folder, len(result.written))
    return {"written": [str(p) for p in result.written]}


async def add_handler(
    ls: OnexLanguageServer, uri: str, operation: str, suggestion_id: str | None = None
) -> dict[str, Any]:
    parsed = parse_document(ls, uri)
    if parsed is None or parsed.path is None or parsed.result.contract is None:
        return {"written": []}
    package = parsed.path.parent
    plan = await asyncio.to_thread(
        add_handler_edits, parsed.result.contract, package, operation, ls.settings.threshold
    )
    for path in list(plan.new_files) + [i.path for i in plan.inserts]:
        if not ls.inside_workspace(path):
            ls.notify_user(
                lsp.MessageType.Error, f"Refusing to write {path}: it is outside the workspace."
            )
            return {"written": []}
    if suggestion_id:
        feedback_features.remember_planned(
            ls, suggestion_id, plan.new_files, {operation: builtin_key(plan.block)}
        )
    try:
        edited = await asyncio.to_thread(apply_add_handler, plan, package)
    except (FileExistsConflict, UnsafePathError, OSError) as exc:
        ls.notify_user(lsp.MessageType.Error, f"Handler not added: {exc}")
        return {"written": []}
    if suggestion_id:
        suggestion_applied(ls, suggestion_id)
    publish(ls, uri)
    return {
        "written": [str(p) for p in plan.new_files],
        "edited": [str(p) for p in edited],
        "routed": plan.routed,
    }


def show_detected_patterns(ls: OnexLanguageServer, uri: str) -> dict[str, Any]:
    contract = ls.load_contract_at(uri)
    if contract is None:
        return {"error": "not a valid ONEX contract"}
    detection = detect_contract(contract)
    choices = choose_handlers(contract, detection, ls.settings.threshold)
    return {
        "node": contract.package_name,
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
