"""After generating, a client that announces ``experimental.onex.generatedNotification``
(VS Code's extension) gets ``onex/generated``: the summary, the package folder and every
file written, so that it offers "Show files" without reading the message's text. Other
clients keep the plain ``window/showMessage``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.conftest import ROOT
from tests.e2e.lsp_client import (
    FAST_OPTIONS,
    SERVER_COMMAND,
    SERVER_ENV,
    fix_code_action_parsing,
    generate_from,
    uri,
    wait_for,
)

EXAMPLE = ROOT / "examples" / "contracts" / "user_management_effect.yaml"
PACKAGE = "node_user_management_effect"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV),
    params=[True, False],
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    fix_code_action_parsing(lsp_client)
    lsp_client.feature(lsp.WORKSPACE_CODE_LENS_REFRESH)(lambda _: None)
    generated: list[Any] = []
    lsp_client.generated = generated  # type: ignore[attr-defined]
    lsp_client.feature("onex/generated")(lambda params: generated.append(params))
    capabilities = client_capabilities("visual-studio-code")
    if request.param:
        capabilities.experimental = {"onex": {"generatedNotification": True}}
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=capabilities,
            root_uri=uri(workspace),
            workspace_folders=[lsp.WorkspaceFolder(uri=uri(workspace), name="workspace")],
            initialization_options=FAST_OPTIONS,
        )
    )
    lsp_client.workspace_root = workspace  # type: ignore[attr-defined]
    lsp_client.announces = request.param  # type: ignore[attr-defined]
    yield lsp_client
    await lsp_client.shutdown_session()


def _field(params: Any, name: str) -> Any:
    return getattr(params, name) if hasattr(params, name) else params[name]


async def test_the_summary_names_the_files_written(client: LanguageClient) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    contract = workspace / "contract.yaml"
    await generate_from(client, EXAMPLE, contract)
    summary = f"Generated {PACKAGE}: 17 files, 5 handlers: 5 CRUD."
    generated: list[Any] = client.generated  # type: ignore[attr-defined]
    if not client.announces:  # type: ignore[attr-defined]
        await wait_for(lambda: any(m.message == summary for m in client.messages))
        assert generated == []
        return
    await wait_for(lambda: bool(generated))
    (params,) = generated
    assert _field(params, "message") == summary
    assert not any(m.message == summary for m in client.messages)  # said once
    package = workspace / PACKAGE
    assert _field(params, "folder") == uri(package)
    assert _field(params, "main") == uri(package / "node.py")
    on_disk = sorted(uri(p) for p in package.rglob("*") if p.is_file())
    assert sorted(_field(params, "files")) == on_disk and len(on_disk) == 17
