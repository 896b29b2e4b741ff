"""The server's wire: a progress token is forgotten once its progress ends (pygls 2.1
kept each token's future for the server's lifetime: one per generate resolve, its issue
#607), and the warm-up prepares the messages of the first requests."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

from onex_lsp.lsp.server import create_server


class Sink:
    """The client's end of the stream: what the server wrote, as JSON messages."""

    def __init__(self) -> None:
        self.written: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        body = data.split(b"\r\n\r\n", 1)[-1]
        self.written.append(json.loads(body))

    def close(self) -> None:
        pass


async def test_a_progress_token_is_dropped_when_its_progress_ends() -> None:
    server = create_server()
    protocol = server.protocol
    sink = Sink()
    protocol.set_writer(sink)
    server.support = replace(server.support, work_done_progress=True)  # the client shows progress

    async def work() -> None:
        async with server.reporting_progress("Generating"):
            await asyncio.sleep(0)

    running = asyncio.ensure_future(work())
    for _ in range(100):  # until the server asks the client to create the token
        await asyncio.sleep(0.01)
        if any(m.get("method") == "window/workDoneProgress/create" for m in sink.written):
            break
    (create,) = [m for m in sink.written if m.get("method") == "window/workDoneProgress/create"]
    answer = {"jsonrpc": "2.0", "id": create["id"], "result": None}
    protocol.handle_message(protocol.structure_message(answer))
    await asyncio.wait_for(running, 5)
    kinds = [m["params"]["value"]["kind"] for m in sink.written if m.get("method") == "$/progress"]
    assert kinds == ["begin", "end"]
    assert server.work_done_progress.tokens == {}


def test_the_warm_up_prepares_the_messages_of_the_first_requests() -> None:
    """Every method the warm-up names is an LSP method whose messages the server's own
    converter can then read and write (a renamed or unknown one fails here, not later in
    a background thread's log)."""
    from lsprotocol import types as lsp

    from onex_lsp.lsp.server import WIRE_METHODS

    server = create_server()
    server.prepare_wire()
    assert lsp.CODE_ACTION_RESOLVE in WIRE_METHODS
    action = lsp.CodeAction(title="Generate node", kind="source.onex.generateNode", data={"n": 1})
    answer = lsp.CodeActionResolveResponse(id=7, result=action)
    written = server.wire().unstructure(answer)
    assert written["result"]["title"] == "Generate node"
