"""A small LSP client over stdio, written for timing: JSON-RPC framing and nothing else.

Why not pytest-lsp's client: every server in the table (onex-lsp, jedi-language-server,
ruff, a bare pygls server) must be timed by the same client, and a client that
structures every result into lsprotocol types adds its own milliseconds (and misreads
some CodeActions, see ENVIRONMENT.md). This one keeps results as JSON, answers the
server's requests the way VS Code would, and records notifications with their time.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from pygls.protocol import default_converter
from pytest_lsp import client_capabilities

VSCODE = default_converter().unstructure(client_capabilities("visual-studio-code"))


def file_uri(path: Path) -> str:
    return path.resolve().as_uri()


class ServerError(RuntimeError):
    """The server answered a request with a JSON-RPC error."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.code = error.get("code")


class LspClient:
    """One server process; requests are awaited, server requests answered at once."""

    def __init__(self, command: list[str], env: dict[str, str] | None = None) -> None:
        self.command = command
        self.env = env
        self.settings: Any = None  # what workspace/configuration answers
        self.notifications: list[tuple[float, str, Any]] = []
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._next_id = 0
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self.spawned_at = 0.0

    # -- process -----------------------------------------------------------------
    async def start(self, stderr_file: Path | None = None) -> None:
        """Spawn the server; its stderr goes to a file (a full pipe would block it)."""
        err = open(stderr_file or os.devnull, "wb")  # noqa: SIM115 - owned by the process
        self.spawned_at = time.perf_counter()
        self._proc = await asyncio.create_subprocess_exec(
            *self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
            env=self.env,
            limit=64 * 1024 * 1024,
        )
        err.close()
        self._reader = asyncio.get_running_loop().create_task(self._read_loop())

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    async def stop(self, timeout: float = 10.0) -> None:
        """shutdown + exit, as an editor does; kill what does not leave in time."""
        if self._proc is None:
            return
        try:
            await asyncio.wait_for(self.request("shutdown", None), timeout)
            self.notify("exit", None)
            await asyncio.wait_for(self._proc.wait(), timeout)
        except (TimeoutError, ServerError, ConnectionError, BrokenPipeError):
            pass
        finally:
            if self._proc.returncode is None:
                self._proc.kill()
                await self._proc.wait()
            if self._reader is not None:
                self._reader.cancel()

    # -- messages ----------------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self._proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def drain(self) -> None:
        """Wait until what was sent is in the pipe (bursts of notifications)."""
        assert self._proc is not None and self._proc.stdin is not None
        await self._proc.stdin.drain()

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    async def request(self, method: str, params: Any) -> Any:
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = future
        self._send({"id": self._next_id, "method": method, "params": params})
        return await future

    async def timed(self, method: str, params: Any) -> tuple[float, Any]:
        """(milliseconds, result); an error answer counts as an answer (the floor)."""
        started = time.perf_counter()
        try:
            result = await self.request(method, params)
        except ServerError as exc:
            result = exc
        return (time.perf_counter() - started) * 1000, result

    async def _read_loop(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        stdout = self._proc.stdout
        try:
            while True:
                length = 0
                while (line := await stdout.readline()) not in (b"\r\n", b"\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                if not line:
                    break
                self._dispatch(json.loads(await stdout.readexactly(length)))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("the server closed its output"))

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "method" not in message:
            future = self._pending.pop(message.get("id"), None)  # type: ignore[arg-type]
            if future is not None and not future.done():
                if "error" in message:
                    future.set_exception(ServerError(message["error"]))
                else:
                    future.set_result(message.get("result"))
            return
        if "id" in message:
            self._send({"id": message["id"], "result": self._answer(message)})
        else:
            self.notifications.append((time.perf_counter(), message["method"], message["params"]))

    def _answer(self, message: dict[str, Any]) -> Any:
        """What VS Code answers to the server's requests."""
        method, params = message["method"], message.get("params") or {}
        if method == "workspace/configuration":
            return [self.settings for _ in params.get("items", [])]
        if method == "workspace/applyEdit":
            return {"applied": True}
        if method == "window/showDocument":
            return {"success": True}
        return None

    # -- helpers -----------------------------------------------------------------
    async def initialize(
        self, root: Path, options: Any = None, capabilities: dict[str, Any] | None = None
    ) -> float:
        """``initialize`` then ``initialized``; returns ms from spawn to the answer."""
        params = {
            "processId": os.getpid(),
            "clientInfo": {"name": "Visual Studio Code", "version": "1.65.2"},
            "rootUri": file_uri(root),
            "rootPath": str(root),
            "workspaceFolders": [{"uri": file_uri(root), "name": root.name}],
            "capabilities": VSCODE if capabilities is None else capabilities,
            "initializationOptions": options,
        }
        await self.request("initialize", params)
        answered = (time.perf_counter() - self.spawned_at) * 1000
        self.notify("initialized", {})
        return answered

    def open(self, path: Path, language: str, text: str | None = None) -> str:
        uri = file_uri(path)
        body = path.read_text() if text is None else text
        item = {"uri": uri, "languageId": language, "version": 1, "text": body}
        self.notify("textDocument/didOpen", {"textDocument": item})
        return uri

    def log_lines(self) -> list[str]:
        return [p.get("message", "") for _, m, p in self.notifications if m == "window/logMessage"]

    async def wait_log(self, pattern: str, timeout: float, after: int = 0) -> float:
        """Wait for a ``window/logMessage`` matching ``pattern`` (the ``after``-th
        notification on); returns when it arrived (perf_counter seconds)."""
        deadline = time.perf_counter() + timeout
        regex = re.compile(pattern)
        while time.perf_counter() < deadline:
            for at, method, params in self.notifications[after:]:
                if method == "window/logMessage" and regex.search(params.get("message", "")):
                    return at
            await asyncio.sleep(0.01)
        tail = "\n".join(self.log_lines()[-5:])
        raise TimeoutError(f"no log line /{pattern}/ in {timeout:.0f} s; last lines:\n{tail}")


def code_action_params(uri: str, line: int = 0, only: list[str] | None = None) -> dict[str, Any]:
    """What VS Code sends for Ctrl+. at the start of ``line`` (no diagnostics there)."""
    position = {"line": line, "character": 0}
    context: dict[str, Any] = {"diagnostics": [], "triggerKind": 1}
    if only:
        context["only"] = only
    return {
        "textDocument": {"uri": uri},
        "range": {"start": position, "end": position},
        "context": context,
    }


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's resident set (``VmHWM``: its peak) in MB; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children_rss_mb(pid: int) -> float:
    """The resident sets of a process's descendants (the server's extraction worker,
    started from one of its threads: every thread's children count)."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            total += rss_mb(child) + children_rss_mb(child)
    return total
