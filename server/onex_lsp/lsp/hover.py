"""Hover on an operation of a contract: its detected pattern, confidence and reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from onex_lsp.feedback.stats import builtin_key
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.ranking import choose_handlers
from onex_lsp.lsp import feedback_features
from onex_lsp.lsp.convert import domain_position, lsp_range
from onex_lsp.lsp.documents import parse_document

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer


def hover(ls: OnexLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
    parsed = parse_document(ls, params.text_document.uri)
    if parsed is None or parsed.result.contract is None:
        return None
    contract = parsed.result.contract
    where = domain_position(params.position)
    operation = next((op for op in contract.operations if op.range.contains(where)), None)
    if operation is None:
        return None
    detection = detect_contract(contract)
    choice = next(
        c
        for c in choose_handlers(contract, detection, ls.settings.threshold)
        if c.operation == operation.name
    )
    found = detection.for_operation(operation.name)
    lines = [
        f"**{operation.name}** → `{choice.block}` (confidence {choice.confidence:.2f})",
        "",
        choice.reason,
    ]
    others = [m for m in (found.matches if found else ()) if m.reason != choice.reason]
    if others:
        lines += ["", "Also matched:"] + [f"- {m.reason} ({m.confidence:.2f})" for m in others]
    record = feedback_features.stats(ls).get(builtin_key(choice.block))
    if record is not None and record.summary():
        estimate = record.keep_estimate(choice.confidence)
        lines += ["", f"Feedback: {record.summary()} (keep rate {estimate:.2f})"]
    lines += ["", f"Handler: `handlers/handler_{operation.name}.py`"]
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n".join(lines)),
        range=lsp_range(operation.range),
    )
