"""Real ONEX through the language server: the framework's own contracts, an `onex new node`
project, and a package whose code drifted from its contract."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from onex_lsp.generation.existing import is_stub
from tests.conftest import ROOT
from tests.e2e.lsp_client import (
    PROFILES,
    SERVER_COMMAND,
    SERVER_ENV,
    apply_action,
    apply_workspace_edit,
    initialize,
    open_document,
    request_actions,
    wait_for,
)

REAL = ROOT / "tests" / "fixtures" / "real"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV), params=PROFILES
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    await initialize(lsp_client, request.param, tmp_path)
    yield lsp_client
    await lsp_client.shutdown_session()


def _diagnostics(client: LanguageClient, doc_uri: str) -> list[lsp.Diagnostic]:
    return list(client.diagnostics.get(doc_uri, []))


async def test_scaffold_project_generates_over_its_stubs(client: LanguageClient) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    project = workspace / "invoice-ledger"
    shutil.copytree(REAL / "scaffold" / "effect" / "invoice-ledger", project)
    node = project / "src" / "invoice_ledger" / "nodes" / "invoice_ledger"
    doc_uri = open_document(client, node / "contract.yaml")
    await wait_for(lambda: doc_uri in client.diagnostics)
    assert [
        d for d in _diagnostics(client, doc_uri) if d.severity == lsp.DiagnosticSeverity.Error
    ] == []
    (action,) = await request_actions(client, doc_uri, "source.onex.generateNode")
    assert action.title.startswith("Generate EFFECT node invoice_ledger")
    assert "(fills 4 scaffold stub(s))" in action.title  # the node, handler and two models
    await apply_action(client, action)
    handler = node / "handlers" / "handler_invoice_ledger.py"
    assert "class HandlerInvoiceLedger:" in handler.read_text()
    assert not is_stub(handler.read_text())
    assert (
        "class NodeInvoiceLedger(NodeEffect):"
        in (node / "node_invoice_ledger_effect.py").read_text()
    )
    assert (node / "tests" / "test_invoice_ledger.py").is_file()
    # The package holds code now: nothing more to generate (at most a disabled notice).
    offered = await request_actions(client, doc_uri, "source.onex.generateNode")
    assert all(a.disabled is not None for a in offered)


async def test_the_frameworks_own_contract_gets_a_warning_and_its_fix(
    client: LanguageClient,
) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    folder = workspace / "node_no_utcnow_check_compute"
    folder.mkdir()
    contract = folder / "contract.yaml"
    shutil.copy(
        REAL / "core" / "nodes" / "node_no_utcnow_check_compute" / "contract.yaml", contract
    )
    doc_uri = open_document(client, contract)
    await wait_for(lambda: len(_diagnostics(client, doc_uri)) == 3)
    found = sorted((d.code, d.severity) for d in _diagnostics(client, doc_uri))
    assert found == [
        ("module-outside-workspace", lsp.DiagnosticSeverity.Information),
        ("module-outside-workspace", lsp.DiagnosticSeverity.Information),
        ("onex-validate-node-type", lsp.DiagnosticSeverity.Warning),
    ]
    (warning,) = [d for d in _diagnostics(client, doc_uri) if d.code == "onex-validate-node-type"]
    (fix,) = await request_actions(client, doc_uri, "quickfix", [warning])
    assert fix.title == "Replace with 'COMPUTE_GENERIC'"
    assert fix.edit is not None
    apply_workspace_edit(fix.edit)
    assert "node_type: COMPUTE_GENERIC" in contract.read_text()
    # Generating is offered (the node's own operation, a validation block).
    (action,) = await request_actions(client, doc_uri, "source.onex.generateNode")
    assert "validation" in action.title


async def test_a_renamed_handler_class_is_drift_fixed_either_way(client: LanguageClient) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    folder = workspace / "node_ledger_effect"
    folder.mkdir()
    contract = folder / "contract.yaml"
    contract.write_text(
        "name: node_ledger_effect\nnode_type: EFFECT_GENERIC\n"
        "contract_version: {major: 1, minor: 0, patch: 0}\ndescription: The ledger.\n"
        "handler_routing:\n  handlers:\n    - operation: ledger.append\n"
        "      handler: {name: HandlerLedgerAppend, module: handlers.handler_ledger_append}\n"
    )
    doc_uri = open_document(client, contract)
    (action,) = await request_actions(client, doc_uri, "source.onex.generateNode")
    await apply_action(client, action)
    handler = folder / "handlers" / "handler_ledger_append.py"
    handler.write_text(handler.read_text().replace("HandlerLedgerAppend", "HandlerLedgerWrite"))
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=doc_uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=contract.read_text())],
        )
    )
    await wait_for(
        lambda: any(d.code == "handler-name-drift" for d in _diagnostics(client, doc_uri))
    )
    (drift,) = [d for d in _diagnostics(client, doc_uri) if d.code == "handler-name-drift"]
    fixes = await request_actions(client, doc_uri, "quickfix", [drift])
    titles = sorted(f.title for f in fixes)
    assert titles == [
        "Add HandlerLedgerAppend to the code for 'ledger.append'",
        "Route 'ledger.append' to HandlerLedgerWrite, as the code names it",
    ]
    contract_side = next(f for f in fixes if f.title.startswith("Route"))
    assert contract_side.edit is not None
    apply_workspace_edit(contract_side.edit)
    assert "name: HandlerLedgerWrite" in contract.read_text()
