"""Tables for the small parts of generation: imports, English, names, the descriptor, drift."""

from __future__ import annotations

import ast

import pytest

from onex_lsp import layout
from onex_lsp.contract.reader import load_contract
from onex_lsp.english import article, plural, singular
from onex_lsp.generation.code_drift import name_drift
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.drift import (
    AddHandlerPlan,
    add_handler_plan,
    alternative_blocks,
    merge_additions,
    swap_block_plan,
)
from onex_lsp.generation.imports import Code, ImportSet
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import plan_package
from onex_lsp.generation.ranking import choose_handlers
from onex_lsp.generation.rendering import environment
from onex_lsp.identifiers import IdentifierError
from tests.conftest import MINIMAL_EFFECT, WORKSPACE, generate, package_files


def test_imports_are_sorted_as_ruff_expects() -> None:
    imports = (
        ImportSet()
        .names(".models.model_b", ["ModelB"])
        .names("..protocol_x", ["ProtocolX"])
        .names("typing", ["Any"])
        .module("re")
        .names("omnibase_core.nodes", ["NodeEffect", "ModelEffectInput", "OPERATIONS"])
    )
    assert imports.render() == (
        "import re\nfrom typing import Any\n\n"
        "from omnibase_core.nodes import OPERATIONS, ModelEffectInput, NodeEffect\n\n"
        "from ..protocol_x import ProtocolX\nfrom .models.model_b import ModelB"
    )


@pytest.mark.parametrize("bad", ["os; import sys", "a.b c", "x-y"])
def test_imports_refuse_anything_but_names(bad: str) -> None:
    with pytest.raises(IdentifierError):
        ImportSet().names(bad, ["X"])


def test_the_code_filter_accepts_only_code_built_from_checked_parts() -> None:
    code = environment().from_string("{{ value | code }}")
    assert code.render(value=Code("import re")) == "import re"
    with pytest.raises(TypeError):
        code.render(value="import os")


@pytest.mark.parametrize(
    ("word", "one", "many", "a"),
    [
        ("invoices", "invoice", "invoices", "an"),
        ("statuses", "status", "statuses", "a"),
        ("children", "child", "children", "a"),
        ("user", "user", "users", "a"),
        ("data", "data", "data", "a"),
        ("hour", "hour", "hours", "an"),
    ],
)
def test_english(word: str, one: str, many: str, a: str) -> None:
    assert (singular(word), plural(singular(word)), article(singular(word))) == (one, many, a)


@pytest.mark.parametrize(
    ("operation", "ident", "module", "cls"),
    [
        ("create_user", "create_user", "handler_create_user", "HandlerCreateUser"),
        ("ledger.project", "ledger_project", "handler_ledger_project", "HandlerLedgerProject"),
        ("createUser", "create_user", "handler_create_user", "HandlerCreateUser"),
        ("class", "class_", "handler_class_", "HandlerClass"),
        ("2fa.verify", "op_2fa_verify", "handler_op_2fa_verify", "Handler2faVerify"),
    ],
)
def test_operation_names_become_python_names(
    operation: str, ident: str, module: str, cls: str
) -> None:
    assert layout.operation_ident(operation) == ident
    assert (layout.handler_module(operation), layout.handler_class(operation)) == (module, cls)


@pytest.mark.parametrize(
    ("descriptor", "block"),
    [
        ("", "crud.create"),
        ("descriptor: {idempotent: true}\n", "crud.upsert"),
        ("descriptor: {purity: pure}\n", "stub"),
    ],
)
def test_the_descriptor_informs_the_blocks(descriptor: str, block: str) -> None:
    contract = load_contract(MINIMAL_EFFECT + descriptor).contract
    assert contract is not None
    (choice,) = choose_handlers(contract, detect_contract(contract))
    assert choice.block == block


