"""A block learned from one contract re-renders as valid, formatted Python for another."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.package_plan import Location, plan_layout
from onex_lsp.generation.pipeline import plan_package
from onex_lsp.learning.blocks import blocks_from_source
from onex_lsp.learning.library import learned_option
from onex_lsp.learning.parameterize import (
    NameContext,
    entity_of,
    fingerprint,
    instantiate,
    parameterize,
    plural,
)
from tests.conftest import ROOT, WORKSPACE, package_files

WHERE = Location(WORKSPACE / "contracts" / "contract.yaml", WORKSPACE)

EXAMPLES = ROOT / "examples" / "contracts"


@pytest.mark.parametrize(
    ("operation", "entity"),
    [
        ("create_user", "user"),
        ("list_users", "user"),
        ("get_order_item", "order_item"),
        ("reconcile", "reconcile"),
        ("total_sales", "sale"),
    ],
)
def test_entity_of(operation: str, entity: str) -> None:
    assert entity_of(operation) == entity


@pytest.mark.parametrize(
    ("word", "plural_form"),
    [("user", "users"), ("category", "categories"), ("box", "boxes"), ("day", "days")],
)
def test_plural(word: str, plural_form: str) -> None:
    assert plural(word) == plural_form


def _generated(example: str, operation: str) -> str:
    contract = load_contract((EXAMPLES / example).read_text()).contract
    assert contract is not None
    files = package_files(plan_package(contract, WHERE))
    return files[f"handlers/handler_{operation}.py"]


def test_names_become_placeholders_and_come_back() -> None:
    source = "users = await repository.query({'user_id': user.id})  # ModelUserManagementInput, UserRecord\n"
    context = NameContext(node="user_management", kind="effect", operation="create_user")
    template = parameterize(source, context)
    assert template == (
        "__ONEX_ENTITIES__ = await repository.query({'__ONEX_ENTITY___id': __ONEX_ENTITY__.id})"
        "  # __ONEX_INPUT_CLASS__, __ONEX_ENTITY_PASCAL__Record\n"
    )
    order = NameContext(node="orders", kind="effect", operation="create_order")
    assert instantiate(template, order) == (
        "orders = await repository.query({'order_id': order.id})  # ModelOrdersInput, OrderRecord\n"
    )


def test_a_create_user_block_re_renders_for_create_order(tmp_path: Path) -> None:
    house = _generated("user_management_effect.yaml", "create_user").replace(
        "    stored = await repository.create(record)\n",
        '    record.setdefault("status", "active")  # every user starts active\n'
        "    stored = await repository.create(record)\n",
    )
    path = "/ws/node_user_management_effect/handlers/handler_create_user.py"
    (handler,) = [b for b in blocks_from_source(house, path).blocks if b.kind == "handler"]
    assert (handler.block, handler.node_kind, handler.needs, handler.is_async) == (
        "crud.create",
        "effect",
        "repository",
        True,
    )
    assert "create_user" not in handler.template and "user_management" not in handler.template

    text = (
        (EXAMPLES / "customer_records_effect.yaml")
        .read_text()
        .replace("upsert_customer", "create_customer")
    )
    contract = load_contract(text).contract
    assert contract is not None
    plan = plan_layout(contract, WHERE)
    option = learned_option(handler, contract, plan, "create_customer", 0.9)
    assert option is not None
    option = replace(option, origin="node_user_management_effect/handlers/handler_create_user.py")
    package = plan_package(contract, WHERE, learned={"create_customer": [option]})
    rendered = package_files(package)["handlers/handler_create_customer.py"]
    ast.parse(rendered)
    assert 'record.setdefault("status", "active")  # every customer starts active' in rendered
    assert "async def handle_create_customer(" in rendered
    assert (
        "ModelCustomerRecordsInput" in rendered and "ProtocolCustomerRecordsRepository" in rendered
    )
    assert '"create_customer needs a non-empty payload"' in rendered
    assert "node_user_management_effect/handlers/handler_create_user.py" in rendered
    out = tmp_path / "handler.py"
    out.write_text(rendered)
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--check", str(out)],
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout


# (a, b, same fingerprint): formatting is ignored, content (docstrings, comments) is not
FINGERPRINTS = [
    ("def f(x):\n    return x + 1\n", "def f( x ):\n    return (x+1)\n", True),
    ('def f(x):\n    """Doc  text."""\n    return x\n', 'def f(x):\n    """Doc\n    text."""\n    return x\n', True),
    ("def f(x):\n    return x  #  note\n", "def f(x):\n    return x # note\n", True),
    ("def f(x):\n    return x + 1\n", "def f(x):\n    return x + 2\n", False),
    ('def f(x):\n    """Doc."""\n    return x\n', 'def f(x):\n    """Docs."""\n    return x\n', False),
    ("def f(x):\n    return x\n", "def f(x):\n    return x  # why\n", False),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b", "same"), FINGERPRINTS)
def test_fingerprint_ignores_formatting_not_content(a: str, b: str, same: bool) -> None:
    assert (fingerprint(a) == fingerprint(b)) is same


def test_a_docstring_only_fix_is_learned() -> None:
    source = _generated("sales_metrics_reducer.yaml", "total_sales")
    path = "/ws/node_sales_metrics_reducer/handlers/handler_total_sales.py"
    fixed = source.replace("Items without a number", "Items without an amount")
    commented = source.replace(
        "\n    return ", "\n    # the house rule: always round\n    return ", 1
    )
    assert fixed != source != commented
    prints = [
        {b.fingerprint for b in blocks_from_source(text, path).blocks if b.kind == "handler"}
        for text in (source, fixed, commented)
    ]
    assert len(prints[0] | prints[1] | prints[2]) == 3


def test_resaving_an_unchanged_file_adds_nothing() -> None:
    source = _generated("sales_metrics_reducer.yaml", "total_sales")
    path = "/ws/node_sales_metrics_reducer/handlers/handler_total_sales.py"
    first = {b.fingerprint for b in blocks_from_source(source, path).blocks}
    again = {
        b.fingerprint for b in blocks_from_source(source.replace("\n\n\n", "\n\n\n\n"), path).blocks
    }
    assert first == again


def test_instantiate_refuses_unknown_or_unsafe_names() -> None:
    with pytest.raises(ValueError):
        instantiate(
            "__ONEX_SOMETHING_ELSE__\n", NameContext(node="a", kind="effect", operation="get_a")
        )
    with pytest.raises(ValueError):
        instantiate(
            "__ONEX_OPERATION__\n", NameContext(node="a", kind="effect", operation="x; import os")
        )
