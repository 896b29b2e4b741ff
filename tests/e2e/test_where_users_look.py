"""Actions where users look, over stdio with the editors' client profiles: generate under
Ctrl+. (a ``refactor`` action), a CodeLens on the contract's first line, what generating
opens and says, a disabled action once the package exists, and quick fixes for every
diagnostic whose fix the server knows (a "did you mean" key, a usable handler name, a
missing field's skeleton)."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

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
    save_learned_edit,
    uri,
    wait_for,
)
from tests.update_helpers import add_operation

EXAMPLE = ROOT / "examples" / "contracts" / "user_management_effect.yaml"
PACKAGE = "node_user_management_effect"
SUMMARY = f"Generated {PACKAGE}: 17 files, 5 handlers: 5 CRUD."
TITLE = "Generate EFFECT node user_management — CRUD 0.95 (create, get, update, delete, list)"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV), params=PROFILES
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    options = {"onex": {"diagnosticsDelayMs": 20, "embedder": "hashing", "strictModel": True}}
    await initialize(lsp_client, request.param, workspace, options)
    yield lsp_client
    await lsp_client.shutdown_session()


def _shows_documents(client: LanguageClient) -> bool:
    caps = client.capabilities
    return bool(caps and caps.window and caps.window.show_document)


def _contract(client: LanguageClient, text: str | None = None) -> tuple[Path, str]:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    path = workspace / "contract.yaml"
    if text is None:
        shutil.copy(EXAMPLE, path)
    else:
        path.write_text(text)
    return path, open_document(client, path)


async def _lenses(client: LanguageClient, doc_uri: str) -> list[lsp.CodeLens]:
    params = lsp.CodeLensParams(text_document=lsp.TextDocumentIdentifier(uri=doc_uri))
    return list(await client.text_document_code_lens_async(params) or [])


async def _whole_menu(client: LanguageClient, doc_uri: str) -> list[lsp.CodeAction]:
    origin = lsp.Position(line=0, character=0)
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=doc_uri),
            range=lsp.Range(start=origin, end=origin),
            context=lsp.CodeActionContext(
                diagnostics=[], trigger_kind=lsp.CodeActionTriggerKind.Invoked
            ),
        )
    )
    return [a for a in result or [] if isinstance(a, lsp.CodeAction)]


async def test_ctrl_dot_offers_generate_and_says_what_it_wrote(client: LanguageClient) -> None:
    path, doc_uri = _contract(client)
    source = await request_actions(client, doc_uri, "source.onex.generateNode")
    (refactor,) = await request_actions(client, doc_uri, "refactor")
    assert refactor.kind == "refactor.onex.generateNode"
    # the same action, where Ctrl+. looks (feedback notes in titles may differ in between:
    # the server reads the shared journal's stats as it starts)
    assert refactor.title.startswith(TITLE) and source[0].title.startswith(TITLE)
    # The whole menu (a request without ``only``: Neovim's, Emacs's) lists generate once.
    menu = await _whole_menu(client, doc_uri)
    assert [a.kind for a in menu if a.title.startswith(TITLE)] == ["refactor.onex.generateNode"]
    await apply_action(client, refactor)

    node = path.parent / PACKAGE / "node.py"
    assert node.is_file()
    if _shows_documents(client):
        await wait_for(lambda: [d.uri for d in client.shown_documents] == [uri(node)])
    await wait_for(lambda: SUMMARY in [m.message for m in client.messages])
    assert [m.type for m in client.messages if m.message == SUMMARY] == [lsp.MessageType.Info]

    # Generated: no offer, and (where the client shows disabled actions) the reason why.
    again = await request_actions(client, doc_uri, "source.onex.generateNode")
    caps = client.capabilities
    code_action = caps.text_document.code_action if caps and caps.text_document else None
    if code_action and code_action.disabled_support:
        (notice,) = again
        assert notice.disabled is not None and f"{PACKAGE} exists already" in notice.disabled.reason
    else:
        assert again == []


async def test_codelens_generates_then_opens_the_node(client: LanguageClient) -> None:
    path, doc_uri = _contract(client)
    (lens,) = await _lenses(client, doc_uri)
    assert lens.range.start.line == 0
    assert lens.command is not None
    assert (lens.command.title, lens.command.command) == ("Generate node", "onex.generateNode")
    await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=lens.command.command, arguments=lens.command.arguments)
    )
    node = path.parent / PACKAGE / "node.py"
    assert node.is_file()
    await wait_for(lambda: SUMMARY in [m.message for m in client.messages])

    (lens,) = await _lenses(client, doc_uri)
    assert lens.command is not None
    assert (lens.command.title, lens.command.command) == (f"Open node {PACKAGE}", "onex.openNode")
    result = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=lens.command.command, arguments=lens.command.arguments)
    )
    assert result == {"opened": str(node.resolve())}
    if _shows_documents(client):
        assert [d.uri for d in client.shown_documents][-1] == uri(node.resolve())

    # The contract gains an operation: the lens says so, and updating brings the handler.
    changed = add_operation(path.read_text(), "find_user")
    path.write_text(changed)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=doc_uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=changed)],
        )
    )
    _, update = await _lenses(client, doc_uri)
    assert update.command is not None
    assert update.command.title == "Update node — 1 operation added"
    await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=update.command.command, arguments=update.command.arguments)
    )
    assert (path.parent / PACKAGE / "handlers" / "handler_find_user.py").is_file()
    assert len(await _lenses(client, doc_uri)) == 1  # nothing differs any more


async def _fixes(client: LanguageClient, doc_uri: str, code: str) -> list[lsp.CodeAction]:
    await wait_for(lambda: any(d.code == code for d in client.diagnostics.get(doc_uri, [])))
    diagnostics = [d for d in client.diagnostics[doc_uri] if d.code == code]
    return await request_actions(client, doc_uri, "quickfix", diagnostics)


BROKEN = """\
name: user_management
node_type: EFFECT_GENERIC
descriptoin: Manage users.
input_model: ModelUserInput
output_model: ModelUserOutput
handler_routing:
  handlers:
    - operation: void_invoice
      handler: {name: void invoice, module: node_user_management_effect.handlers.h}
