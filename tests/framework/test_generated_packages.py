"""The bar: generated packages run on the real omnibase-core 0.47 in Python 3.12.

The suite builds (once, cached in .venv312/) a Python 3.12 venv with omnibase-core,
pytest, pytest-asyncio, mypy and ruff, generates a package from every example
contract with the real CLI, and checks in that venv that each package passes
``ruff check``, ``ruff format --check``, ``mypy --strict`` and its own generated
tests, and that its contract passes omnibase-core's ServiceContractValidator.
Without Python 3.12 the module is skipped locally and fails in CI.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from onex_lsp.contract.schema import KIND_KEYS, ROUTING_STRATEGIES, NodeKind
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.framework
CONTRACTS = [*EXAMPLES, ROOT / "tests" / "fixtures" / "long_names_effect.yaml"]


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("generated")
    packages: dict[str, Path] = {}
    for contract in CONTRACTS:
        proc = subprocess.run(
            [sys.executable, "-m", "onex_lsp", "generate", str(contract), "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        (package,) = [
            Path(line.strip()).parent.name
            for line in proc.stdout.splitlines()
            if line.strip().endswith("/node.py")
        ]
        packages[contract.stem] = out / package
    return packages


def _run(py: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [str(py), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )


def test_generated_code_passes_ruff_and_mypy_strict(
    py312: Path, generated: dict[str, Path]
) -> None:
    root = next(iter(generated.values())).parent
    names = sorted(p.name for p in generated.values())
    check = _run(py312, "-m", "ruff", "check", "--isolated", *names, cwd=root)
    assert check.returncode == 0, check.stdout
    fmt = _run(py312, "-m", "ruff", "format", "--isolated", "--check", *names, cwd=root)
    assert fmt.returncode == 0, fmt.stdout
    types = _run(py312, "-m", "mypy", "--strict", "--no-incremental", *names, cwd=root)
    assert types.returncode == 0, types.stdout


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda p: p.stem)
def test_generated_package_runs_its_tests_on_omnibase_core(
    py312: Path, generated: dict[str, Path], contract: Path
) -> None:
    package = generated[contract.stem]
    proc = _run(
        py312, "-m", "pytest", "-q", "-p", "no:cacheprovider", package.name, cwd=package.parent
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout


_VALIDATE = """
import json, sys
from omnibase_core.services.service_contract_validator import ServiceContractValidator
text, kind = open(sys.argv[1]).read(), sys.argv[2]
r = ServiceContractValidator().validate_contract_yaml(text, kind)
print(json.dumps({"is_valid": r.is_valid, "violations": r.violations}))
"""


def test_generated_packages_pass_onex_validate_strict(
    py312: Path, generated: dict[str, Path]
) -> None:
    """The framework's own gate, on every package (outside any folder named 'examples':
    ``onex validate`` skips paths containing that word)."""
    root = next(iter(generated.values())).parent
    assert "examples" not in str(root)
    onex = py312.parent / "onex"
    names = sorted(p.name for p in generated.values())
    proc = _run(onex, "-v", "validate", "--strict", *names, cwd=root)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert proc.stdout.count("Validating ") == len(names)
    assert "[FAIL]" not in proc.stdout


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda p: p.stem)
def test_contract_passes_service_contract_validator(
    py312: Path, generated: dict[str, Path], contract: Path
) -> None:
    package = generated[contract.stem]
    kind = package.name.rsplit("_", 1)[1]
    proc = _run(py312, "-c", _VALIDATE, str(package / "contract.yaml"), kind, cwd=package.parent)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"is_valid": True, "violations": []}


_FIELDS = """
import importlib, json
from omnibase_core.enums.enum_handler_routing_strategy import EnumHandlerRoutingStrategy
out = {}
for kind in ["effect", "compute", "reducer", "orchestrator"]:
    m = importlib.import_module(f"omnibase_core.models.contracts.model_contract_{kind}")
    cls = getattr(m, f"ModelContract{kind.capitalize()}")
    out[kind] = sorted(f.alias or n for n, f in cls.model_fields.items())
