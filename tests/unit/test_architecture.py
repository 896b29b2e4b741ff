"""House rules that keep the code base in shape, checked rather than hoped for."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "server" / "onex_lsp"
# The domain: plain packages and modules that must never import the protocol layer or the
# adapters' libraries. Per package, the other packages of onex_lsp it must not import.
DOMAIN_PACKAGES = ["contract", "generation", "learning", "feedback"]
SHARED_MODULES = [
    "identifiers.py",
    "positions.py",
    "workspace_fs.py",
    "settings.py",
    "layout.py",
    "english.py",
    "loop_guard.py",
]
# The composition root and the entry points: they pick the store and the embedder.
ROOT_MODULES = ["services.py", "__init__.py", "__main__.py"]
ADAPTER_PACKAGES = ["lsp", "cli"]
NOT_IMPORTED_BY = {
    "contract": {"generation", "learning", "feedback", "lsp", "cli", "services"},
    "generation": {"learning", "feedback", "lsp", "cli", "services"},
    "learning": {"feedback", "lsp", "cli", "services"},
    "feedback": {"learning", "lsp", "cli", "services"},
}
FORBIDDEN = (
    "pygls",
    "lsprotocol",
    "qdrant_client",
    "qdrant_edge",
    "sentence_transformers",
    "torch",
    "onnxruntime",
    "onnx",
    "tokenizers",
    "safetensors",
)
# Each adapter library is imported by its own adapter module(s) and nowhere else in the
# domain: the server starts without loading them, and swapping one touches one module.
ADAPTER_MODULES = {
    "qdrant_edge": {"learning/store/qdrant_edge.py"},
    "qdrant_client": {"learning/store/qdrant_server.py"},
    "sentence_transformers": {"learning/embeddings/minilm_torch.py"},
    "torch": {"learning/embeddings/minilm_torch.py"},
    "onnxruntime": {"learning/embeddings/minilm_onnx.py"},
    "tokenizers": {"learning/embeddings/minilm_onnx.py"},
    "onnx": {"learning/embeddings/onnx_export.py"},
    "safetensors": {"learning/embeddings/onnx_export.py"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _domain_modules() -> list[Path]:
    modules = [PACKAGE / name for name in SHARED_MODULES]
    for package in DOMAIN_PACKAGES:
        modules += sorted((PACKAGE / package).rglob("*.py"))
    return modules


def _onex_imports(path: Path) -> set[str]:
    """The sub-packages of onex_lsp a module imports (``onex_lsp.<first>...``)."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "onex_lsp" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("module", _domain_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_domain_does_not_import_protocol_or_adapter_libraries(module: Path) -> None:
    """Only the adapters' own modules may import their library (the stores, the embedders)."""
    relative = module.relative_to(PACKAGE).as_posix()
    allowed = {name for name, owners in ADAPTER_MODULES.items() if relative in owners}
    assert sorted((_imports(module) - allowed) & set(FORBIDDEN)) == []


@pytest.mark.parametrize("package", sorted(NOT_IMPORTED_BY))
def test_packages_respect_their_dependency_rules(package: str) -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_onex_imports(path) & NOT_IMPORTED_BY[package])
        for path in sorted((PACKAGE / package).rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_every_module_is_under_a_rule() -> None:
    """Each module is in a package with dependency rules, or a named shared/root module."""
    known = set(SHARED_MODULES) | set(ROOT_MODULES)
    packages = set(DOMAIN_PACKAGES) | set(ADAPTER_PACKAGES)
    loose = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] not in packages and p.name not in known
    ]
    assert loose == []


def test_shared_modules_import_only_the_domain() -> None:
    """identifiers, positions, layout... sit under every package: they import no
    feature package but ``contract`` (the node kinds); settings also reads the
    generation defaults it exposes."""
    allowed = {"contract", *(m[:-3] for m in SHARED_MODULES)}
    offenders = {
        name: sorted(
            _onex_imports(PACKAGE / name)
            - allowed
            - ({"generation"} if name == "settings.py" else set())
        )
        for name in SHARED_MODULES
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_composition_root_picks_embedders() -> None:
    """Concrete embedders are imported by the composition root (and the model tool)."""
    concrete = ("learning.embeddings.minilm_onnx", "learning.embeddings.minilm_torch")
    outside = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] != "learning"
        and p.name not in ("services.py", "models.py")
        and any(name in p.read_text() for name in concrete)
    ]
    assert outside == []


def test_no_module_reaches_into_private_state() -> None:
    """``obj._name`` only on ``self``/``cls``: owners expose methods, not their insides
    (``os._exit`` and argparse's subparser type are the standard library's own)."""
    allowed = {"os._exit", "argparse._SubParsersAction"}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Attribute) and node.attr.startswith("_")):
                continue
            if node.attr.startswith("__") or ast.unparse(node) in allowed:
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {ast.unparse(node)}")
    assert found == []


def test_protocol_handlers_are_thin() -> None:
    """Each LSP method handler translates and delegates: at most 15 lines."""
    tree = ast.parse((PACKAGE / "lsp" / "handlers.py").read_text())
    long = [
        f"{node.name}: {node.end_lineno - node.lineno + 1}"
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > 15
    ]
    assert long == []


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
