"""Every end-to-end test also proves the server kept disk I/O off its event loop."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_lsp import LanguageClient

from onex_lsp.loop_guard import MARKER


def blocking_reports(client: LanguageClient) -> list[str]:
    """The server's log lines saying disk I/O ran on its event loop (loop_guard.py)."""
    return [m.message for m in client.log_messages if MARKER in m.message]


@pytest.fixture(autouse=True)
def no_blocking_io_on_the_loop(request: pytest.FixtureRequest) -> Iterator[None]:
    client = request.getfixturevalue("client") if "client" in request.fixturenames else None
    yield
    if isinstance(client, LanguageClient):
        assert blocking_reports(client) == []
