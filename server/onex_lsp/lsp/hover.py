"""Hover on a contract: its dialect on the first line; on an operation, its pattern block,
confidence, reason, feedback and where its handler goes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from onex_lsp import layout
from onex_lsp.contract.model import Contract
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.package_plan import plan_layout
from onex_lsp.generation.ranking import choose_handlers
from onex_lsp.lsp import feedback_features, packages
from onex_lsp.lsp.convert import domain_position, lsp_range
from onex_lsp.lsp.documents import ParsedDocument, parse_document

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer


def hover(ls: OnexLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
    parsed = parse_document(ls, params.text_document.uri)
    if parsed is None:
        return None
    if params.position.line == 0:
        return _markdown(_dialect_lines(parsed))
    contract = parsed.result.contract
    if contract is None:
        return None
    where = domain_position(params.position)
    operation = next((op for op in contract.operations if op.range.contains(where)), None)
    if operation is None:
        return None
    hover = _markdown(_operation_lines(ls, parsed, contract, operation.name))
    hover.range = lsp_range(operation.range)
    return hover


def _markdown(lines: list[str]) -> lsp.Hover:
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n".join(lines))
    )


def _dialect_lines(parsed: ParsedDocument) -> list[str]:
    dialect = parsed.result.dialect
    contract = parsed.result.contract
    lines = [f"**ONEX contract** — {dialect.label if dialect else 'not read (see the problems)'}"]
    if contract is not None:
        operations = ", ".join(op.name for op in contract.operations) or "none"
        lines += [
            "",
            f"{contract.kind.upper_name} node `{contract.name}` (node_type `{contract.node_type}`)",
            f"Operations: {operations}",
        ]
    if parsed.result.generation_blockers:
        lines += ["", "Not generated: " + parsed.result.generation_blockers[0].message]
    return lines


def _operation_lines(
    ls: OnexLanguageServer, parsed: ParsedDocument, contract: Contract, name: str
) -> list[str]:
    detection = detect_contract(contract)
    choices = choose_handlers(contract, detection, ls.settings.threshold)
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
    record = feedback_features.stats(ls).get(layout.builtin_key(choice.block))
    if record is not None and record.summary():
        estimate = record.keep_estimate(choice.confidence)
        lines += ["", f"Feedback: {record.summary()} (keep rate {estimate:.2f})"]
    if parsed.path is not None:
        plan = plan_layout(contract, packages.location(parsed.path, ls.workspace_roots()))
        target = plan.handler_for(name) if plan.handlers else None
        if target is not None:
            lines += ["", f"Handler: `{target.name}` in `{target.module.path}`"]
    return lines
