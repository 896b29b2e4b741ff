"""Python logging forwarded to ``window/logMessage`` (held until the client is ready).

stdout is the protocol channel, so nothing else may write there; log records go to the
client's output panel, and to stderr before initialisation and after exit.
"""

from __future__ import annotations

import logging
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


class ClientLogHandler(logging.Handler):
    def __init__(self, server: OnexLanguageServer) -> None:
        super().__init__(logging.INFO)
        self.server = server
        self.pending: list[logging.LogRecord] = []
        self.ready = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.ready:
            self.pending.append(record)
            return
        self._send(record)

    def _send(self, record: logging.LogRecord) -> None:
        level = max((lvl for lvl in _LEVELS if lvl <= record.levelno), default=logging.DEBUG)
        try:
            self.server.window_log_message(
                lsp.LogMessageParams(type=_LEVELS[level], message=self.format(record))
            )
        except Exception:
            self.handleError(record)

    def flush_pending(self) -> None:
        self.ready = True
        pending, self.pending = self.pending, []
        for record in pending:
            self._send(record)
