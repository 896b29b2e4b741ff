"""Open contracts: parse on open and change (debounced), publish diagnostics, clear on close."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from onex_lsp.contract.framework_check import FrameworkUnavailable, validate_with_framework
from onex_lsp.contract.reader import ContractIssue, ContractResult, Severity, load_contract
from onex_lsp.generation.drift import missing_handlers
from onex_lsp.lsp.convert import SOURCE, lsp_diagnostic, lsp_range, uri_to_path
from onex_lsp.positions import Range

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

log = logging.getLogger(__name__)
_CONTRACT_NAMES = {"contract.yaml", "contract.yml"}
_SNIFF = re.compile(r"^node_type\s*:", re.MULTILINE)
_SNIFF_VERSION = re.compile(r"^contract_version\s*:", re.MULTILINE)


def is_contract(uri: str, text: str) -> bool:
    """``contract.yaml`` files, and YAML documents that declare an ONEX node_type."""
    name = uri.rsplit("/", 1)[-1]
    if name in _CONTRACT_NAMES:
        return True
    return name.endswith((".yaml", ".yml")) and bool(
        _SNIFF.search(text) and _SNIFF_VERSION.search(text)
    )


@dataclass(frozen=True)
class ParsedDocument:
    uri: str
    version: int | None
    path: Path | None
    result: ContractResult


def parse_document(ls: OnexLanguageServer, uri: str) -> ParsedDocument | None:
    """The parsed contract of an open document, cached per document version."""
    document = ls.workspace.get_text_document(uri)
    text = document.source
    if not is_contract(uri, text):
        return None
    cached = ls.parsed.get(uri)
    if cached is not None and cached.version == document.version and document.version is not None:
        return cached
    path = uri_to_path(uri)
    parsed = ParsedDocument(uri, document.version, path, load_contract(text, str(path or uri)))
    ls.parsed[uri] = parsed
    return parsed


def _drift_diagnostics(parsed: ParsedDocument) -> list[lsp.Diagnostic]:
    contract = parsed.result.contract
    if contract is None or parsed.path is None or parsed.result.errors:
        return []
    if parsed.path.parent.name != contract.package_name:
        return []
    return [
        lsp_diagnostic(
            ContractIssue(
                "missing-handler",
                f"operation '{op.name}' has no handler module "
                f"(handlers/handler_{op.name}.py); a quick fix can add it",
                op.range,
                Severity.WARNING,
            ),
            data={"operation": op.name},
        )
        for op in missing_handlers(contract, parsed.path.parent)
    ]


def publish(ls: OnexLanguageServer, uri: str, extra: list[lsp.Diagnostic] | None = None) -> None:
    parsed = parse_document(ls, uri)
    if parsed is None:
        return
    diagnostics = [lsp_diagnostic(issue) for issue in parsed.result.issues]
    diagnostics += _drift_diagnostics(parsed)
    diagnostics += extra if extra is not None else ls.framework_diagnostics.get(uri, [])
    ls.text_document_publish_diagnostics(
        lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=parsed.version)
    )


def schedule(ls: OnexLanguageServer, uri: str) -> None:
    """Publish after the user pauses typing: one pending run per document."""
    pending = ls.debounce.pop(uri, None)
    if pending is not None:
        pending.cancel()

    async def later() -> None:
        await asyncio.sleep(ls.settings.diagnostics_delay_ms / 1000)
        ls.debounce.pop(uri, None)
        ls.framework_diagnostics.pop(uri, None)  # stale until the next save
        publish(ls, uri)

    ls.debounce[uri] = asyncio.get_running_loop().create_task(later())


def close(ls: OnexLanguageServer, uri: str) -> None:
    pending = ls.debounce.pop(uri, None)
    if pending is not None:
        pending.cancel()
    ls.parsed.pop(uri, None)
    ls.framework_diagnostics.pop(uri, None)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


async def framework_check(ls: OnexLanguageServer, uri: str) -> None:
    """On save: omnibase-core's validator in the configured interpreter, off the event loop."""
    interpreter = ls.settings.validation_interpreter
    parsed = parse_document(ls, uri)
    if interpreter is None or parsed is None or parsed.result.contract is None:
        return
    text = ls.workspace.get_text_document(uri).source
    kind = parsed.result.contract.kind.value
    try:
        verdict = await asyncio.to_thread(validate_with_framework, interpreter, text, kind)
    except FrameworkUnavailable as exc:
        log.warning("%s", exc)
        if interpreter not in ls.broken_interpreters:
            ls.broken_interpreters.add(interpreter)
            ls.notify_user(
                lsp.MessageType.Error,
                f"onex.validationInterpreter: {exc}. Deep contract checks are off until "
                "the setting names a Python with omnibase-core installed.",
            )
        return
    ls.broken_interpreters.discard(interpreter)
    origin = Range.point(0, 0)
    ls.framework_diagnostics[uri] = [
        lsp.Diagnostic(
            range=lsp_range_of_violation(parsed, message, origin),
            message=f"omnibase-core: {message}",
            severity=lsp.DiagnosticSeverity.Error,
            code="framework-violation",
            source=SOURCE,
        )
        for message in verdict.violations
    ]
    publish(ls, uri)


def lsp_range_of_violation(parsed: ParsedDocument, message: str, default: Range) -> lsp.Range:
    """Place a framework violation on the key it names (``bogus: Extra inputs ...``)."""
    contract = parsed.result.contract
    key = message.split(":", 1)[0].strip()
    if contract is not None and key in contract.key_ranges:
        return lsp_range(contract.key_ranges[key])
    return lsp_range(default)
