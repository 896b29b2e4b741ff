"""Rendering: contract values reach code only through safe filters; injection is inert."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.pipeline import plan_package
from onex_lsp.generation.rendering import SAFE_FILTERS, environment, templates_root
from tests.conftest import EXAMPLES, MINIMAL_EFFECT

TEMPLATES = sorted(templates_root().rglob("*.j2"))


def _unsafe_outputs(tree: nodes.Template) -> list[str]:
    bad: list[str] = []
    for output in tree.find_all(nodes.Output):
        for expr in output.nodes:
            if isinstance(expr, nodes.TemplateData):
                continue
            if isinstance(expr, nodes.Filter) and expr.name in SAFE_FILTERS:
                continue
            bad.append(f"line {expr.lineno}: {type(expr).__name__}")
    return bad


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(templates_root())))
def test_every_template_output_goes_through_a_safe_filter(template: Path) -> None:
    env = environment()
    tree = env.parse(template.read_text())
    assert _unsafe_outputs(tree) == []


def test_undefined_values_fail_loudly() -> None:
    with pytest.raises(jinja2.UndefinedError):
        environment().from_string("{{ missing | ident }}").render()


INJECTIONS = [
    'description: "\\"\\"\\"\\nimport os; os.system(\'rm -rf /\')\\n\\"\\"\\""',
    'description: "line one\\n# noqa\\nimport os"',
    'description: "ends with backslash \\\\"',
    'description: "\\u2028 paragraph separator and \\x00 nul"',
]


@pytest.mark.parametrize("line", INJECTIONS)
def test_contract_prose_cannot_inject_code(line: str) -> None:
    text = MINIMAL_EFFECT.replace("description: Manages users", line)
    result = load_contract(text)
    assert result.contract is not None, result.issues
    package = plan_package(result.contract)
    for rel, source in package.files.items():
        if not rel.endswith(".py"):
            continue
        tree = ast.parse(source)
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        assert "os" not in imported, rel
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "system"
        ]
        assert calls == [], rel


@pytest.mark.parametrize(
    "edit",
    [
        ("name: user_management", "name: ../../etc/evil"),
        ("name: user_management", "name: 'x\"); import os #'"),
        ("operation: create_user", "operation: ../../escape"),
        ("operation: create_user", "operation: 'x(); import os'"),
    ],
)
def test_hostile_names_are_refused_before_rendering(edit: tuple[str, str]) -> None:
    result = load_contract(MINIMAL_EFFECT.replace(*edit))
    assert not result.ok
    assert {i.code for i in result.errors} == {"invalid-identifier"}


def test_model_class_names_from_the_contract_are_checked() -> None:
    text = MINIMAL_EFFECT.replace(
        "input_model: ModelUserManagementInput",
        "input_model: pkg.Model_Evil(); import os",
    )
    contract = load_contract(text).contract
    assert contract is not None
    package = plan_package(contract)
    node_source = package.files["node.py"]
    assert "ModelUserManagementInput" in node_source  # fell back to the safe default
    assert "import os" not in node_source


@pytest.mark.parametrize("contract_path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_render_valid_python_with_one_handler_per_operation(
    contract_path: Path,
) -> None:
    contract = load_contract(contract_path.read_text(), str(contract_path)).contract
    assert contract is not None
    package = plan_package(contract)
    for rel, source in package.files.items():
        if rel.endswith(".py"):
            ast.parse(source, filename=rel)
    handlers = sorted(rel for rel in package.files if rel.startswith("handlers/handler_"))
    assert handlers == sorted(f"handlers/handler_{op.name}.py" for op in contract.operations)
    assert package.files["contract.yaml"] == contract_path.read_text()
    todo_files = [rel for rel, source in package.files.items() if "TODO" in source]
    stubs = [f"handlers/handler_{c.operation}.py" for c in package.choices if c.block == "stub"]
    assert todo_files == stubs


def test_only_low_confidence_operations_carry_a_todo() -> None:
    contract = load_contract(MINIMAL_EFFECT.replace("create_user", "reconcile_ledger")).contract
    assert contract is not None
    package = plan_package(contract)
    source = package.files["handlers/handler_reconcile_ledger.py"]
    assert re.search(r"# TODO\(onex-lsp\): implement reconcile_ledger", source)