def test_the_new_verb_families_render_working_code_for_their_entity() -> None:
    text = MINIMAL_EFFECT.replace("create_user", "void_invoice") + (
        "    - operation: notify_user\n      handler: {name: handle_notify_user, module: "
        "handlers.handler_notify_user}\n"
        "event_bus: {publish_topics: [onex.evt.billing.invoice-voided.v1]}\n"
    )
    files = package_files(generate(text))
    void = files["handlers/handler_void_invoice.py"]
    assert "Move an invoice record to 'voided'" in void
    assert 'TARGET_STATE = "voided"' in void and "INVALID_STATE" in void
    assert 'TOPIC = "onex.evt.billing.invoice-voided.v1"' in void
    notify = files["handlers/handler_notify_user.py"]
    assert "await publisher.publish(TOPIC, event)" in notify
    for source in files.values():
        if source.startswith('"""'):
            ast.parse(source)


def test_a_renamed_handler_class_is_drift_with_a_fix_on_either_side() -> None:
    text = MINIMAL_EFFECT.replace("name: handle_create_user", "name: HandlerCreateUser")
    generated = generate(text)
    plan = generated.plan
    path = str(plan.handlers[0].module.path)
    renamed = generated.files[path].replace("class HandlerCreateUser", "class HandlerMakeUser")
    contract = load_contract(text, str(WORKSPACE / "contracts" / "contract.yaml")).contract
    assert contract is not None
    (drift,) = name_drift(contract, plan, {path: renamed})
    assert (drift.declared, drift.defined, drift.replacement) == (
        "HandlerCreateUser", ("HandlerMakeUser",), "HandlerMakeUser",
    )  # fmt: skip
    assert text.splitlines()[drift.range.start.line][drift.range.start.column :].startswith(
        "HandlerCreateUser"
    )
    # The other way: add the declared class back to the code.
    existing = {rel: generated.files[rel] for rel in generated.files} | {path: renamed}
    fix = add_handler_plan(generated, "create_user", existing)
    ((insert),) = [e for e in fix.edits if e.path == path]
    assert "class HandlerCreateUser:" in insert.text


def test_merge_additions_never_touches_a_line_the_user_changed() -> None:
    current = "a\nMINE\nc\n"
    fresh = "a\nb\nc\nd\n"
    inserts, skipped = merge_additions(current, fresh)
    assert inserts == [(3, "d\n")] and skipped == 1


def test_a_stub_can_take_any_block_of_its_kind_with_the_wiring_it_needs() -> None:
    text = MINIMAL_EFFECT.replace("create_user", "reconcile_ledger")
    generated = generate(text)
    contract = generated.contract
    (stub,) = generated.choices
    assert stub.block == "stub"
    offered = alternative_blocks(contract, stub)
    assert {"crud.create", "state.transition", "messaging.publish"} <= set(offered)
    swapped = plan_package(
        contract, generated_location(), blocks={"reconcile_ledger": "crud.create"}
    )
    plan = swap_block_plan(
        swapped, "reconcile_ledger", dict(generated.files), dict(generated.files)
    )
    folder = str(generated.plan.package)
    assert set(plan.new_files) == {
        f"{folder}/handlers/handler_reconcile_ledger.py",
        f"{folder}/protocol_user_management_repository.py",
        f"{folder}/in_memory_user_management_repository.py",
    }
    node = _apply(generated.files[f"{folder}/node.py"], plan, f"{folder}/node.py")
    assert "repository: ProtocolUserManagementRepository | None = None" in node
    assert "await handle_reconcile_ledger(request, self.repository)" in node
    ast.parse(node)


def generated_location() -> Location:
    return Location(WORKSPACE / "contracts" / "contract.yaml", WORKSPACE)


def _apply(text: str, plan: AddHandlerPlan, path: str) -> str:
    lines = text.splitlines(keepends=True)
    edits = sorted((e for e in plan.edits if e.path == path), key=lambda e: -e.start)
    for edit in edits:
        lines[edit.start : edit.end] = [edit.text]
    return "".join(lines)
