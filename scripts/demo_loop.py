"""The learning loop through a real LSP session (client and server over stdio, no editor).

1. generate node_user_management_effect from its contract (code action + resolve + edit)
2. edit handlers/handler_create_user.py in a "house style" and save it: the server learns it
3. generate node_order_book_effect from a different contract: create_order now gets the
   learned block by default (the action title says so)
4. print the pattern library's stats

Usage: python scripts/demo_loop.py OUT_DIR   (the packages and the data directory go there)
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path, to_fs_path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "contracts"
HOUSE_LINE = '    record.setdefault("status", "active")  # house style: new users start active\n'
CAPABILITIES = lsp.ClientCapabilities(
    workspace=lsp.WorkspaceClientCapabilities(
        apply_edit=True,
        configuration=False,
        workspace_edit=lsp.WorkspaceEditClientCapabilities(
            document_changes=True, resource_operations=[lsp.ResourceOperationKind.Create]
        ),
    ),
    text_document=lsp.TextDocumentClientCapabilities(
        code_action=lsp.CodeActionClientCapabilities(
            resolve_support=lsp.ClientCodeActionResolveOptions(properties=["edit"]),
            data_support=True,
        )
    ),
    window=lsp.WindowClientCapabilities(work_done_progress=False),
)


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def uri(path: Path) -> str:
    result = from_fs_path(str(path))
    assert result is not None
    return result


def apply(edit: lsp.WorkspaceEdit) -> None:
    for change in edit.document_changes or []:
        if isinstance(change, lsp.CreateFile):
            path = Path(to_fs_path(change.uri))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("")
        elif isinstance(change, lsp.TextDocumentEdit):
            path = Path(to_fs_path(change.text_document.uri))
            path.write_text("".join(e.new_text for e in change.edits))


async def main(out: Path) -> int:
    workspace = out / "loop"
    shutil.rmtree(workspace, ignore_errors=True)
    workspace.mkdir(parents=True)
    logs: list[str] = []
    client = LanguageClient("onex-lsp-demo", "1")

    @client.feature(lsp.WINDOW_LOG_MESSAGE)
    def log_message(params: lsp.LogMessageParams) -> None:
        logs.append(params.message)

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
        for diagnostic in params.diagnostics:
            say(f"  diagnostic: {diagnostic.message}")

    @client.feature(lsp.WINDOW_SHOW_MESSAGE)
    def show_message(params: lsp.ShowMessageParams) -> None:
        say(f"  server says: {params.message}")

    env = {**os.environ, "ONEX_LSP_DATA_DIR": str(workspace / ".onex-lsp-data")}
    await client.start_io(sys.executable, "-m", "onex_lsp", "serve", env=env)
    await client.initialize_async(
        lsp.InitializeParams(
            capabilities=CAPABILITIES, root_uri=uri(workspace), initialization_options={}
        )
    )
    client.initialized(lsp.InitializedParams())

    async def wait_log(fragment: str, timeout: float) -> str:
        for _ in range(int(timeout * 10)):
            found = [m for m in logs if fragment in m]
            if found:
                return found[-1]
            await asyncio.sleep(0.1)
        raise SystemExit(f"timed out waiting for the server to log {fragment!r}")

    say("== loading MiniLM in the server (background, under a second once converted) ==")
    say("  " + await wait_log("MiniLM ready", 180))

    async def generate(contract: Path) -> Path:
        doc = uri(contract)
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(
                    uri=doc, language_id="yaml", version=1, text=contract.read_text()
                )
            )
        )
        actions = await client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=doc),
                range=lsp.Range(
                    start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)
                ),
                context=lsp.CodeActionContext(diagnostics=[], only=["source.onex.generateNode"]),
            )
        )
        offered = [a for a in actions or [] if isinstance(a, lsp.CodeAction)]
        for action in offered:
            say(f"  {'*' if action.is_preferred else ' '} {action.title}")
        chosen = await client.code_action_resolve_async(offered[0])
        assert chosen.edit is not None and chosen.command is not None
        apply(chosen.edit)
        await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(
                command=chosen.command.command, arguments=chosen.command.arguments
            )
        )
        return contract.parent

    say("== 1. generate the first node ==")
    first = workspace / "user_management_effect.yaml"
    shutil.copy(EXAMPLES / "user_management_effect.yaml", first)
    await generate(first)
    handler = workspace / "node_user_management_effect" / "handlers" / "handler_create_user.py"

    say("== 2. edit handler_create_user.py in the house style, save ==")
    original = handler.read_text()
    house = original.replace(
        "    stored = await repository.create(record)\n",
        HOUSE_LINE + "    stored = await repository.create(record)\n",
    )
    handler.write_text(house)
    doc = uri(handler)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=doc, language_id="python", version=1, text=house)
        )
    )
    client.text_document_did_save(
        lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=doc))
    )
    say("  " + await wait_log("from handler_create_user.py", 60))

    say("== 3. generate a second, different contract ==")
    second = workspace / "order_book_effect.yaml"
    shutil.copy(EXAMPLES / "order_book_effect.yaml", second)
    await generate(second)
    learned = (
        workspace / "node_order_book_effect" / "handlers" / "handler_create_order.py"
    ).read_text()
    say("  handler_create_order.py now carries the house style:")
    for line in learned.splitlines():
        if "house style" in line or "learned from" in line:
            say("    " + line.strip())

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()

    say("== 4. the pattern library ==")
    data_dir = str(workspace / ".onex-lsp-data")
    stats = subprocess.run(
        [sys.executable, "-m", "onex_lsp", "patterns", "--data-dir", data_dir, "stats"],
        capture_output=True,
        text=True,
        check=True,
    )
    say(stats.stdout.rstrip())
    return 0 if "house style" in learned else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(Path(sys.argv[1] if len(sys.argv) > 1 else "out").resolve())))
