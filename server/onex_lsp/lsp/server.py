"""``OnexLanguageServer`` and ``create_server()``: wiring LSP methods to thin handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from onex_lsp import __version__
from onex_lsp.feedback.stats import PatternStats
from onex_lsp.feedback.tracker import FeedbackTracker
from onex_lsp.learning.library import PatternLibrary
from onex_lsp.lsp import (
    code_actions,
    commands,
    documents,
    feedback_features,
    hover,
    learning_features,
)
from onex_lsp.lsp.capabilities import ClientSupport, client_support
from onex_lsp.lsp.convert import path_to_uri, uri_to_path
from onex_lsp.lsp.log import ClientLogHandler
from onex_lsp.lsp.suggestions import (
    ADD_HANDLER_KIND,
    GENERATE_NODE_KIND,
    INSERT_PATTERN_KIND,
    SuggestionLog,
)
from onex_lsp.settings import NotificationLevel, Settings, parse_settings

log = logging.getLogger(__name__)
_MESSAGE_LEVELS = {
    lsp.MessageType.Error: NotificationLevel.ERROR,
    lsp.MessageType.Warning: NotificationLevel.WARNING,
    lsp.MessageType.Info: NotificationLevel.INFO,
    lsp.MessageType.Log: NotificationLevel.INFO,
}


class OnexLanguageServer(LanguageServer):
    """Holds the per-session state; every feature lives in a module of its own."""

    def __init__(self) -> None:
        super().__init__("onex-lsp", __version__)
        self.settings = Settings()
        self.support = ClientSupport(False, False, False, False, False, False)
        self.suggestions = SuggestionLog()
        self.parsed: dict[str, documents.ParsedDocument] = {}
        self.debounce: dict[str, asyncio.Task[None]] = {}
        self.package_checks: dict[str, asyncio.Task[None]] = {}
        self.framework_diagnostics: dict[str, list[lsp.Diagnostic]] = {}
        self.broken_interpreters: set[str] = set()
        self.log_handler = ClientLogHandler(self)
        self.initial_settings: dict[str, Any] = {}
        self.library: PatternLibrary | None = None
        self.model_task: asyncio.Task[None] | None = None
        self.accepted: dict[Path, str] = {}  # applied suggestions' files, learned on save
        self.suggestion_targets: dict[str, Path] = {}  # suggestion id -> what it creates
        # Feedback: the blocks applied suggestions created, followed through edits.
        self.tracker = FeedbackTracker(clock=time.time)
        self.tracked_text: dict[str, str] = {}
        self.suggestion_blocks: dict[str, list[tuple[Path, str, str, str, str]]] = {}
        self.stats_cache: dict[str, PatternStats] | None = None
        self.checkpoint_task: asyncio.Task[None] | None = None
        self.shown_recorded: set[tuple[str, int | None, str]] = set()
        self.learn_lock = asyncio.Lock()

    def apply_settings(self, raw: Any, *, initial: bool = False) -> None:
        """Settings from initializationOptions (``initial``) or later configuration, which
        overlays them key by key: a client that answers ``{}`` changes nothing."""
        if isinstance(raw, dict) and isinstance(raw.get("onex"), dict):
            raw = raw["onex"]
        if initial:
            self.initial_settings = raw if isinstance(raw, dict) else {}
        elif isinstance(raw, dict):
            raw = _overlay(self.initial_settings, raw)
        settings, problems = parse_settings(raw)
        self.settings = settings
        for problem in problems:
            log.warning("%s", problem)
        if problems:
            self.notify_user(lsp.MessageType.Warning, "ONEX settings: " + "; ".join(problems))

    def notify_user(self, kind: lsp.MessageType, message: str) -> None:
        """``window/showMessage`` for what the user must act on, filtered by the setting."""
        log.log(logging.ERROR if kind == lsp.MessageType.Error else logging.WARNING, "%s", message)
        if self.settings.notification_level.allows(_MESSAGE_LEVELS[kind]):
            self.window_show_message(lsp.ShowMessageParams(type=kind, message=message))

    def workspace_roots(self) -> list[Path]:
        roots = [uri_to_path(f.uri) for f in self.workspace.folders.values()]
        if not roots and self.workspace.root_uri:
            roots = [uri_to_path(self.workspace.root_uri)]
        return [r.resolve() for r in roots if r is not None]

    async def show(self, path: Path) -> None:
        if self.support.show_document:
            await self.window_show_document_async(
                lsp.ShowDocumentParams(uri=path_to_uri(path), take_focus=True)
            )

    @contextlib.asynccontextmanager
    async def reporting_progress(self, title: str) -> AsyncIterator[None]:
        """``$/progress`` begin/end around long work, when the client shows progress."""
        token = f"onex-{uuid.uuid4().hex}"
        if self.support.work_done_progress:
            try:
                await self.work_done_progress.create_async(token)
            except Exception:
                token = ""
        else:
            token = ""
        if token:
            self.work_done_progress.begin(
                token, lsp.WorkDoneProgressBegin(title=title, cancellable=False)
            )
        try:
            yield
        finally:
            if token:
                self.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message="done"))

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Failures outside a request go to the log; a popup per crash helps nobody."""
        log.error(
            "internal error (%s): %s", getattr(source, "__name__", source), error, exc_info=error
        )


