"""A node package whose contract gained an operation: diagnostic, quick fix, alternatives."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.drift import render_with_block
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import plan_package
from onex_lsp.workspace_fs import write_tree
from tests.conftest import ROOT
from tests.e2e.lsp_client import (
    PROFILES,
    SERVER_COMMAND,
    SERVER_ENV,
    apply_action,
    initialize,
    open_document,
    request_actions,
    uri,
    wait_for,
)

EXAMPLES = ROOT / "examples" / "contracts"
NEW_OPERATION = """    - operation: find_user
      handler:
        name: handle_find_user
        module: node_user_management_effect.handlers.handler_find_user
"""


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV), params=PROFILES
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    await initialize(lsp_client, request.param, tmp_path)
    yield lsp_client
    await lsp_client.shutdown_session()


def _generate_in_place(workspace: Path, example: str) -> Path:
    folder_name = "node_" + example.rsplit(".", 1)[0]
    folder = workspace / folder_name
    folder.mkdir()
    contract_path = folder / "contract.yaml"
    shutil.copy(EXAMPLES / example, contract_path)
    contract = load_contract(contract_path.read_text(), str(contract_path)).contract
    assert contract is not None
    write_tree(workspace, plan_package(contract, Location(contract_path, workspace)).files)
    return folder


async def test_missing_handler_is_diagnosed_and_fixed_with_routing(client: LanguageClient) -> None:
    package = _generate_in_place(client.workspace_root, "user_management_effect.yaml")  # type: ignore[attr-defined]
    contract_path = package / "contract.yaml"
    text = contract_path.read_text() + NEW_OPERATION
    contract_path.write_text(text)
    doc_uri = uri(contract_path)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=doc_uri, language_id="yaml", version=1, text=text
            )
        )
    )
    await wait_for(lambda: bool(client.diagnostics.get(doc_uri)))
    (diagnostic,) = client.diagnostics[doc_uri]
    assert diagnostic.code == "missing-handler"
    assert diagnostic.severity == lsp.DiagnosticSeverity.Warning
    line = text.splitlines().index("    - operation: find_user")
    assert (diagnostic.range.start.line, diagnostic.range.start.character) == (line, 17)

    # No generate action for an existing package; the quick fix instead.
    offered = await request_actions(client, doc_uri, "source.onex.generateNode", [])
    assert all(a.disabled is not None for a in offered)
    (fix,) = await request_actions(client, doc_uri, "quickfix", [diagnostic])
    assert fix.title == "Add handler for 'find_user' with its routing"
    await apply_action(client, fix)

    handler = package / "handlers" / "handler_find_user.py"
    assert "async def handle_find_user(" in handler.read_text()
    assert "repository.get(record_id)" in handler.read_text()  # the CRUD read block
    node = ast.parse((package / "node.py").read_text())
    imported = {a.name for n in ast.walk(node) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert "handle_find_user" in imported
    assert '"find_user"' in (package / "node.py").read_text()
    assert '"find_user"' in (package / "models" / "model_user_management_input.py").read_text()
    await wait_for(lambda: list(client.diagnostics[doc_uri]) == [])


async def test_insert_alternative_pattern_block(client: LanguageClient) -> None:
    package = _generate_in_place(client.workspace_root, "customer_records_effect.yaml")  # type: ignore[attr-defined]
    handler = package / "handlers" / "handler_normalize_customer.py"
    doc_uri = uri(handler)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=doc_uri, language_id="python", version=1, text=handler.read_text()
            )
        )
    )
    actions = await request_actions(client, doc_uri, "refactor.onex.insertPattern", [])
    titles = [a.title for a in actions]
    assert titles[:3] == [
        "Replace the normalize_customer handler with the transformation.parse block",
        "Replace the normalize_customer handler with the transformation.format block",
        "Replace the normalize_customer handler with the transformation.convert block",
    ]
    assert not any("crud." in t for t in titles)  # a different shape would break the routing
    await apply_action(client, actions[0])
    contract = load_contract(
        (package / "contract.yaml").read_text(), str(package / "contract.yaml")
    ).contract
    assert contract is not None
    where = Location(package / "contract.yaml", client.workspace_root)  # type: ignore[attr-defined]
    _, expected = render_with_block(
        contract, where, "normalize_customer", "transformation.parse", 0.7
    )
    assert handler.read_text() == expected
    assert "_parse_value" in handler.read_text()


async def test_a_stub_handler_is_offered_the_blocks_of_its_kind(client: LanguageClient) -> None:
    package = _generate_in_place(client.workspace_root, "customer_records_effect.yaml")  # type: ignore[attr-defined]
    handler = package / "handlers" / "handler_reconcile_accounts.py"
    assert "not implemented yet" in handler.read_text()  # the generator's low-confidence stub
    doc_uri = open_document(client, handler, language="python")
    actions = await request_actions(client, doc_uri, "refactor.onex.insertPattern", [])
    offered = [
        a.title.removeprefix("Replace the reconcile_accounts handler with the ") for a in actions
    ]
    # An EFFECT node's own blocks first, then the other blocks an EFFECT node can host.
    assert offered[:3] == ["crud.create block", "crud.read block", "crud.list block"]
    assert {"state.transition block", "messaging.publish block", "aggregation.sum block"} <= set(
        offered
    )
    assert not any("orchestration" in t for t in offered)  # not an ORCHESTRATOR's block
    await apply_action(client, actions[0])
    text = handler.read_text()
    ast.parse(text)
    ast.parse((package / "node.py").read_text())
    assert "repository" in text and "not implemented yet" not in text


async def test_a_create_handler_is_offered_other_verbs_only_when_asked(
    client: LanguageClient,
) -> None:
    package = _generate_in_place(client.workspace_root, "user_management_effect.yaml")  # type: ignore[attr-defined]
    doc_uri = open_document(
        client, package / "handlers" / "handler_create_user.py", language="python"
    )
    actions = await request_actions(client, doc_uri, "refactor.onex.insertPattern", [])
    titles = [a.title for a in actions]
    assert titles[0] == "Replace the create_user handler with the crud.upsert block"
    assert not any("crud.delete" in t for t in titles)
    menus = [a for a in actions if a.title.startswith("More patterns (other verbs)…")]
    if client.profile == "emacs":  # type: ignore[attr-defined]
        assert menus == []  # it cannot open the menu: it asks for the kind by name
    else:
        (more,) = menus
        assert more.command is not None and more.command.command == "editor.action.codeAction"
        assert list(more.command.arguments or []) == [
            {"kind": "refactor.onex.insertPattern.otherVerbs", "apply": "never"}
        ]
    asked = await request_actions(client, doc_uri, "refactor.onex.insertPattern.otherVerbs", [])
    assert "Replace the create_user handler with the crud.delete block (another verb)" in [
        a.title for a in asked
    ]
    assert all(a.kind == "refactor.onex.insertPattern.otherVerbs" for a in asked)
    broad = await request_actions(client, doc_uri, "refactor", [])
    assert not any("crud.delete" in a.title for a in broad)  # a prefix is not an ask


SCAFFOLD = ROOT / "tests/fixtures/real/scaffold/effect/invoice-ledger/src/invoice_ledger/nodes"


async def test_a_class_style_stub_handler_takes_a_block_too(client: LanguageClient) -> None:
    """A real ONEX contract names a handler class: its stub gets the same offers."""
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    package = workspace / "invoice_ledger" / "nodes" / "invoice_ledger"
    package.mkdir(parents=True)
    shutil.copy(SCAFFOLD / "invoice_ledger" / "contract.yaml", package / "contract.yaml")
    contract = load_contract((package / "contract.yaml").read_text(), "contract.yaml").contract
    assert contract is not None
    write_tree(
        workspace, plan_package(contract, Location(package / "contract.yaml", workspace)).files
    )
    handler = package / "handlers" / "handler_invoice_ledger.py"
    assert "class HandlerInvoiceLedger:" in handler.read_text()
    assert "not implemented yet" in handler.read_text()
    doc_uri = open_document(client, handler, language="python")
    actions = await request_actions(client, doc_uri, "refactor.onex.insertPattern", [])
    assert actions[0].title == "Replace the invoice_ledger handler with the crud.create block"
    await apply_action(client, actions[0])
    text = handler.read_text()
    ast.parse(text)
    node = (package / "node_invoice_ledger_effect.py").read_text()
    ast.parse(node)
    assert "class HandlerInvoiceLedger:" in text and "await repository.create(record)" in text
    assert "HandlerInvoiceLedger(\n            repository=self.repository," in node
