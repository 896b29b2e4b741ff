"""The replay gate through the real server: a learned block whose module would not import
in the new contract's package is offered only as an alternative, its title saying why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_lsp import LanguageClient
from pytest_lsp.client import make_test_lsp_client

from tests.conftest import generate, package_files
from tests.e2e.conftest import blocking_reports
from tests.e2e.lsp_client import SERVER_COMMAND, SERVER_ENV, initialize, wait_for
from tests.e2e.test_feedback_loop import OPTIONS, actions_for, contract_text, stop

STORE = "    stored = await repository.create(record)\n"
# The user's module takes ``log`` from a star import: learned code keeps no star import.
USES_LOG = (
    "from omnibase_core.errors import OnexError\nfrom .logging_setup import *\n",
    '    log.info("creating a record")\n' + STORE,
)
# An import only the user's environment has: the static check cannot know, an import can.
USES_STRUCTLOG = (
    "from omnibase_core.errors import OnexError\nimport structlog\n",
    '    structlog.get_logger().info("creating a record")\n' + STORE,
)


def learn(workspace: Path, style: tuple[str, str]) -> None:
    """The user's create handler in their own style, learned with the CLI."""
    imports, body = style
    text = package_files(generate(contract_text("user")))["handlers/handler_create_user.py"]
    text = text.replace("from omnibase_core.errors import OnexError\n", imports)
    text = text.replace(STORE, body)
    source = workspace / "seed" / "node_user_book_effect" / "handlers" / "handler_create_user.py"
    source.parent.mkdir(parents=True)
    source.write_text(text)
    (source.parent.parent / "contract.yaml").write_text(contract_text("user"))
    subprocess.run(
        [sys.executable, "-m", "onex_lsp", "learn", "--yes", str(source), "--data-dir",
         str(workspace / ".onex-lsp"), "--embedder", "hashing"],
        check=True, capture_output=True,
    )  # fmt: skip


async def start(workspace: Path, options: dict[str, Any]) -> LanguageClient:
    client = make_test_lsp_client()
    await client.start_io(*SERVER_COMMAND, env=SERVER_ENV)
    await initialize(client, "visual-studio-code", workspace, options)
    await wait_for(
        lambda: any(m.message.startswith("pattern library:") for m in client.log_messages)
    )
    return client


async def gated_titles(workspace: Path, options: dict[str, Any]) -> list[str]:
    """The generate offers for a new contract; the first must be the built-in default."""
    client = await start(workspace, options)
    try:
        _, actions = await actions_for(client, workspace, "order")
        titles = [a.title for a in actions]
        assert actions[0].is_preferred and "your learned blocks" not in titles[0], titles
        assert not any(a.is_preferred for a in actions[1:]), titles
        assert blocking_reports(client) == []
        return titles
    finally:
        await stop(client)


async def test_a_block_using_an_undefined_name_is_not_the_default(tmp_path: Path) -> None:
    learn(tmp_path, USES_LOG)
    titles = await gated_titles(tmp_path, OPTIONS)
    (alternative,) = [t for t in titles if "create_order learned from" in t]
    assert alternative.endswith(
        "— not the default: uses `log`, undefined in the generated module"
    ), titles


@pytest.mark.framework
async def test_with_a_framework_interpreter_a_block_that_fails_to_import_is_not_the_default(
    tmp_path: Path, py312: Path
) -> None:
    learn(tmp_path, USES_STRUCTLOG)
    options = {"onex": {**OPTIONS["onex"], "validationInterpreter": str(py312)}}
    titles = await gated_titles(tmp_path, options)
    (alternative,) = [t for t in titles if "create_order learned from" in t]
    assert alternative.endswith(
        "— not the default: importing it in the generated package fails "
        "(ModuleNotFoundError: No module named 'structlog')"
    ), titles