"""


@pytest.mark.parametrize(
    ("code", "title", "fixed"),
    [
        ("strict-model", "Replace with 'description'", "\ndescription: Manage users.\n"),
        ("invalid-identifier", "Replace with 'void_invoice'", "{name: void_invoice, module"),
        (
            "missing-field",
            "Add 'contract_version'",
            "contract_version:\n  major: 1\n  minor: 0\n  patch: 0\nname: user_management\n",
        ),
    ],
)
async def test_quick_fix_for_each_known_fix(
    client: LanguageClient, code: str, title: str, fixed: str
) -> None:
    path, doc_uri = _contract(client, BROKEN)
    fixes = await _fixes(client, doc_uri, code)
    chosen = [f for f in fixes if f.title == title]
    assert len(chosen) == 1, [f.title for f in fixes]
    assert chosen[0].kind == "quickfix" and chosen[0].edit is not None
    apply_workspace_edit(chosen[0].edit)
    assert fixed in path.read_text()


def _plain(params: Any) -> dict[str, Any]:
    """A custom notification's params as pygls hands them over (a namedtuple or a dict)."""
    return dict(params._asdict()) if hasattr(params, "_asdict") else dict(params)


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV),
    params=["visual-studio-code"],
)
async def status_client(
    lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path
) -> Any:
    """A client that records ``onex/status`` (the default embedder: the model loads)."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    statuses: list[dict[str, Any]] = []
    lsp_client.statuses = statuses  # type: ignore[attr-defined]
    lsp_client.feature("onex/status")(lambda params: statuses.append(_plain(params)))
    await initialize(lsp_client, request.param, workspace, {"onex": {"diagnosticsDelayMs": 20}})
    yield lsp_client
    await lsp_client.shutdown_session()


async def _model_ready(client: LanguageClient) -> None:
    statuses: list[dict[str, Any]] = client.statuses  # type: ignore[attr-defined]
    await wait_for(lambda: statuses and statuses[-1]["state"] == "ready" and "minilm" in
                   statuses[-1]["model"], timeout=60)  # fmt: skip


async def test_status_notification_follows_the_server(status_client: LanguageClient) -> None:
    """A typed notification (not log text) says starting, loading the model, generating,
    ready — with the embedder, the store and whether learning is on."""
    statuses: list[dict[str, Any]] = status_client.statuses  # type: ignore[attr-defined]
    await _model_ready(status_client)
    states = [s["state"] for s in statuses]
    assert states[0] == "starting" and "loadingModel" in states, states
    last = statuses[-1]
    assert last["learning"] is True and SERVER_ENV["ONEX_LSP_DATA_DIR"] in last["store"], last
    assert all(a != b for a, b in itertools.pairwise(statuses))  # no repeats

    _, doc_uri = _contract(status_client)
    (lens,) = await _lenses(status_client, doc_uri)
    assert lens.command is not None
    before = len(statuses)
    await status_client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=lens.command.command, arguments=lens.command.arguments)
    )
    assert [s["state"] for s in statuses[before:]] == ["generating", "ready"]

    status_client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"onex": {"learning": False}})
    )
    await wait_for(lambda: statuses[-1]["learning"] is False)
    assert statuses[-1]["state"] == "ready"


async def test_pattern_library_request_shows_what_was_learned(
    status_client: LanguageClient,
) -> None:
    """``onex/patternLibrary`` answers from the server's own library (no CLI): a block
    learned from a saved handler, with its origin, and the feedback of its pattern."""
    client = status_client
    await _model_ready(client)
    path, doc_uri = _contract(client)
    (action,) = await request_actions(client, doc_uri, "source.onex.generateNode")
    await apply_action(client, action)
    handler = path.parent / PACKAGE / "handlers" / "handler_create_user.py"
    await save_learned_edit(client, handler)
    library = await client.protocol.send_request_async("onex/patternLibrary", {})
    data = _plain(library)
    blocks = [_plain(b) for b in data["blocks"]]
    mine = [b for b in blocks if b["origin"] == str(handler.resolve())]
    assert any(b["kind"] == "handler" and b["block"] == "crud.create" for b in mine), blocks
    patterns = {_plain(p)["key"]: _plain(p) for p in data["patterns"]}
    create = patterns["builtin:crud.create"]
    assert create["applied"] >= 1 and 0 < create["keepRate"] <= 1, create
    assert "minilm" in data["embedder"] and SERVER_ENV["ONEX_LSP_DATA_DIR"] in data["store"]
