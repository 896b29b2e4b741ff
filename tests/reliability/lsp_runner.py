"""The real server over stdio, driven from synchronous (hypothesis) tests.

pytest-lsp's client runs on an event loop in a thread of its own; each fuzz input is a
coroutine submitted to it. Every request is bounded (``HANG_SECONDS``); an answer that
is a JSON-RPC InternalError, a server that logs an internal error, or a server process
that exits are counted and fail the input. A dead server is restarted, so hypothesis can
keep shrinking a crashing input.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import tempfile
import threading
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient, make_test_lsp_client

from tests.e2e.lsp_client import SERVER_COMMAND, fix_code_action_parsing, initialize, uri

HANG_SECONDS = 5.0  # no request may take longer than this, whatever the input
INTERNAL_ERROR = -32603
OPTIONS = {"onex": {"diagnosticsDelayMs": 10, "embedder": "hashing"}}
T = TypeVar("T")


@dataclass
class FuzzCounts:
    """What a fuzz run saw, written to the report file at the end."""

    inputs: int = 0
    requests: int = 0
    crashes: int = 0
    hangs: int = 0
    internal_errors: int = 0
    diagnostics: int = 0
    generated_packages: int = 0
    generated_files: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")


class Problem(AssertionError):
    """An input made the server crash, hang or answer with an internal error."""


class LspRunner:
    """One server for many inputs; ``call`` runs a coroutine on the client's loop."""

    def __init__(
        self,
        workspace: Path,
        counts: FuzzCounts,
        options: dict[str, Any] | None = None,
        setup: Callable[[LanguageClient], None] | None = None,  # before the handshake
        data_dir: Path | None = None,
    ) -> None:
        self.workspace = workspace
        self.options = OPTIONS if options is None else options
        self.setup = setup
        self.counts = counts
        self.published: dict[str, tuple[int | None, list[lsp.Diagnostic]]] = {}
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.data_dir = str(data_dir or tempfile.mkdtemp(prefix="onex-lsp-fuzz-data-"))
        self.client: LanguageClient = self.call(self._start(), timeout=120)

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _start(self) -> LanguageClient:
        client = make_test_lsp_client()
        client.report_server_error = self._server_error  # type: ignore[method-assign]

        features = client.protocol.fm.features
        stored = features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

        def published(params: lsp.PublishDiagnosticsParams) -> None:
            stored(params)  # pytest-lsp keeps the diagnostics; we also need the version
            self.published[params.uri] = (params.version, list(params.diagnostics))

        features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = published

        if self.setup is not None:
            self.setup(client)
        env = {**os.environ, "ONEX_LSP_DATA_DIR": self.data_dir}
        await client.start_io(*SERVER_COMMAND, env=env)
        fix_code_action_parsing(client)
        await initialize(client, "visual-studio-code", self.workspace, self.options)
        return client

    def _server_error(self, error: Exception, source: Any) -> None:
        self.counts.failures.append(f"client-side error: {source}: {error}")

    def alive(self) -> bool:
        server = getattr(self.client, "_server", None)
        return server is not None and server.returncode is None

    def restart(self) -> None:
        self.counts.crashes += 1
        self.client = self.call(self._start(), timeout=120)

    def internal_error_logs(self) -> list[str]:
        return [m.message for m in self.client.log_messages if "internal error (" in m.message]

    async def request(self, name: str, awaitable: Coroutine[Any, Any, T]) -> T:
        """One request, bounded; a hang or an InternalError answer is a ``Problem``."""
        self.counts.requests += 1
        try:
            return await asyncio.wait_for(awaitable, HANG_SECONDS)
        except TimeoutError as exc:
            self.counts.hangs += 1
            raise Problem(f"{name} took longer than {HANG_SECONDS} s") from exc
        except JsonRpcException as exc:
            if getattr(exc, "code", None) == INTERNAL_ERROR:
                self.counts.internal_errors += 1
                raise Problem(f"{name} answered InternalError: {exc}") from exc
            raise

    async def diagnostics_for(self, doc_uri: str, version: int) -> list[lsp.Diagnostic]:
        """The diagnostics published for this version of the document (bounded)."""
        deadline = self.loop.time() + HANG_SECONDS
        while self.published.get(doc_uri, (None, []))[0] != version:
            if self.loop.time() > deadline:
                self.counts.hangs += 1
                raise Problem(f"no diagnostics for version {version} within {HANG_SECONDS} s")
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.02)  # a second publish (package checks) may follow at once
        return self.published[doc_uri][1]

    def stop(self) -> None:
        try:
            self.call(self._stop(), timeout=60)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)

    async def _stop(self) -> None:
        if self.alive():
            await self.client.shutdown_session()
        await self.client.stop()


def open_text(client: LanguageClient, path: Path, text: str, language: str) -> str:
    doc_uri = uri(path)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=doc_uri, language_id=language, version=1, text=text
            )
        )
    )
    return doc_uri


def change_text(client: LanguageClient, doc_uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=doc_uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def close_text(client: LanguageClient, doc_uri: str) -> None:
    client.text_document_did_close(
        lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=doc_uri))
    )


def files_of(edit: lsp.WorkspaceEdit | None) -> dict[str, str]:
    """The files a generate action's edit creates (each is created empty, then filled by
    one text edit), by URI, with their text."""
    files: dict[str, str] = {}
    for change in (edit.document_changes or []) if edit else []:
        if isinstance(change, lsp.TextDocumentEdit):
            files[change.text_document.uri] = "".join(e.new_text for e in change.edits)
    return files


def python_files_of(edit: lsp.WorkspaceEdit | None) -> dict[str, str]:
    return {name: text for name, text in files_of(edit).items() if name.endswith(".py")}


def unparsable(files: dict[str, str]) -> list[str]:
    broken = []
    for name, text in files.items():
        try:
            ast.parse(text)
        except SyntaxError as exc:
            broken.append(f"{name}:{exc.lineno}: {exc.msg}")
    return broken
