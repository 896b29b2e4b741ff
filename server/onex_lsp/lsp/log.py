"""Python logging forwarded to ``window/logMessage`` (held until the client is ready).

stdout is the protocol channel, so nothing else may write there; log records go to the
client's output panel, and to stderr before initialisation and after exit. Records from
worker threads are handed to the event loop: the transport is not thread-safe.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

_LEVELS = {
    logging.ERROR: lsp.MessageType.Error,
    logging.WARNING: lsp.MessageType.Warning,
    logging.INFO: lsp.MessageType.Info,
    logging.DEBUG: lsp.MessageType.Log,
}


PENDING_LIMIT = 1000  # records held before the client is ready; the oldest go first


class ClientLogHandler(logging.Handler):
    def __init__(self, server: OnexLanguageServer) -> None:
        super().__init__(logging.INFO)
        self.server = server
        self.pending: deque[logging.LogRecord] = deque(maxlen=PENDING_LIMIT)
        self.ready = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if not self.ready:
            self.pending.append(record)
            return
        loop = self._loop
        if loop is None or _running_loop() is loop:
            self._send(record)
        elif not loop.is_closed():
            loop.call_soon_threadsafe(self._send, record)

    def _send(self, record: logging.LogRecord) -> None:
        level = max((lvl for lvl in _LEVELS if lvl <= record.levelno), default=logging.DEBUG)
        try:
            self.server.window_log_message(
                lsp.LogMessageParams(type=_LEVELS[level], message=self.format(record))
            )
        except Exception:
            self.handleError(record)

    def flush_pending(self) -> None:
        """Called on the event loop once the client is ready: send what was held."""
        self._loop = _running_loop()
        self.ready = True
        while self.pending:
            self._send(self.pending.popleft())


class UntilClientReady(logging.Filter):
    """For the stderr handler: once the client takes our records (``window/logMessage``),
    stderr keeps only other libraries' — a client that shows both (VS Code's output
    channel does) gets one line per record."""

    def __init__(self, client: ClientLogHandler) -> None:
        super().__init__()
        self.client = client

    def filter(self, record: logging.LogRecord) -> bool:
        return not (self.client.ready and record.name.startswith("onex_lsp"))


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
