"""Lineage through the real server: a style reverted twice, through two members of its
family, stops being the default; kept once it is back; restoring the built-in block is a
revert and teaches nothing."""

from __future__ import annotations

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
    open_document,
    request_actions,
    uri,
    wait_for,
)
from tests.e2e.test_feedback_loop import (
    HOUSE,
    OPTIONS,
    actions_for,
    contract_text,
    learn_house_style,
    outcomes,
    revert,
    stop,
)

# Outcomes decided after 15 s: learning a save may take seconds on a busy machine, and
# the deletes below must come before the blocks are judged kept.
PATIENT = {"onex": {**OPTIONS["onex"], "feedback": {"checkpoints": [1, 15], "tickSeconds": 0.2}}}
CHILD = '    record.setdefault("source", "api")  # house style, second line\n'


async def start(workspace: Path) -> LanguageClient:
    client = make_test_lsp_client()
    await client.start_io(*SERVER_COMMAND, env=SERVER_ENV)
    await initialize(client, "visual-studio-code", workspace, PATIENT)
    await wait_for(
        lambda: any(m.message.startswith("pattern library:") for m in client.log_messages)
    )
    return client


def handler_of(contract: Path, entity: str) -> Path:
    return (
        contract.parent / f"node_{entity}_book_effect" / "handlers" / f"handler_create_{entity}.py"
    )


def edit_and_save(client: LanguageClient, path: Path, text: str) -> None:
    doc = open_document(client, path, language="python")
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=doc, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    path.write_text(text)
    client.text_document_did_save(
        lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=doc))
    )


async def hover_operation(client: LanguageClient, contract: Path, operation: str) -> str:
    lines = contract.read_text().splitlines()
    line = next(n for n, text in enumerate(lines) if f"operation: {operation}" in text)
    at = lsp.Position(line=line, character=lines[line].index(operation) + 1)
    found = await client.text_document_hover_async(
        lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri(contract)), position=at)
    )
    assert found is not None and isinstance(found.contents, lsp.MarkupContent)
    return found.contents.value


def learned_from(client: LanguageClient, name: str) -> list[str]:
    return [m.message for m in client.log_messages if f"block(s) from {name}" in m.message]


async def test_reverting_a_family_twice_through_siblings_then_keeping_it(tmp_path: Path) -> None:
    learn_house_style(tmp_path)
    client = await start(tmp_path)
    try:
        # 1. The house style is the default; the user adds a line (a child) and saves.
        contract, actions = await actions_for(client, tmp_path, "order")
        assert "your learned blocks (create_order" in actions[0].title
        await apply_action(client, actions[0])
        handler = handler_of(contract, "order")
        edit_and_save(client, handler, handler.read_text().replace(HOUSE, HOUSE + CHILD))
        await wait_for(lambda: learned_from(client, "handler_create_order.py"), timeout=60)
        assert not learned_from(client, "handler_create_order.py")[0].startswith("learned 0 ")
        await revert(client, contract, "order")  # ... and then deletes it: one revert
        await wait_for(lambda: outcomes(client, "reverted") >= 1)

        # 2. The child, a sibling in the family, applied and deleted: the second revert.
        contract, actions = await actions_for(client, tmp_path, "invoice")
        child = [a for a in actions if "learned from" in a.title and "create_order" in a.title]
        await apply_action(client, child[0] if child else actions[0])
        assert CHILD.strip() in handler_of(contract, "invoice").read_text()
        await revert(client, contract, "invoice")
        await wait_for(lambda: outcomes(client, "reverted") >= 2)

        # 3. Neither member is the default any more; both say why.
        contract, actions = await actions_for(client, tmp_path, "ticket")
        titles = [a.title for a in actions]
        assert "your learned blocks" not in titles[0] and actions[0].is_preferred, titles
        members = [a for a in actions if "create_ticket learned from" in a.title]
        assert len(members) == 2, titles
        assert all(a.title.endswith("not preferred") for a in members), titles
        hover = await hover_operation(client, contract, "create_ticket")
        assert "Your learned blocks:" in hover and "handle_create_order in" in hover, hover
        assert "reverted 2 of 2 — not preferred" in hover, hover
        child = [a for a in members if "create_order" in a.title]
        await apply_action(client, child[0])
        await wait_for(lambda: outcomes(client, "kept") >= 1, timeout=40)

        # 4. Kept once: the family is back as the default.
        contract, actions = await actions_for(client, tmp_path, "refund")
        assert actions[0].is_preferred
        assert "+ your learned blocks (create_refund; kept 1 of 3)" in actions[0].title, [
            a.title for a in actions
        ]

        # 5. From the handler it wrote, the user forgets the whole family.
        await apply_action(client, actions[0])
        doc = open_document(client, handler_of(contract, "refund"), language="python")
        forget = await request_actions(client, doc, "refactor.onex.forgetPattern")
        titles = [a.title for a in forget]
        (whole,) = [a for a in forget if "whole family" in a.title]
        assert whole.title.endswith("(kept 1 of 3)"), titles
        await apply_action(client, whole)
        await wait_for(lambda: any("forgot 2 learned" in m.message for m in client.log_messages))
        contract, actions = await actions_for(client, tmp_path, "payment")
        assert not any("learned" in a.title for a in actions), [a.title for a in actions]
    finally:
        await stop(client)


async def test_restoring_the_builtin_block_is_a_revert_and_teaches_nothing(tmp_path: Path) -> None:
    learn_house_style(tmp_path)
    client = await start(tmp_path)
    try:
        contract, actions = await actions_for(client, tmp_path, "order")
        assert "your learned blocks (create_order" in actions[0].title
        await apply_action(client, actions[0])
        builtin = package_files(generate(contract_text("order")))[
            "handlers/handler_create_order.py"
        ]
        handler = handler_of(contract, "order")
        edit_and_save(client, handler, builtin)
        await wait_for(lambda: learned_from(client, "handler_create_order.py"), timeout=60)
        await wait_for(lambda: outcomes(client, "reverted") >= 1)
        assert any("the built-in block was restored" in m.message for m in client.log_messages)

        # The built-in code was not learned as "your block": nothing from handler_create_order.
        contract, actions = await actions_for(client, tmp_path, "invoice")
        titles = [a.title for a in actions]
        assert not any("handler_create_order.py" in t for t in titles), titles
        assert "reverted 1 of 1" in " ".join(titles), titles
    finally:
        await stop(client)
