"""One line per log record in an editor's output: once the client takes our records
(``window/logMessage``), stderr (which VS Code also shows) keeps only other libraries'."""

from __future__ import annotations

import logging
from typing import Any, cast

from onex_lsp.lsp.log import ClientLogHandler, UntilClientReady


def _record(name: str) -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, "message", None, None)


def test_stderr_keeps_our_records_only_until_the_client_takes_them() -> None:
    client = ClientLogHandler(cast(Any, None))  # no server: nothing is sent in this test
    only = UntilClientReady(client)
    ours, theirs = _record("onex_lsp.lsp.server"), _record("pygls.protocol.json_rpc")
    assert only.filter(ours) and only.filter(theirs)  # before initialized: stderr has all
    client.ready = True
    assert not only.filter(ours)  # the client shows it (window/logMessage)
    assert only.filter(theirs)
