"""Hover on a contract: its dialect on the first line; on an operation, its pattern block,
confidence, reason, feedback and where its handler goes. Computed in a worker thread."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from onex_lsp import layout
from onex_lsp.contract.model import Contract, ContractResult
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.ranking import LearnedOption, choose_handlers
from onex_lsp.lsp import learned_offers, packages
from onex_lsp.lsp.documents import parse_document, positions
from onex_lsp.lsp.generation_jobs import Workbench
from onex_lsp.lsp.package_actions import workbench

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer


async def hover(ls: OnexLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
    parsed = await parse_document(ls, params.text_document.uri)
    if parsed is None:
        return None
    if params.position.line == 0:
        return _markdown(dialect_lines(parsed.result))
    contract = parsed.result.contract
    where = positions(ls, parsed)
    at = where.domain_position(params.position)
    operation = (
        next((op for op in contract.operations if op.range.contains(at)), None)
        if contract
        else None
    )
    if contract is None or operation is None:
        return None
    job = operation_lines
    bench = workbench(ls, learned_offers.fresh_lookup(ls, parsed.uri))  # gated, as offered
    lines = await asyncio.to_thread(job, bench, contract, parsed.path, operation.name)
    found = _markdown(lines)
    found.range = where.lsp_range(operation.range)
    return found


def _markdown(lines: list[str]) -> lsp.Hover:
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n".join(lines))
    )


def dialect_lines(result: ContractResult) -> list[str]:
    dialect = result.dialect
    contract = result.contract
    lines = [f"**ONEX contract** — {dialect.label if dialect else 'not read (see the problems)'}"]
    if contract is not None:
        operations = ", ".join(op.name for op in contract.operations) or "none"
        lines += [
            "",
            f"{contract.kind.upper_name} node `{contract.name}` (node_type `{contract.node_type}`)",
            f"Operations: {operations}",
        ]
    if result.generation_blockers:
        lines += ["", "Not generated: " + result.generation_blockers[0].message]
    return lines


def operation_lines(
    bench: Workbench, contract: Contract, path: Path | None, name: str
) -> list[str]:
    """Blocking: the block an operation gets, why, its feedback and its handler's place."""
    detection = detect_contract(contract)
    choices = choose_handlers(contract, detection, bench.threshold)
    choice = next(c for c in choices if c.operation == name)
    found = detection.for_operation(name)
    lines = [
        f"**{name}** → `{choice.block}` (confidence {choice.confidence:.2f})",
        "",
        choice.reason,
    ]
    others = [m for m in (found.matches if found else ()) if m.reason != choice.reason]
    if others:
        lines += ["", "Also matched:"] + [f"- {m.reason} ({m.confidence:.2f})" for m in others]
    record = bench.stats.get(layout.builtin_key(choice.block))
    if record is not None and record.summary():
        estimate = record.keep_estimate(choice.confidence)
        lines += ["", f"Feedback: {record.summary()} (keep rate {estimate:.2f})"]
    if path is not None:
        plan = packages.plan_of(contract, bench.where(path))
        lines += learned_lines(bench.options(contract, plan).get(name, []))
        target = plan.handler_for(name) if plan.handlers else None
        if target is not None:
            lines += ["", f"Handler: `{target.name}` in `{target.module.path}`"]
    return lines


def learned_lines(options: list[LearnedOption]) -> list[str]:
    """Your learned blocks for an operation: where each came from and its family's record."""
    lines = [
        f"- learned from `{o.origin}`, similarity {o.similarity:.2f}"
        + (f"; {o.record}" if o.record else "")
        + ("; superseded by your newer version" if o.superseded else "")
        + (f"; not the default: {o.gate}" if o.gate else "")
        for o in options
    ]
    return ["", "Your learned blocks:", *lines] if lines else []
