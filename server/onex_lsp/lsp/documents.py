"""Open contracts: parse on open and change (debounced), publish diagnostics, clear on close.

Parsing a contract is pure and fast (it is capped in size, depth and operations); the
checks that read the disk — which handlers of the package exist, where its modules go —
run in a worker thread, and their result is published only if the document has not
changed meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from onex_lsp.contract.framework_check import FrameworkUnavailable, validate_with_framework
from onex_lsp.contract.model import Contract, ContractIssue, ContractResult, Severity
from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.code_drift import name_drift
from onex_lsp.generation.drift import missing_handlers
from onex_lsp.lsp import packages
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
    result = load_contract(text, str(path or uri), strict_model=ls.settings.strict_model)
    parsed = ParsedDocument(uri, document.version, path, result)
    ls.parsed[uri] = parsed
    return parsed


def package_issues(parsed: ParsedDocument, roots: list[Path]) -> list[ContractIssue]:
    """Blocking: where the package's modules go, and which handlers it lacks."""
    contract = parsed.result.contract
    if contract is None or parsed.path is None or not parsed.result.generatable:
        return []
    state = packages.package_state(contract, packages.location(parsed.path, roots))
    issues = _drift_issues(contract, state)
    issues += [
        ContractIssue(
            note.code, note.message, note.range,
            Severity.WARNING if note.warning else Severity.INFO, data=note.data or None,
        )
        for note in state.plan.notes
    ]  # fmt: skip
    operations = {op.name: op for op in contract.operations}
    for name in missing_handlers(state.plan, state.present()):
        target = state.plan.handler_for(name)
        issues.append(
            ContractIssue(
                "missing-handler",
                f"operation '{name}' has no handler ({target.module.path} is missing); "
                "a quick fix can add it",
                operations[name].range,
                Severity.WARNING,
                data={"operation": name},
            )
        )
    return issues


def _drift_issues(contract: Contract, state: packages.PackageState) -> list[ContractIssue]:
    issues = []
    for drift in name_drift(contract, state.plan, state.existing):
        defines = ", ".join(drift.defined) or "no handler"
        data = {"operation": drift.operation, "declared": drift.declared}
        if drift.replacement:
            data["replacement"] = drift.replacement
        issues.append(
            ContractIssue(
                "handler-name-drift",
                f"{drift.module} does not define {drift.declared}, which the contract routes "
                f"'{drift.operation}' to (it defines {defines})",
                drift.range, Severity.WARNING, data=data,
            )
        )  # fmt: skip
    return issues


def publish(ls: OnexLanguageServer, uri: str) -> None:
    """Publish the contract's issues now, then again with the package checks (off the loop)."""
    parsed = parse_document(ls, uri)
    if parsed is None:
        return
    _send(ls, parsed, [])
    pending = ls.package_checks.pop(uri, None)
    if pending is not None:
        pending.cancel()
    ls.package_checks[uri] = asyncio.get_running_loop().create_task(_check_package(ls, parsed))


async def _check_package(ls: OnexLanguageServer, parsed: ParsedDocument) -> None:
    try:
        extra = await asyncio.to_thread(package_issues, parsed, ls.workspace_roots())
    except Exception as exc:  # a broken package never breaks diagnostics
        log.warning("could not check the package of %s: %s", parsed.uri, exc)
        return
    finally:
        ls.package_checks.pop(parsed.uri, None)
    current = ls.parsed.get(parsed.uri)
    if current is parsed and extra:
        _send(ls, parsed, extra)


def _send(ls: OnexLanguageServer, parsed: ParsedDocument, extra: list[ContractIssue]) -> None:
    diagnostics = [lsp_diagnostic(i, data=i.data) for i in (*parsed.result.issues, *extra)]
    diagnostics += ls.framework_diagnostics.get(parsed.uri, [])
    ls.text_document_publish_diagnostics(
        lsp.PublishDiagnosticsParams(
            uri=parsed.uri, diagnostics=diagnostics, version=parsed.version
        )
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
    for tasks in (ls.debounce, ls.package_checks):
        pending = tasks.pop(uri, None)
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
