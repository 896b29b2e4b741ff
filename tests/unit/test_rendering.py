"""Rendering: contract values reach code only through safe filters; injection is inert."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.rendering import SAFE_FILTERS, environment, templates_root
from tests.conftest import EXAMPLES, MINIMAL_EFFECT, generate, package_files

TEMPLATES = sorted(templates_root().rglob("*.j2"))


LAYOUT_FILTERS = frozenset({"indent", "docstring"})


def _block_macro(expr: nodes.Expr) -> bool:
    """``block.body(h)`` (maybe re-indented): a pattern block, itself a checked template."""
    while isinstance(expr, nodes.Filter) and expr.name in LAYOUT_FILTERS and expr.node:
        expr = expr.node
    return (
        isinstance(expr, nodes.Call)
        and isinstance(expr.node, nodes.Getattr)
        and isinstance(expr.node.node, nodes.Name)
        and expr.node.node.name == "block"
    )


def _unsafe_outputs(tree: nodes.Template) -> list[str]:
    bad: list[str] = []
    for output in tree.find_all(nodes.Output):
        for expr in output.nodes:
            if isinstance(expr, nodes.TemplateData) or _block_macro(expr):
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
    package = generate(text)
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
        ("operation: create_user", "operation: self"),
        ("operation: create_user", "operation: class"),
    ],
)
def test_hostile_names_become_inert_names_inside_the_package(edit: tuple[str, str]) -> None:
    package = generate(MINIMAL_EFFECT.replace(*edit))
    folder = str(package.plan.package)
    assert all(rel.startswith(folder + "/") and ".." not in rel for rel in package.files)
    for rel, source in package.files.items():
        if rel.endswith(".py"):
            tree = ast.parse(source)
            assert not [n for n in ast.walk(tree) if isinstance(n, ast.Import) and any(
                a.name == "os" for a in n.names)], rel  # fmt: skip


def test_model_class_names_that_are_not_python_block_generation() -> None:
    text = MINIMAL_EFFECT.replace(
        "input_model: ModelUserManagementInput",
        "input_model: pkg.Model_Evil(); import os",
    )
    result = load_contract(text)
    assert result.ok and not result.generatable
    assert [i.code for i in result.generation_blockers] == ["invalid-identifier"]


@pytest.mark.parametrize("contract_path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_render_valid_python_with_one_handler_per_operation(
    contract_path: Path,
) -> None:
    contract = load_contract(contract_path.read_text(), str(contract_path)).contract
    assert contract is not None
    package = generate(contract_path.read_text())
    files = package_files(package)
    for rel, source in files.items():
        if rel.endswith(".py"):
            ast.parse(source, filename=rel)
    handlers = sorted(rel for rel in files if rel.startswith("handlers/handler_"))
    assert handlers == sorted(f"handlers/handler_{op.name}.py" for op in contract.operations)
    assert files["contract.yaml"] == contract_path.read_text()
    todo_files = [rel for rel, source in files.items() if "TODO" in source]
    stubs = [f"handlers/handler_{c.operation}.py" for c in package.choices if c.block == "stub"]
    assert todo_files == stubs


def test_only_low_confidence_operations_carry_a_todo() -> None:
    package = generate(MINIMAL_EFFECT.replace("create_user", "reconcile_ledger"))
    source = package_files(package)["handlers/handler_reconcile_ledger.py"]
    assert re.search(r"# TODO\(onex-lsp\): implement reconcile_ledger", source)
