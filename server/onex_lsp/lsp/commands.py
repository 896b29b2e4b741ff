"""``workspace/executeCommand`` handlers: arguments arrive as separate positional values."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp.contract.files import read_contract
from onex_lsp.contract.model import Contract, ContractResult
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.drift import AddHandlerPlan
from onex_lsp.generation.ranking import choose_handlers
from onex_lsp.lsp import contract_lenses, packages
from onex_lsp.lsp import generation_jobs as jobs
from onex_lsp.lsp import learned_offers as offers
from onex_lsp.lsp.convert import uri_to_path
from onex_lsp.lsp.documents import parse_document, publish, publish_all
from onex_lsp.lsp.generation_report import announce, report_of
from onex_lsp.lsp.package_actions import confined_job, variant_from, workbench
from onex_lsp.workspace_fs import UnsafePathError, atomic_write, confined_path, write_tree

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

log = logging.getLogger(__name__)


def suggestion_applied(ls: OnexLanguageServer, suggestion_id: str, *_: Any) -> dict[str, Any]:
    """An offered action's edit was applied: learn from its files, follow its blocks."""
    applied = ls.suggestions.apply(str(suggestion_id))
    if applied is None:
        log.info("suggestion %s: not offered by this session, expired or already applied",
                 suggestion_id)  # fmt: skip
        return {"recorded": False}
    log.info("suggestion applied: %s (%s) %s", applied.suggestion_id, applied.kind, applied.title)
    if applied.creates is not None:
        ls.learning.accept(applied.creates, applied.suggestion_id)
    ls.feedback.track(applied.suggestion_id, applied.planned)
    publish_all(ls)  # the edit may have created the files a diagnostic asked for
    return {"recorded": True, "kind": applied.kind}


async def generate_node(
    ls: OnexLanguageServer, uri: str, suggestion_id: str | None = None, variant: Any = None
) -> dict[str, Any]:
    """Write the package on the server side (for clients that cannot create files)."""
    found = await _valid_contract(ls, uri)
    if found is None:
        return {"written": []}
    contract, path = found
    lookup = await offers.settled(ls, uri)
    bench = workbench(ls, lookup)
    async with ls.reporting_progress(f"Generating the {contract.name} node"):
        picked = variant_from(variant)
        job = await confined_job(
            ls, "Not generated", jobs.generate_job, bench, contract, path, picked
        )
        if job is None:
            return {"written": []}
        ls.offers.keep(uri, lookup.computed)
        if job.writes.blocked_by:
            blocked = ", ".join(job.writes.blocked_by)
            ls.notify_user(
                lsp.MessageType.Warning, f"Not generated: {blocked} already hold(s) your code."
            )
            return {"written": []}
        root = Path(job.generated.plan.root)
        try:
            result = await asyncio.to_thread(
                write_tree, root, job.writes.reconciled.writes, overwrite=True
            )
        except (UnsafePathError, OSError) as exc:
            ls.notify_user(lsp.MessageType.Error, f"Not generated: {exc}")
            return {"written": []}
    plan = job.generated.plan
    if suggestion_id:
        ls.suggestions.plan(suggestion_id, job.planned)
        suggestion_applied(ls, suggestion_id)
    log.info("generated %s: %d file(s)", root / plan.package, len(result.written))
    await announce(ls, report_of(job.generated, result.written))
    contract_lenses.refresh(ls)
    return {"written": [str(p) for p in result.written]}


async def _valid_contract(ls: OnexLanguageServer, uri: str) -> tuple[Contract, Path] | None:
    """The contract of an open document, or else of the file on disk, if it is valid."""
    parsed = await parse_document(ls, uri)
    result: ContractResult | None = parsed.result if parsed else None
    path = uri_to_path(uri)
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
        message = f"Handler not added: the contract has no operation '{operation}'."
        ls.notify_user(lsp.MessageType.Error, message)
        return {"written": []}
    job = jobs.add_handler_job
    added = await confined_job(
        ls, "Handler not added", job, workbench(ls), contract, path, operation
    )
    if added is None:
        return {"written": []}
    plan, planned, root = added
    try:
        edited = await asyncio.to_thread(apply_additions, root, plan)
    except (UnsafePathError, OSError) as exc:
        ls.notify_user(lsp.MessageType.Error, f"Handler not added: {exc}")
        return {"written": []}
    if suggestion_id:
        ls.suggestions.plan(suggestion_id, planned)
        suggestion_applied(ls, suggestion_id)
    publish(ls, uri)
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


async def show_detected_patterns(ls: OnexLanguageServer, uri: str) -> dict[str, Any]:
    """Detection, the block each operation gets, and the learned options ready now
    (``learned.current``: computed for this version of the contract and library)."""
    parsed = await parse_document(ls, uri)
    contract = parsed.result.contract if parsed else None
    if parsed is None or contract is None:
        return {"error": "not a valid ONEX contract (open it first)"}
    lookup = offers.ready_lookup(ls, uri)
    bench = workbench(ls, lookup)
    found = await asyncio.to_thread(detected_patterns, contract, parsed.path, bench)
    found["learned"] = offers.learned_status(lookup, found.pop("options"), parsed.path)
    if lookup.stale and parsed.result.generatable:
        offers.schedule(ls, uri, 0.0)
    return found


def detected_patterns(
    contract: Contract, path: Path | None, bench: jobs.Workbench
) -> dict[str, Any]:
    """Blocking: what detection found in a contract, the block each operation gets and
    (under ``options``) the learned options the bench's lookup gives."""
    detection = detect_contract(contract)
    choices = choose_handlers(contract, detection, bench.threshold)
    plan = packages.plan_of(contract, bench.where(path)) if path else None
    return {
        "node": plan.package.name if plan else contract.name,
        "name": contract.name,
        "dialect": contract.dialect.value,
        "kind": contract.kind.value,
        "patterns": [
            {"pattern": s.pattern.value, "confidence": s.confidence,
             "operations": list(s.operations), "reason": s.reason}
            for s in detection.patterns
        ],
        "operations": [
            {"operation": c.operation, "block": c.block, "confidence": c.confidence,
             "reason": c.reason}
            for c in choices
        ],
        "options": bench.options(contract, plan) if plan else {},
    }  # fmt: skip