out["strategies"] = sorted(e.value for e in EnumHandlerRoutingStrategy)
print(json.dumps(out))
"""


def test_contract_key_tables_match_the_installed_framework(py312: Path, tmp_path: Path) -> None:
    proc = _run(py312, "-c", _FIELDS, cwd=tmp_path)
    fields = json.loads(proc.stdout.strip().splitlines()[-1])
    for kind in NodeKind:
        assert sorted(KIND_KEYS[kind]) == fields[kind.value], kind
    assert sorted(ROUTING_STRATEGIES) == fields["strategies"]


def _grow(folder: Path, extra: str, entry: str) -> tuple[Any, Any]:
    """Append an operation to the contract in ``folder``; the new contract and where it is."""
    from onex_lsp.contract.reader import load_contract
    from onex_lsp.generation.package_plan import Location

    contract_path = folder / "contract.yaml"
    grown = contract_path.read_text() + entry
    contract_path.write_text(grown)
    contract = load_contract(grown, str(contract_path)).contract
    assert contract is not None
    return contract, Location(contract_path, folder.parent)


def test_quick_fix_and_alternative_blocks_keep_the_package_working(
    py312: Path, tmp_path: Path
) -> None:
    """The drift edits (a new operation's handler and routing, an alternative block)
    leave a package that still passes ruff, mypy --strict and its tests, in the function
    layout and in the class layout."""
    from onex_lsp.contract.reader import load_contract
    from onex_lsp.generation.detection import detect_contract
    from onex_lsp.generation.drift import (
        add_handler_plan,
        alternative_blocks,
        render_with_block,
        swap_block_plan,
    )
    from onex_lsp.generation.package_plan import Location
    from onex_lsp.generation.pipeline import plan_package
    from onex_lsp.generation.ranking import choose_handlers
    from onex_lsp.lsp.commands import apply_additions
    from onex_lsp.workspace_fs import atomic_write, read_texts, write_tree

    packages = []
    cases = [
        ("user_management_effect", "find_user", "handle_find_user", "handlers.handler_find_user"),
        ("sales_metrics_reducer", "sum_refunds", "handle_sum_refunds", "handlers.handler_sum_refunds"),
        ("user_onboarding_orchestrator", "notify_manager", "handle_notify_manager",
         "handlers.handler_notify_manager"),
        ("customer_records_effect", "archive_customer", "HandlerArchiveCustomer",
         "handlers.handler_archive_customer"),
    ]  # fmt: skip
    for example, extra, name, module in cases:
        folder = tmp_path / f"node_{example}"
        folder.mkdir()
        contract_path = folder / "contract.yaml"
        original = (ROOT / "examples" / "contracts" / f"{example}.yaml").read_text()
        if name[0].isupper():  # the class layout: every handler named as a class
            original = re.sub(
                r"name: handle_(\w+)",
                lambda m: "name: Handler" + "".join(w.title() for w in m.group(1).split("_")),
                original,
            )
        contract_path.write_text(original)
        contract = load_contract(original, str(contract_path)).contract
        assert contract is not None
        base = plan_package(contract, Location(contract_path, tmp_path)).files
        write_tree(tmp_path, base)
        entry = f"    - operation: {extra}\n      handler: {{name: {name}, module: {module}}}\n"
        contract, where = _grow(folder, extra, entry)
        generated = plan_package(contract, where)
        plan = add_handler_plan(generated, extra, read_texts(tmp_path, list(generated.files)), base)
        assert plan.routed, example
        apply_additions(tmp_path, plan)
        # Swap the first handler for each alternative block in turn; keep the last one.
        first = choose_handlers(contract, detect_contract(contract))[0]
        if generated.plan.style.value == "function":
            for block in alternative_blocks(contract, first):
                rel, text = render_with_block(contract, where, first.operation, block, 0.7)
                atomic_write(tmp_path / rel, text)
                assert ast_ok(tmp_path / rel)
        packages.append(folder.name)
    # A stub takes a block that needs a repository: the swap brings the wiring.
    stub = tmp_path / "node_ledger_effect"
    stub.mkdir()
    text = (ROOT / "examples" / "contracts" / "user_management_effect.yaml").read_text()
    text = text.replace("node_user_management_effect", "node_ledger_effect").replace(
        "user_management", "ledger"
    )
    head, _, _ = text.partition("    - operation: create_user")
    text = head + (
        "    - operation: reconcile_ledger\n      handler: {name: handle_reconcile_ledger, "
        "module: handlers.handler_reconcile_ledger}\n"
    )
    (stub / "contract.yaml").write_text(text)
    contract = load_contract(text, str(stub / "contract.yaml")).contract
    assert contract is not None
    where = Location(stub / "contract.yaml", tmp_path)
    base = plan_package(contract, where).files
    write_tree(tmp_path, base)
    swapped = plan_package(contract, where, blocks={"reconcile_ledger": "crud.create"})
    plan = swap_block_plan(
        swapped, "reconcile_ledger", read_texts(tmp_path, list(swapped.files)), base
    )
    assert plan.routed
    write_tree(
        tmp_path, {p: t for p, t in plan.new_files.items() if "handler_" in p}, overwrite=True
    )
    apply_additions(tmp_path, replace(plan, new_files={
        p: t for p, t in plan.new_files.items() if "handler_" not in p
    }))  # fmt: skip
    packages.append(stub.name)
    cases.append(("ledger_effect", "reconcile_ledger", "", ""))
    check = _run(py312, "-m", "ruff", "check", "--isolated", *packages, cwd=tmp_path)
    assert check.returncode == 0, check.stdout
    types = _run(py312, "-m", "mypy", "--strict", "--no-incremental", *packages, cwd=tmp_path)
    assert types.returncode == 0, types.stdout
    # The generated tests of the swapped handler no longer describe it; the rest must pass,
    # and the new operation must be routed.
    for package in packages:
        proc = _run(
            py312, "-m", "pytest", "-q", "-p", "no:cacheprovider", package,
            "-k", "lifecycle or unknown_operation", cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        extra = next(c[1] for c in cases if f"node_{c[0]}" == package)
        routed = _run(py312, "-c", _ROUTED.format(package=package, operation=extra), cwd=tmp_path)
        assert routed.returncode == 0, routed.stdout + routed.stderr


_ROUTED = """
import asyncio, importlib
from omnibase_core.errors import OnexError
from omnibase_core.models.container.model_onex_container import ModelONEXContainer
pkg = importlib.import_module("{package}")
node_cls = next(v for k, v in vars(pkg).items() if k.startswith("Node"))
model = next(v for k, v in vars(pkg).items() if k.startswith("Model") and k.endswith("Input"))
class Executor:
    async def run_step(self, step, context):
        return {{}}
    async def compensate_step(self, step, context):
        return None
node = node_cls(ModelONEXContainer())
if hasattr(node, "executor"):
    node.executor = Executor()
route = getattr(node, "execute", None) or node.handle
request = model(operation="{operation}", payload={{"id": "x", "name": "n"}})
try:
    output = asyncio.run(route(request))
    assert output.operation == "{operation}", output
except OnexError as error:
    assert "unknown operation" not in str(error), error
"""


def ast_ok(path: Path) -> bool:
    import ast

    ast.parse(path.read_text())
    return True


def test_learn_bootstraps_from_omnibase_cores_own_source(py312: Path, tmp_path: Path) -> None:
    """``onex-lsp learn`` over the installed omnibase-core tree: no crash, figures reported."""
    source = next(py312.parent.parent.glob("lib/python3.12/site-packages/omnibase_core"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "onex_lsp",
            "learn",
            "--yes",
            str(source),
            "--data-dir",
            str(tmp_path),
            "--embedder",
            "hashing",
        ],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = proc.stdout.splitlines()[0]
    learned, files = int(summary.split()[1]), int(summary.split(" from ")[1].split()[0])
    assert files > 1000 and learned > 1000, summary
    assert "Traceback" not in proc.stderr
