"""Feedback end to end: a learned block reverted twice stops being preferred; applied as
an alternative and kept (across a server restart) it is preferred again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient
from pytest_lsp.client import make_test_lsp_client

from tests.conftest import generate, package_files
from tests.e2e.lsp_client import (
    SERVER_COMMAND,
    SERVER_ENV,
    apply_action,
    initialize,
    learned_ready,
    open_document,
    request_actions,
    uri,
    wait_for,
)

HOUSE = '    record.setdefault("status", "active")  # house style\n'
OPTIONS = {
    "onex": {
        "embedder": "hashing",
        "store": {"perWorkspace": True},
        "feedback": {"checkpoints": [1, 2], "tickSeconds": 0.2},
    }
}


def contract_text(entity: str) -> str:
    return (
        f"name: {entity}_book\ncontract_version: {{major: 1, minor: 0, patch: 0}}\n"
        f"description: Keeps {entity} records.\nnode_type: EFFECT_GENERIC\n"
        f"input_model: Model{entity.capitalize()}BookInput\noutput_model: Model{entity.capitalize()}BookOutput\n"
        "handler_routing:\n  version: {major: 1, minor: 0, patch: 0}\n  routing_strategy: operation_match\n  handlers:\n"
        f"    - operation: create_{entity}\n      handler: {{name: handle_create_{entity}, module: handlers.handler_create_{entity}}}\n"
        f"    - operation: get_{entity}\n      handler: {{name: handle_get_{entity}, module: handlers.handler_get_{entity}}}\n"
    )


def learn_house_style(workspace: Path) -> None:
    house = package_files(generate(contract_text("user")))[
        "handlers/handler_create_user.py"
    ].replace(
        "    stored = await repository.create(record)\n",
        HOUSE + "    stored = await repository.create(record)\n",
    )
    source = workspace / "seed" / "node_user_book_effect" / "handlers" / "handler_create_user.py"
    source.parent.mkdir(parents=True)
    source.write_text(house)
    (source.parent.parent / "contract.yaml").write_text(contract_text("user"))  # its context
    subprocess.run(
        [sys.executable, "-m", "onex_lsp", "learn", "--yes", str(source), "--data-dir", str(workspace / ".onex-lsp"), "--embedder", "hashing"],
        check=True, capture_output=True,
    )  # fmt: skip


async def start(workspace: Path) -> LanguageClient:
    client = make_test_lsp_client()
    await client.start_io(*SERVER_COMMAND, env=SERVER_ENV)
    await initialize(client, "visual-studio-code", workspace, OPTIONS)
    await wait_for(
        lambda: any(m.message.startswith("pattern library:") for m in client.log_messages)
    )
    return client


async def stop(client: LanguageClient) -> None:
    await client.shutdown_session()
    await client.stop()


async def actions_for(
    client: LanguageClient, workspace: Path, entity: str
) -> tuple[Path, list[lsp.CodeAction]]:
    path = workspace / entity / f"{entity}_book_effect.yaml"
    path.parent.mkdir()
    path.write_text(contract_text(entity))
    doc_uri = open_document(client, path)
    await learned_ready(client, doc_uri)
    return path, await request_actions(client, doc_uri, "source.onex.generateNode")


async def revert(client: LanguageClient, contract: Path, entity: str) -> None:
    handler = (
        contract.parent / f"node_{entity}_book_effect" / "handlers" / f"handler_create_{entity}.py"
    )
    assert HOUSE.strip() in handler.read_text()
    handler.unlink()
    client.workspace_did_delete_files(
        lsp.DeleteFilesParams(files=[lsp.FileDelete(uri=uri(handler))])
    )


def outcomes(client: LanguageClient, outcome: str) -> int:
    return sum(
        f": {outcome}, retention" in m.message and "learned:" in m.message
        for m in client.log_messages
    )


async def test_reverted_twice_is_not_preferred_and_kept_is_preferred_again(tmp_path: Path) -> None:
    learn_house_style(tmp_path)
    client = await start(tmp_path)
    try:
        for round_, entity in enumerate(["order", "invoice"], 1):
            contract, actions = await actions_for(client, tmp_path, entity)
            assert (
                actions[0].is_preferred
                and f"your learned blocks (create_{entity}" in actions[0].title
            )
            await apply_action(client, actions[0])
            await revert(client, contract, entity)
            await wait_for(lambda n=round_: outcomes(client, "reverted") >= n)

        contract, actions = await actions_for(client, tmp_path, "ticket")
        titles = [a.title for a in actions]
        assert "your learned blocks" not in titles[0] and actions[0].is_preferred, titles
        (alternative,) = [a for a in actions if "create_ticket learned from" in a.title]
        assert alternative.title.endswith("— reverted 2 of 2 — not preferred")
        assert not alternative.is_preferred
        await apply_action(client, alternative)
    finally:
        await stop(client)

    # A restart in the middle of tracking: the new server re-measures against the disk.
    client = await start(tmp_path)
    try:
        await wait_for(lambda: any("earlier session" in m.message for m in client.log_messages))
        await wait_for(lambda: outcomes(client, "kept") >= 1, timeout=20)
        # In a handler file, the learned block is offered first among the alternatives.
        ticket = (
            tmp_path
            / "ticket"
            / "node_ticket_book_effect"
            / "handlers"
            / "handler_create_ticket.py"
        )
        offered = await request_actions(
            client, open_document(client, ticket, language="python"), "refactor.onex.insertPattern"
        )
        titles = [a.title for a in offered]
        assert titles[0].startswith(
            "Replace the create_ticket handler with your block learned from"
        ), titles
        assert "Replace the create_ticket handler with the crud.upsert block" in titles
        contract, actions = await actions_for(client, tmp_path, "refund")
        assert actions[0].is_preferred
        assert actions[0].title.endswith("+ your learned blocks (create_refund; kept 1 of 3)"), [
            a.title for a in actions
        ]
        stats = await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command="onex.showDetectedPatterns", arguments=[uri(contract)])
        )
        assert stats["node"] == "node_refund_book_effect"
    finally:
        await stop(client)
    report = subprocess.run(
        [sys.executable, "-m", "onex_lsp", "patterns", "--data-dir", str(tmp_path / ".onex-lsp"), "--embedder", "hashing", "stats"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    (row,) = [line.split() for line in report.splitlines() if line.startswith("learned:")]
    shown, applied, kept, modified, reverted = (int(x) for x in row[1:6])
    assert (applied, kept, modified, reverted) == (3, 1, 0, 2) and shown >= 4
    assert row[-1] == "candidate"  # kept once since the two reverts: no longer demoted
