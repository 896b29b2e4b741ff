"""``onex/patternReport`` over stdio: the report of what the running server recorded,
answered from its own journal (no command line spawned, nothing read on the event loop:
the servers under test fail on disk access there)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.conftest import ROOT
from tests.e2e.lsp_client import (
    SERVER_COMMAND,
    SERVER_ENV,
    generate_from,
    initialize,
    save_learned_edit,
)

EXAMPLE = ROOT / "examples" / "contracts" / "user_management_effect.yaml"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV),
    params=["visual-studio-code"],
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """Its own pattern library, so the report holds only what this test did."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    options = {"onex": {"diagnosticsDelayMs": 20, "embedder": "hashing",
                        "store": {"path": str(tmp_path / "data")}}}  # fmt: skip
    await initialize(lsp_client, request.param, workspace, options)
    yield lsp_client
    await lsp_client.shutdown_session()


def _plain(value: Any) -> Any:
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


async def test_the_report_counts_what_was_applied_and_renders_the_page(
    client: LanguageClient,
) -> None:
    empty = _plain(await client.protocol.send_request_async("onex/patternReport", {}))
    assert empty["report"]["weeks"] == [] and "No feedback recorded yet" in empty["html"]

    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    contract = workspace / "contract.yaml"
    await generate_from(client, EXAMPLE, contract)

    answer = _plain(await client.protocol.send_request_async("onex/patternReport", {}))
    report = answer["report"]
    assert report["totals"]["applied"] >= 5, report["totals"]  # five CRUD handlers
    (week,) = report["weeks"]
    assert week["applied"] == report["totals"]["applied"]
    keys = {p["key"] for p in report["patterns"]}
    assert {"builtin:crud.create", "builtin:crud.list"} <= keys, keys
    page = answer["html"]
    assert "builtin:crud.create" in page and "<svg" in page and "<script" not in page
    assert "Content-Security-Policy" in page


async def test_a_learned_block_is_exported_as_patterns_export_writes_it(
    client: LanguageClient,
) -> None:
    """``onex/exportPatterns``: the block the view's "Export" writes (and "Show" previews
    when its file is gone); a wrong id or bad params are a problem, not an error."""
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    contract = workspace / "contract.yaml"
    await generate_from(client, EXAMPLE, contract)
    handler = workspace / "node_user_management_effect" / "handlers" / "handler_create_user.py"
    await save_learned_edit(client, handler)
    library = _plain(await client.protocol.send_request_async("onex/patternLibrary", {}))
    mine = next(
        b for b in library["blocks"]
        if b["origin"] == str(handler.resolve()) and b["kind"] == "handler"
    )  # fmt: skip
    first_line, _, last_line, _ = mine["originRange"]
    assert 1 <= first_line <= last_line <= len(handler.read_text().splitlines()), mine

    answer = _plain(
        await client.protocol.send_request_async(
            "onex/exportPatterns", {"id": f"learned:{mine['id']}", "family": True}
        )
    )
    assert answer["problem"] is None
    records = [json.loads(line) for line in answer["text"].splitlines()]
    exported = [r["block"]["id"] for r in records if "block" in r]
    assert mine["id"] in exported and exported == [b["id"] for b in answer["blocks"]]
    (source,) = [b["source"] for b in answer["blocks"] if b["id"] == mine["id"]]
    assert 'record.setdefault("status", "active")' in source

    for params, problem in [
        ({"id": "no-such-block"}, "no learned block no-such-"),
        ({"family": True}, 'expected {"id"'),
    ]:
        refused = _plain(await client.protocol.send_request_async("onex/exportPatterns", params))
        assert refused["text"] == "" and refused["problem"].startswith(problem), refused
