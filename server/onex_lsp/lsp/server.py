"""``OnexLanguageServer``: the session's owners, and ``create_server()`` wiring the LSP
methods of ``handlers.py`` to it.

The server holds a few typed parts, each owning its state: ``documents`` (open
contracts), ``suggestions`` (offered actions), ``learning`` (the pattern library),
``offers`` (each open contract's learned options, computed in the background),
``gates`` (the replay gate's verdicts on them) and ``feedback`` (applied blocks and
pattern stats). Journal writes of learning and
feedback share one writer thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import cattrs
from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter

from onex_lsp import __version__
from onex_lsp.feedback.restore import RESTORE_EVENTS
from onex_lsp.feedback.stats import FEEDBACK_EVENTS
from onex_lsp.learning.journal_writer import JournalWriter
from onex_lsp.lsp.capabilities import ClientSupport
from onex_lsp.lsp.convert import path_to_uri, uri_to_path
from onex_lsp.lsp.documents import OpenContracts
from onex_lsp.lsp.feedback_session import (
    FeedbackSession,
    checkpoint,
    restorable,
    run_checkpoints,
)
from onex_lsp.lsp.generation_report import PendingReports
from onex_lsp.lsp.learned_offers import LearnedOffers
from onex_lsp.lsp.learning_session import LearningSession
from onex_lsp.lsp.log import ClientLogHandler
from onex_lsp.lsp.replay_gates import ReplayGates
from onex_lsp.lsp.status import STATUS_NOTIFICATION, Facts, StatusReporter, state_of_progress
from onex_lsp.lsp.suggestions import SuggestionRegistry
from onex_lsp.lsp.update_conflicts import ConflictMarkers
from onex_lsp.settings import NotificationLevel, Settings

log = logging.getLogger(__name__)
_MESSAGE_LEVELS = {
    lsp.MessageType.Error: NotificationLevel.ERROR,
    lsp.MessageType.Warning: NotificationLevel.WARNING,
    lsp.MessageType.Info: NotificationLevel.INFO,
    lsp.MessageType.Log: NotificationLevel.INFO,
}


def _converter() -> cattrs.Converter:
    """pygls' converter, tolerating a ``null`` (or any non-list) answer to
    ``workspace/configuration``: pygls cannot structure it and the request would never
    complete (``initialized`` waited forever). It reads as "no configuration"."""
    converter: cattrs.Converter = default_converter()  # type: ignore[no-untyped-call]
    structure = converter.get_structure_hook(lsp.ConfigurationResponse)

    def tolerant(data: Any, cls: type) -> lsp.ConfigurationResponse:
        if isinstance(data, dict) and not isinstance(data.get("result"), list):
            data = {**data, "result": []}
        return structure(data, cls)  # type: ignore[no-any-return]

    converter.register_structure_hook(lsp.ConfigurationResponse, tolerant)
    return converter


class _Protocol(LanguageServerProtocol):
    """pygls 2.1 files the future of every notification handled by a coroutine or a
    generator (didChange, didOpen, didSave, ...) among the request futures, and only a
    request's callback takes it out again: ~2 KB kept per notification, for good
    (200 MB after 100,000 keystrokes). After each message, the futures that are done go.
    (A request's done future is safe to drop: its callback answers from the future
    itself; ``$/cancelRequest`` has nothing left to cancel.)"""

    last_message_at = 0.0  # time.monotonic() of the editor's last message

    def handle_message(self, message: Any) -> None:
        self.last_message_at = time.monotonic()
        super().handle_message(message)
        done = [key for key, future in self._request_futures.items() if future.done()]
        for key in done:
            del self._request_futures[key]


# The messages of the first requests after a start: cattrs generates each type's hooks on
# first use (~40 ms CPU of the first generate resolve); the warm-up generates them first.
WIRE_METHODS = (
    lsp.TEXT_DOCUMENT_DID_OPEN,
    lsp.TEXT_DOCUMENT_DID_CHANGE,
    lsp.TEXT_DOCUMENT_DID_SAVE,
    lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CODE_ACTION_RESOLVE,
    lsp.TEXT_DOCUMENT_CODE_LENS,
    lsp.TEXT_DOCUMENT_HOVER,
    lsp.WORKSPACE_EXECUTE_COMMAND,
    lsp.WINDOW_WORK_DONE_PROGRESS_CREATE,
    lsp.PROGRESS,
    lsp.WINDOW_LOG_MESSAGE,
)


class OnexLanguageServer(LanguageServer):
    def __init__(self) -> None:
        self._wire = _converter()
        super().__init__(
            "onex-lsp", __version__, protocol_cls=_Protocol, converter_factory=self.wire
        )
        self.settings = Settings()
        self.initial_settings: dict[str, Any] = {}
        self.support = ClientSupport(False, False, False, False, False)
        self.log_handler = ClientLogHandler(self)
        journal = JournalWriter()
        self.documents = OpenContracts()
        self.conflicts = ConflictMarkers()  # blocks an update left in Python files
        self.suggestions = SuggestionRegistry()
        self.learning = LearningSession(journal, self.quiet_for)
        self.offers = LearnedOffers()
        self.gates = ReplayGates()  # verdicts on learned blocks for new contracts
        self.feedback = FeedbackSession(journal)
        self.reports = PendingReports()  # what a resolved generate action will have written
        self.status = StatusReporter(self._send_status, self._status_facts)
        self._checkpoints: asyncio.Task[None] | None = None
        self._warm_up: asyncio.Task[None] | None = None
        self.started = False  # sessions opened: from now on some settings need a restart

    def warm_up(self, load: Callable[[], None]) -> None:
        """Load what requests will need (``load``, blocking) in a worker thread, once
        ``initialize`` is answered; a request that comes first loads its part itself."""

        async def run() -> None:
            try:
                await asyncio.to_thread(load)
                await asyncio.to_thread(self.prepare_wire)
            except Exception as exc:  # the request that needs it will say more
                log.warning("loading the server's features failed: %s", exc)

        self._warm_up = asyncio.get_running_loop().create_task(run())

    def wire(self) -> cattrs.Converter:
        """The converter of the server's messages (pygls' and ``_converter``'s hooks)."""
        return self._wire

    def prepare_wire(self) -> None:
        """Blocking: generate the converter's hooks for the first requests' messages."""
        for method in WIRE_METHODS:
            for message in lsp.METHOD_TO_TYPES[method][:2]:
                if message is not None:
                    self._wire.get_structure_hook(message)
                    self._wire.get_unstructure_hook(message)

    async def start_sessions(self) -> None:
        """Open the library, then pick up the feedback stats and the blocks an earlier
        session was following (all reading off the loop), then start the checkpoints."""
        roots = self.workspace_roots()
        await self.learning.start(
            self.settings, roots[0] if roots else None, self.reporting_progress
        )
        wanted = FEEDBACK_EVENTS | RESTORE_EVENTS  # not one ``learned`` event per block
        events = await asyncio.to_thread(self.learning.journal_events, wanted)
        self.feedback.load_stats(events)
        restored = self.feedback.resume(await asyncio.to_thread(restorable, events))
        if restored:
            log.info("following %d block(s) applied in an earlier session", restored)
        await checkpoint(self.feedback)
        self._checkpoints = asyncio.get_running_loop().create_task(run_checkpoints(self.feedback))
        self.started = True
        self.status.started()

    def _send_status(self, payload: dict[str, Any]) -> None:
        if self.log_handler.ready:  # the client is initialized
            self.protocol.notify(STATUS_NOTIFICATION, payload)

    def _status_facts(self) -> Facts:
        learning = self.learning
        return Facts(learning.embedder_id, learning.store_description, self.settings.learning)

    def quiet_for(self) -> float:
        """Seconds since the editor's last message (background work waits for quiet)."""
        protocol = self.protocol
        return time.monotonic() - getattr(protocol, "last_message_at", 0.0)

    async def stop_sessions(self) -> None:
        """Measure what is due, write what is queued, close the library."""
        if self._checkpoints is not None:
            self._checkpoints.cancel()
        await checkpoint(self.feedback)
        await self.learning.stop()

    def notify_user(self, kind: lsp.MessageType, message: str) -> None:
        """``window/showMessage`` for what the user must act on, filtered by the setting."""
        log.log(logging.ERROR if kind == lsp.MessageType.Error else logging.WARNING, "%s", message)
        if self.settings.notification_level.allows(_MESSAGE_LEVELS[kind]):
            self.window_show_message(lsp.ShowMessageParams(type=kind, message=message))

    def workspace_roots(self) -> list[Path]:
        """The workspace folders as the client names them (resolved in worker threads)."""
        roots = [uri_to_path(f.uri) for f in self.workspace.folders.values()]
        if not roots and self.workspace.root_uri:
            roots = [uri_to_path(self.workspace.root_uri)]
        return [r for r in roots if r is not None]

    async def show(self, path: Path) -> None:
        if self.support.show_document:
            await self.window_show_document_async(
                lsp.ShowDocumentParams(uri=path_to_uri(path), take_focus=True)
            )

    @contextlib.asynccontextmanager
    async def reporting_progress(self, title: str) -> AsyncIterator[None]:
        """``$/progress`` begin/end around long work, when the client shows progress."""
        token = ""
        if self.support.work_done_progress:
            token = f"onex-{uuid.uuid4().hex}"
            try:
                await self.work_done_progress.create_async(token)
            except Exception:
                token = ""
        if token:
            begin = lsp.WorkDoneProgressBegin(title=title, cancellable=False)
            self.work_done_progress.begin(token, begin)
        try:
            with self.status.busy(state_of_progress(title)):
                yield
        finally:
            if token:
                self.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message="done"))
                # pygls keeps every token's future otherwise (its issue #607)
                self.work_done_progress.tokens.pop(token, None)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Failures outside a request go to the log; a popup per crash helps nobody."""
        log.error(
            "internal error (%s): %s", getattr(source, "__name__", source), error, exc_info=error
        )


def create_server() -> OnexLanguageServer:
    from onex_lsp.lsp import handlers  # imports this module: pygls reads handlers' hints

    server = OnexLanguageServer()
    for method, handler, options in handlers.FEATURES:
        server.feature(method, options)(handler)
    for name, command in handlers.COMMANDS:
        server.command(name)(command)
    return server
