"""One onex-lsp session as an editor runs it: spawn ``python -m onex_lsp serve``, the VS Code
handshake with the data directory in ``initializationOptions``, a workspace holding
contracts, and the steps an editor takes (open, list actions, resolve, apply, save).

Kept apart from the rows so that each row reads as the sequence it measures.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lspclient import LspClient, code_action_params, file_uri

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "examples" / "contracts"
TARGET = "user_management_effect.yaml"  # the contract whose actions are timed
ACCEPTED = "order_book_effect.yaml"  # generated and accepted: its files are learned on save
GENERATE = "source.onex.generateNode"
# The whole menu (Ctrl+., no `only`) lists generate once, under this kind.
GENERATE_KINDS = (GENERATE, "refactor.onex.generateNode")
# The contract rows time the listing with every variant and learned block: what VS Code's
# Source Action menu (and the Ctrl+Alt+G keybinding) asks for.
SOURCE_MENU = [GENERATE]
READY = {"minilm": r"MiniLM ready", "hashing": r"pattern library: "}


def options(data_dir: Path, embedder: str) -> dict[str, Any]:
    return {"onex": {"store": {"path": str(data_dir)}, "embedder": embedder}}


def workspace(work: Path) -> Path:
    """``work/ws`` with the target contract (never generated) and the one to accept."""
    root = work / "ws"
    for folder, name in (("users", TARGET), ("orders", ACCEPTED)):
        (root / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(CONTRACTS / name, root / folder / name)
    return root


async def start(
    work: Path, data_dir: Path, embedder: str, env: dict[str, str] | None = None
) -> tuple[LspClient, dict[str, float]]:
    """Spawn, handshake, wait until the server says it is ready for this embedder
    (MiniLM loaded, or the library opened). Times in ms: ``initialize`` (from spawn),
    ``ready`` (from ``initialized``)."""
    work.mkdir(parents=True, exist_ok=True)
    client = LspClient([sys.executable, "-m", "onex_lsp", "serve"], env)
    client.settings = options(data_dir, embedder)["onex"]
    await client.start(work / f"server-{time.time_ns()}.err")
    root = workspace(work)
    answered = await client.initialize(root, options(data_dir, embedder))
    sent = time.perf_counter()
    ready_at = await client.wait_log(READY[embedder], timeout=600)
    return client, {"initialize": answered, "ready": (ready_at - sent) * 1000}


def contract_path(client_root: Path, name: str = TARGET) -> Path:
    folder = "users" if name == TARGET else "orders"
    return client_root / "ws" / folder / name


async def open_contract(client: LspClient, path: Path) -> str:
    """didOpen, then wait for its first diagnostics (the server has parsed it)."""
    mark = len(client.notifications)
    uri = client.open(path, "yaml")
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        if any(
            m == "textDocument/publishDiagnostics" and p.get("uri") == uri
            for _, m, p in client.notifications[mark:]
        ):
            break
        await asyncio.sleep(0.01)
    return uri


async def learned_status(client: LspClient, uri: str) -> dict[str, Any]:
    """The server's learned options for an open contract (``current``: computed for this
    version of the document and of the library; code actions never wait for them)."""
    found = await client.request(
        "workspace/executeCommand", {"command": "onex.showDetectedPatterns", "arguments": [uri]}
    )
    learned: dict[str, Any] = found.get("learned", {}) if isinstance(found, dict) else {}
    return learned


async def learned_ready(client: LspClient, uri: str, timeout: float = 120) -> float:
    """Poll until the learned options are current; ms waited."""
    started = time.perf_counter()
    while not (await learned_status(client, uri)).get("current"):
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"learned options of {uri} never became current")
        await asyncio.sleep(0.01)
    return (time.perf_counter() - started) * 1000


def learned_offers(actions: list[dict[str, Any]]) -> int:
    """How many offered actions carry a learned block (title or variant)."""
    return sum(
        1
        for a in actions
        if "learned" in a.get("title", "")
        or (a.get("data") or {}).get("variant", {}).get("learnedBlock")
    )


async def generate_actions(client: LspClient, uri: str) -> list[dict[str, Any]]:
    actions = await client.request(
        "textDocument/codeAction", code_action_params(uri, only=SOURCE_MENU)
    )
    return [a for a in actions or [] if a.get("kind") in GENERATE_KINDS]


async def accept_package(client: LspClient, path: Path) -> Path:
    """Generate the contract's package as VS Code does (resolve, apply the edit, run the
    command): its files become accepted, learned on save. Returns the package folder."""
    uri = await open_contract(client, path)
    (action, *_) = await generate_actions(client, uri)
    resolved = await client.request("codeAction/resolve", action)
    created = apply_edit(resolved["edit"])
    command = resolved["command"]
    await client.request(
        "workspace/executeCommand",
        {"command": command["command"], "arguments": command.get("arguments", [])},
    )
    node = next(p for p in created if p.name == "node.py")
    return node.parent


def uri_path(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


def apply_edit(edit: dict[str, Any]) -> list[Path]:
    """A WorkspaceEdit applied to disk (create files, then text edits); files touched."""
    touched = []
    for change in edit.get("documentChanges", []):
        if change.get("kind") == "create":
            path = uri_path(change["uri"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
            touched.append(path)
        elif "edits" in change:
            path = uri_path(change["textDocument"]["uri"])
            path.write_text(apply_text_edits(path.read_text(), change["edits"]))
    return touched


def apply_text_edits(text: str, edits: list[dict[str, Any]]) -> str:
    lines = text.splitlines(keepends=True) or [""]

    def offset(position: dict[str, int]) -> int:
        return sum(len(line) for line in lines[: position["line"]]) + position["character"]

    spans = sorted(
        ((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"]) for e in edits),
        reverse=True,
    )
    for first, last, new_text in spans:
        text = text[:first] + new_text + text[last:]
    return text


def change_params(uri: str, version: int, text: str) -> dict[str, Any]:
    """A whole-document didChange (what editors send for a big paste or a reload)."""
    return {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"text": text}],
    }


def typing_params(uri: str, version: int, character: int) -> dict[str, Any]:
    """One space typed on line 0 at ``character`` (odd versions) or deleted (even ones):
    the document stays valid however many are sent (a comment, a docstring's text)."""
    at = {"line": 0, "character": character}
    if version % 2:
        change = {"range": {"start": at, "end": at}, "text": " "}
    else:
        end = {"line": 0, "character": character + 1}
        change = {"range": {"start": at, "end": end}, "text": ""}
    return {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}


async def learned_count(client: LspClient, name: str) -> int:
    return sum(1 for line in client.log_lines() if f"from {name}" in line)


def uri_of(path: Path) -> str:
    return file_uri(path)