def create_server() -> OnexLanguageServer:
    server = OnexLanguageServer()

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: OnexLanguageServer, params: lsp.InitializeParams) -> None:
        ls.support = client_support(params.capabilities)
        ls.apply_settings(params.initialization_options, initial=True)

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: OnexLanguageServer, params: lsp.InitializedParams) -> None:
        ls.log_handler.flush_pending()
        log.info("onex-lsp %s ready (client support: %s)", __version__, ls.support)
        await pull_configuration(ls)
        await learning_features.start(ls)
        ls.tracker.checkpoints = ls.settings.feedback.checkpoints
        restored = feedback_features.restore(ls)
        if restored:
            log.info("following %d block(s) applied in an earlier session", restored)
        ls.checkpoint_task = asyncio.get_running_loop().create_task(
            feedback_features.run_checkpoints(ls)
        )

    @server.feature(lsp.SHUTDOWN)
    async def shutdown(ls: OnexLanguageServer, params: None) -> None:
        if ls.checkpoint_task is not None:
            ls.checkpoint_task.cancel()
        feedback_features.tick(ls)
        await learning_features.stop(ls)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: OnexLanguageServer, params: lsp.DidChangeConfigurationParams
    ) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("onex"), dict):
            ls.apply_settings(settings["onex"])
        else:
            await pull_configuration(ls)
        for uri in list(ls.parsed):
            documents.publish(ls, uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: OnexLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        documents.publish(ls, params.text_document.uri)
        feedback_features.did_open(ls, params.text_document.uri, params.text_document.text)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: OnexLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        documents.schedule(ls, params.text_document.uri)
        feedback_features.did_change(ls, params)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: OnexLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        documents.publish(ls, params.text_document.uri)
        await learning_features.did_save(ls, params.text_document.uri)
        await documents.framework_check(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: OnexLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        documents.close(ls, params.text_document.uri)
        feedback_features.did_close(ls, params.text_document.uri)

    python_files = lsp.FileOperationRegistrationOptions(
        filters=[lsp.FileOperationFilter(pattern=lsp.FileOperationPattern(glob="**/*.py"))]
    )

    @server.feature(lsp.WORKSPACE_DID_DELETE_FILES, python_files)
    def did_delete_files(ls: OnexLanguageServer, params: lsp.DeleteFilesParams) -> None:
        feedback_features.files_deleted(ls, [f.uri for f in params.files])

    @server.feature(lsp.WORKSPACE_DID_RENAME_FILES, python_files)
    def did_rename_files(ls: OnexLanguageServer, params: lsp.RenameFilesParams) -> None:
        feedback_features.files_renamed(ls, [(f.old_uri, f.new_uri) for f in params.files])

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def text_document_hover(ls: OnexLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
        return hover.hover(ls, params)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(
            code_action_kinds=[GENERATE_NODE_KIND, ADD_HANDLER_KIND, INSERT_PATTERN_KIND],
            resolve_provider=True,
        ),
    )
    async def code_action(
        ls: OnexLanguageServer, params: lsp.CodeActionParams
    ) -> list[lsp.CodeAction]:
        return await code_actions.provide(ls, params)

    @server.feature(lsp.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: OnexLanguageServer, action: lsp.CodeAction) -> lsp.CodeAction:
        return await code_actions.resolve(ls, action)

    @server.command("onex.generateNode")
    async def generate_node(
        ls: OnexLanguageServer, uri: str, suggestion_id: str | None = None, variant: str = "default"
    ) -> dict[str, Any]:
        return await commands.generate_node(ls, uri, suggestion_id, variant)

    @server.command("onex.addHandler")
    async def add_handler(
        ls: OnexLanguageServer, uri: str, operation: str, suggestion_id: str | None = None
    ) -> dict[str, Any]:
        return await commands.add_handler(ls, uri, operation, suggestion_id)

    @server.command("onex.suggestionApplied")
    def suggestion_applied(
        ls: OnexLanguageServer, suggestion_id: str, *rest: Any
    ) -> dict[str, Any]:
        return commands.suggestion_applied(ls, suggestion_id, *rest)

    @server.command("onex.showDetectedPatterns")
    def show_detected_patterns(ls: OnexLanguageServer, uri: str) -> dict[str, Any]:
        return commands.show_detected_patterns(ls, uri)

    return server


def _overlay(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _overlay(merged[key], value)
        else:
            merged[key] = value
    return merged


async def pull_configuration(ls: OnexLanguageServer) -> None:
    if not ls.support.configuration:
        return
    try:
        result = await ls.workspace_configuration_async(
            lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="onex")])
        )
    except Exception as exc:
        log.warning("workspace/configuration failed: %s", exc)
        return
    if result and isinstance(result[0], dict):
        ls.apply_settings(result[0])
