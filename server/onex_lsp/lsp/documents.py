"""Open contracts: parse on open and change (debounced), publish diagnostics, clear on close.

Parsing runs in a worker thread and is cached per document version. Publishing is one
task per document: the contract's own issues first, then again with the checks that
read the disk (which handlers exist, where the package's modules go), unless the
document changed meanwhile. ``OpenContracts`` owns all of it while a document is open.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp.contract.framework_check import FrameworkUnavailable, validate_with_framework
from onex_lsp.contract.model import ContractResult
from onex_lsp.lsp.convert import SOURCE, TextPositions, lsp_diagnostic, uri_to_path

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
    lines: tuple[str, ...]  # the text parsed, for converting its positions
    result: ContractResult
    strict_model: bool = False  # parsed with the strict-model hints


def parse_text(uri: str, version: int | None, text: str, strict_model: bool) -> ParsedDocument:
    """CPU-bound: run it in a worker thread (which also imports the reader, and YAML, the
    first time: the server starts without them)."""
    from onex_lsp.contract.reader import load_contract

    path = uri_to_path(uri)
    result = load_contract(text, str(path or uri), strict_model=strict_model)
    lines = tuple(text.splitlines(keepends=True))
    return ParsedDocument(uri, version, path, lines, result, strict_model)


class OpenContracts:
    """Per open contract: its parse, its publishing and debounce tasks, the framework's
    verdict since the last save. Entries go when the document closes."""

    def __init__(self) -> None:
        self._parsed: dict[str, ParsedDocument] = {}
        self._parsing: dict[tuple[str, int | None, bool], asyncio.Future[ParsedDocument]] = {}
        self._tasks: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._framework: dict[str, list[lsp.Diagnostic]] = {}
        self._broken_interpreters: set[str] = set()

    def cached(self, uri: str, version: int | None, strict_model: bool) -> ParsedDocument | None:
        """The parse of this version with these settings, if there is one."""
        found = self._parsed.get(uri)
        if found is None or version is None or found.version != version:
            return None
        return found if found.strict_model == strict_model else None

    def parse(
        self, uri: str, version: int | None, text: str, strict_model: bool
    ) -> asyncio.Future[ParsedDocument]:
        """The parse of this version in a worker thread, shared by everyone who asks
        while it runs (diagnostics and learned options ask after the same edit)."""
        key = (uri, version, strict_model)
        running = self._parsing.get(key)
        if running is None:
            work = asyncio.to_thread(parse_text, uri, version, text, strict_model)
            running = self._parsing[key] = asyncio.ensure_future(work)
            running.add_done_callback(lambda _: self._parsing.pop(key, None))
        return asyncio.shield(running)  # a cancelled caller leaves the parse to the others

    def remember(self, parsed: ParsedDocument) -> None:
        self._parsed[parsed.uri] = parsed

    def is_current(self, parsed: ParsedDocument) -> bool:
        return self._parsed.get(parsed.uri) is parsed

    def uris(self) -> list[str]:
        return list(self._parsed)

    def run(self, purpose: str, uri: str, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` for ``uri``, cancelling the previous run of the same purpose."""
        pending = self._tasks.pop((purpose, uri), None)
        if pending is not None:
            pending.cancel()
        task = asyncio.get_running_loop().create_task(work)
        self._tasks[(purpose, uri)] = task
        task.add_done_callback(lambda done: self._finished(purpose, uri, done))

    def _finished(self, purpose: str, uri: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get((purpose, uri)) is task:
            del self._tasks[(purpose, uri)]

    def framework(self, uri: str) -> list[lsp.Diagnostic]:
        return self._framework.get(uri, [])

    def set_framework(self, uri: str, diagnostics: list[lsp.Diagnostic] | None) -> None:
        if diagnostics is None:
            self._framework.pop(uri, None)
        else:
            self._framework[uri] = diagnostics

    def interpreter_failed(self, interpreter: str) -> bool:
        """Remember a broken interpreter; True the first time (tell the user once)."""
        first = interpreter not in self._broken_interpreters
        self._broken_interpreters.add(interpreter)
        return first

    def interpreter_works(self, interpreter: str) -> None:
        self._broken_interpreters.discard(interpreter)

    def close(self, uri: str) -> None:
        for key in [k for k in self._tasks if k[1] == uri]:
            self._tasks.pop(key).cancel()
        self._parsed.pop(uri, None)
        self._framework.pop(uri, None)


async def parse_document(ls: OnexLanguageServer, uri: str) -> ParsedDocument | None:
    """The parsed contract of an open document (``None``: not open or not a contract)."""
    if uri not in ls.workspace.text_documents:
        return None
    document = ls.workspace.get_text_document(uri)
    text, version = document.source, document.version
    if not is_contract(uri, text):
        return None
    cached = ls.documents.cached(uri, version, ls.settings.strict_model)
    if cached is not None:
        return cached
    parsed = await ls.documents.parse(uri, version, text, ls.settings.strict_model)
    if ls.workspace.get_text_document(uri).version == version:
        ls.documents.remember(parsed)
    return parsed


def positions(ls: OnexLanguageServer, parsed: ParsedDocument) -> TextPositions:
    return TextPositions(parsed.lines, ls.workspace.position_codec)


def publish(ls: OnexLanguageServer, uri: str) -> None:
    """Publish the contract's issues now, then again with the package checks."""
    ls.documents.run("publish", uri, _publish(ls, uri))


def publish_all(ls: OnexLanguageServer) -> None:
    for uri in ls.documents.uris():
        publish(ls, uri)


async def _publish(ls: OnexLanguageServer, uri: str) -> None:
    parsed = await parse_document(ls, uri)
    if parsed is None:
        return
    _send(ls, parsed, [])
    try:
        roots = ls.workspace_roots()
        extra = await asyncio.to_thread(_package_issues, parsed, roots)
    except Exception as exc:  # a broken package never breaks diagnostics
        log.warning("could not check the package of %s: %s", uri, exc)
        return
    if extra and ls.documents.is_current(parsed):
        _send(ls, parsed, extra)


def _package_issues(parsed: ParsedDocument, roots: list[Path]) -> list[Any]:
    """Blocking (reads the package; imports generation the first time)."""
    from onex_lsp.lsp import package_checks

    return package_checks.package_issues(parsed.result, parsed.path, roots)


def _send(ls: OnexLanguageServer, parsed: ParsedDocument, extra: list[Any]) -> None:
    where = positions(ls, parsed)
    issues = (*parsed.result.issues, *extra)
    diagnostics = [lsp_diagnostic(i, where, data=i.data) for i in issues]
    diagnostics += ls.documents.framework(parsed.uri)
    ls.text_document_publish_diagnostics(
        lsp.PublishDiagnosticsParams(
            uri=parsed.uri, diagnostics=diagnostics, version=parsed.version
        )
    )


def schedule(ls: OnexLanguageServer, uri: str) -> None:
    """Publish after the user pauses typing: one pending run per document."""

    async def later() -> None:
        await asyncio.sleep(ls.settings.diagnostics_delay_ms / 1000)
        ls.documents.set_framework(uri, None)  # stale until the next save
        publish(ls, uri)

    ls.documents.run("debounce", uri, later())


def close(ls: OnexLanguageServer, uri: str) -> None:
    ls.documents.close(uri)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


async def framework_check(ls: OnexLanguageServer, uri: str) -> None:
    """On save: omnibase-core's validator in the configured interpreter, off the event loop."""
    interpreter = ls.settings.validation_interpreter
    parsed = await parse_document(ls, uri)
    if interpreter is None or parsed is None or parsed.result.contract is None:
        return
    kind = parsed.result.contract.kind.value
    text = "".join(parsed.lines)
    try:
        verdict = await asyncio.to_thread(validate_with_framework, interpreter, text, kind)
    except FrameworkUnavailable as exc:
        log.warning("%s", exc)
        if ls.documents.interpreter_failed(interpreter):
            ls.notify_user(
                lsp.MessageType.Error,
                f"onex.validationInterpreter: {exc}. Deep contract checks are off until "
                "the setting names a Python with omnibase-core installed.",
            )
        return
    ls.documents.interpreter_works(interpreter)
    where = positions(ls, parsed)
    ls.documents.set_framework(
        uri, [_violation(parsed, where, message) for message in verdict.violations]
    )
    publish(ls, uri)


def _violation(parsed: ParsedDocument, where: TextPositions, message: str) -> lsp.Diagnostic:
    """A framework violation, placed on the key it names (``bogus: Extra inputs ...``)."""
    contract = parsed.result.contract
    key = message.split(":", 1)[0].strip()
    found = contract.key_ranges.get(key) if contract is not None else None
    rng = (
        where.lsp_range(found)
        if found is not None
        else lsp.Range(
            start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)
        )
    )
    return lsp.Diagnostic(
        range=rng,
        message=f"omnibase-core: {message}",
        severity=lsp.DiagnosticSeverity.Error,
        code="framework-violation",
        source=SOURCE,
    )
