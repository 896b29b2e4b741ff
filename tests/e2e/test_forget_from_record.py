"""Forgetting a learned block from the editor at any time: the handler it wrote offers the
forget action long after the block stopped being followed, across a restart, because the
package's generation record names the block."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import blocking_reports
from tests.e2e.lsp_client import apply_action, open_document, request_actions, wait_for
from tests.e2e.test_feedback_loop import (
    HOUSE,
    actions_for,
    learn_house_style,
    outcomes,
    start,
    stop,
)

FORGET = "refactor.onex.forgetPattern"


async def test_the_handler_a_learned_block_wrote_offers_to_forget_it_after_a_restart(
    tmp_path: Path,
) -> None:
    learn_house_style(tmp_path)
    client = await start(tmp_path)
    try:
        contract, actions = await actions_for(client, tmp_path, "order")
        assert "your learned blocks (create_order" in actions[0].title
        await apply_action(client, actions[0])
        await wait_for(lambda: outcomes(client, "kept") >= 1, timeout=20)  # no longer followed
    finally:
        await stop(client)

    handler = contract.parent / "node_order_book_effect" / "handlers" / "handler_create_order.py"
    builtin = contract.parent / "node_order_book_effect" / "handlers" / "handler_get_order.py"
    assert HOUSE.strip() in handler.read_text()
    client = await start(tmp_path)
    try:
        doc = open_document(client, handler, language="python")
        forget = await request_actions(client, doc, FORGET)
        titles = [a.title for a in forget]
        assert len(forget) == 2 and "whole family (kept 1 of 1)" in titles[1], titles
        other = open_document(client, builtin, language="python")
        assert await request_actions(client, other, FORGET) == []  # a built-in block's handler
        await apply_action(client, forget[1])
        await wait_for(lambda: any("forgot 1 learned" in m.message for m in client.log_messages))
        assert await request_actions(client, doc, FORGET) == []  # nothing left to forget
        _, actions = await actions_for(client, tmp_path, "invoice")
        assert not any("learned" in a.title for a in actions), [a.title for a in actions]
        assert blocking_reports(client) == []
    finally:
        await stop(client)
