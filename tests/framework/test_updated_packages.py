"""An updated package still runs its own tests on omnibase-core 0.47 (Python 3.12), with
the user's edits in place: ``onex-lsp update`` after contract changes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.update_helpers import edit_contract, generated_package, insert_line, run_cli

pytestmark = pytest.mark.framework
USER_CODE = "    request_operation = request.operation  # mine: kept through the update"


def _tests_pass(py: Path, package: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package.parent), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider", package.name],
        cwd=package.parent, capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip


def _rename_handler_and_model(package: Path) -> None:
    contract = package / "contract.yaml"
    contract.write_text(
        contract.read_text()
        .replace("name: handle_create_user", "name: handle_register_user")
        .replace("handlers.handler_create_user\n", "handlers.handler_register\n")
        .replace("models.model_user_management_input.", "models.model_account_request.")
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda p: edit_contract(
            p, ("add", "find_user"), ("remove", "delete_user"), ("rename", "list_users", "search")
        ),
        _rename_handler_and_model,
    ],
    ids=["operations-added-removed-renamed", "handler-and-model-moved"],
)
def test_updated_package_passes_its_tests(py312: Path, tmp_path: Path, change: object) -> None:
    package = generated_package(tmp_path)
    insert_line(package / "handlers/handler_create_user.py", '"""Create a user record', USER_CODE)
    before = _tests_pass(py312, package)
    assert before.returncode == 0, before.stdout + before.stderr
    change(package)  # type: ignore[operator]
    status, _, err = run_cli("update", str(package / "contract.yaml"))
    assert status == 0 and "conflict" not in err, err
    after = _tests_pass(py312, package)
    assert after.returncode == 0, after.stdout + after.stderr
    texts = "".join(p.read_text() for p in (package / "handlers").glob("*.py"))
    assert USER_CODE in texts
