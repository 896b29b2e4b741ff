"""House rules that keep the code base in shape, checked rather than hoped for."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "server" / "onex_lsp"
# The domain: plain modules that must never import the protocol or the adapters' libraries.
DOMAIN = [
    "contract.py", "contract_schema.py", "contract_yaml.py", "contract_sections.py", "detection.py", "ranking.py", "rendering.py",
    "identifiers.py", "positions.py", "workspace_fs.py", "generation.py", "formatting.py",
]  # fmt: skip
FORBIDDEN = (
    "pygls",
    "lsprotocol",
    "qdrant_client",
    "qdrant_edge",
    "sentence_transformers",
    "torch",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_does_not_import_protocol_or_adapter_libraries(module: str) -> None:
    assert _imports(PACKAGE / module).isdisjoint(FORBIDDEN)


def test_modules_stay_small() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in PACKAGE.rglob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 450} == {}


def test_no_utils_module() -> None:
    assert not list(PACKAGE.rglob("utils.py"))


def test_ruff_check_and_format() -> None:
    paths = ["server", "tests", "scripts", "bench"]
    check = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict() -> None:
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
