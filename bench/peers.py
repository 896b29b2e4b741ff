"""The same client timings on other language servers, in the same run: the floor and
the comparison for every server row.

- a bare pygls server (``bare_server.py``): the same interpreter and pygls as onex-lsp,
  no features; what any pygls server pays;
- jedi-language-server (Python, pygls): a mature Python server; code actions on a Python
  file (extract variable/function when a range is selected, nothing at a cursor);
- ruff's server (``ruff server``, Rust): code actions on a Python file (fix all,
  organise imports).

Each: ``initialize`` answered after spawn (several spawns), the empty request (a method
nobody knows: MethodNotFound), ``textDocument/codeAction`` at a cursor inside a function,
the server's peak RSS, and its RSS after the didChange burst of the RSS row.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from lspclient import LspClient, code_action_params, rss_mb
from server_rows import burst, sampled

HERE = Path(__file__).resolve().parent
PYTHON_FILE = '''"""A module to ask code actions about."""

import os


def join_parts(base: str, *parts: str) -> str:
    cleaned = [part.strip("/") for part in parts if part]
    return os.path.join(base, *cleaned)
'''


def commands() -> dict[str, list[str] | None]:
    """Each peer's command, ``None`` when it is not installed (the row says so)."""
    bin_dir = Path(sys.executable).parent
    jedi = bin_dir / "jedi-language-server"
    ruff = bin_dir / "ruff"
    return {
        "bare pygls": [sys.executable, str(HERE / "bare_server.py")],
        "jedi-language-server": [str(jedi)] if jedi.exists() else None,
        "ruff server": [str(ruff if ruff.exists() else shutil.which("ruff") or "ruff"), "server"],
    }


def version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    package = {"bare pygls": "pygls", "jedi-language-server": "jedi-language-server"}
    try:
        return installed(package.get(name, "ruff"))
    except PackageNotFoundError:
        return "?"


async def initialize_times(command: list[str], root: Path, spawns: int) -> list[float]:
    """ms from spawn to the ``initialize`` answer, one fresh process each time."""
    samples = []
    for _ in range(spawns):
        client = LspClient(command)
        await client.start()
        try:
            samples.append(await client.initialize(root))
        finally:
            await client.stop()
    return samples


async def peer(name: str, command: list[str], work: Path, plan: dict[str, int]) -> dict[str, Any]:
    root = work / "peer-ws"
    root.mkdir(exist_ok=True)
    source = root / "module.py"
    source.write_text(PYTHON_FILE)
    out: dict[str, Any] = {"version": version(name)}
    out["initialize"] = await initialize_times(command, root, plan["spawns"])
    client = LspClient(command)
    await client.start()
    try:
        await client.initialize(root)
        uri = client.open(source, "python")
        params = code_action_params(uri, line=7)
        await sampled(client, "textDocument/codeAction", params, 0)
        out["floor"] = await sampled(client, "bench/ping", None, plan["requests"])
        out["code_action"] = await sampled(
            client, "textDocument/codeAction", params, plan["requests"]
        )
        out["peak"] = round(rss_mb(client.pid, "VmHWM"), 1)
        out["rss"] = round(rss_mb(client.pid), 1)
        # The didChange burst of the RSS row: typing in the module's docstring.
        await burst(client, [(uri, 3)], plan["burst_seconds"])
        out["rss_after_burst"] = round(rss_mb(client.pid), 1)
    finally:
        await client.stop()
    return out


async def all_peers(work: Path, plan: dict[str, int]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, command in commands().items():
        if command is None:
            results[name] = {"missing": "pip install jedi-language-server (or '.[bench]')"}
            continue
        results[name] = await peer(name, command, work, plan)
    return results
