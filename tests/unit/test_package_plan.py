"""Where each part of a package goes, for every dialect: the contract's names, exactly."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.package_plan import HandlerStyle, Location, Shell, plan_layout
from tests.conftest import MINIMAL_EFFECT

ROOT = PurePosixPath("/repo")
HEAD = (
    "name: node_ledger_write_effect\nnode_type: EFFECT_GENERIC\n"
    "contract_version: {major: 1, minor: 0, patch: 0}\ndescription: Writes the ledger.\n"
)


def plan_of(text: str, contract_path: str):  # type: ignore[no-untyped-def]
    path = ROOT / contract_path
    contract = load_contract(text, str(path)).contract
    assert contract is not None
    return plan_layout(contract, Location(path, ROOT))


def test_strict_contract_beside_its_package_keeps_todays_layout() -> None:
    plan = plan_of(MINIMAL_EFFECT, "contracts/user_management.yaml")
    assert (plan.in_place, plan.shell, plan.style) == (False, Shell.ROUTING, HandlerStyle.FUNCTION)
    assert str(plan.package) == "contracts/node_user_management_effect"
    (handler,) = plan.handlers
    assert (str(handler.module.path), handler.name) == (
        "contracts/node_user_management_effect/handlers/handler_create_user.py",
        "handle_create_user",
    )
    assert plan.node is not None and plan.node.name == "NodeUserManagementEffect"
    assert plan.notes == ()


MODEL_REFS = HEAD + (
    "contract_name: ledger_write\n"
    "input_model: {name: ModelPayloadLedgerAppend, module: omnibase_infra.models.ledger."
    "model_payload_ledger_append}\n"
    "output_model: {name: ModelLedgerResult, module: omnibase_infra.nodes."
    "node_ledger_write_effect.models}\n"
    "handler_routing:\n  routing_strategy: operation_match\n  handlers:\n"
    "    - operation: ledger.append\n      handler: {name: HandlerLedgerAppend, module: "
    "omnibase_infra.nodes.node_ledger_write_effect.handlers.handler_ledger_append}\n"
    "    - operation: ledger.query\n      handler: {name: HandlerLedgerAppend, module: "
    "omnibase_infra.nodes.node_ledger_write_effect.handlers.handler_ledger_append}\n"
)


def test_model_refs_modules_resolve_in_the_package_and_in_the_workspace() -> None:
    plan = plan_of(MODEL_REFS, "src/omnibase_infra/nodes/node_ledger_write_effect/contract.yaml")
    assert plan.in_place and plan.shell is Shell.THIN and plan.style is HandlerStyle.CLASS
    (handler,) = plan.handlers  # one class serves both operations, as the contract says
    assert handler.operations == ("ledger.append", "ledger.query")
    assert handler.name == "HandlerLedgerAppend"
    assert str(handler.module.path) == (
        "src/omnibase_infra/nodes/node_ledger_write_effect/handlers/handler_ledger_append.py"
    )
    assert handler.module.rel == "handlers.handler_ledger_append"
    # Another package of the workspace: written there, imported by its dotted name.
    assert str(plan.input_model.module.path) == (
        "src/omnibase_infra/models/ledger/model_payload_ledger_append.py"
    )
    assert plan.input_model.module.rel == ""
    # A module that is a package (``...models``): one file per model inside it.
    assert plan.output_model.module.rel == "models.model_ledger_result"


def test_modules_outside_the_workspace_are_written_locally_with_a_note() -> None:
    plan = plan_of(MODEL_REFS, "elsewhere/node_ledger_write_effect/contract.yaml")
    assert plan.input_model.module.rel == "models.model_payload_ledger_append"
    codes = [note.code for note in plan.notes]
    assert codes == ["module-outside-workspace"]
    assert plan.handlers[0].module.rel == "handlers.handler_ledger_append"


def test_core_packaged_default_handler_is_the_entry_point() -> None:
    text = (
        "name: node_x_check_compute\nnode_id: node_x_check_compute\nnode_type: compute\n"
        "contract_version: {major: 1, minor: 0, patch: 0}\n"
        "input_model: omnibase_core.models.nodes.x.ModelXInput\n"
        "output_model: omnibase_core.models.validation.ModelValidationReport\n"
        "handler_routing:\n  version: {major: 1, minor: 0, patch: 0}\n"
        "  default_handler: handler:NodeXCheckCompute\n"
    )
    plan = plan_of(text, "nodes/node_x_check_compute/contract.yaml")
    assert plan.shell is Shell.NONE and plan.node is None
    (handler,) = plan.handlers
    assert (handler.module.rel, handler.name) == ("handler", "NodeXCheckCompute")
    assert plan.input_model.module.rel == "models.model_x_input"


def test_handler_classes_outside_handlers_are_flagged_with_the_move_that_fixes_them() -> None:
    text = (
        "name: node_y_compute\nnode_type: COMPUTE_GENERIC\n"
        "contract_version: {major: 1, minor: 0, patch: 0}\n"
        "handler_routing:\n  default_handler: handler:HandlerYCompute\n"
    )
    plan = plan_of(text, "nodes/node_y_compute/contract.yaml")
    (note,) = plan.notes
    assert note.code == "onex-validate-naming" and note.warning
    assert note.data == {"replacement": "handlers.handler:HandlerYCompute"}


def test_scaffold_contract_generates_in_its_nodes_folder() -> None:
    text = (
        "name: invoice_ledger\nnode_type: EFFECT_GENERIC\n"
        "contract_version: {major: 1, minor: 0, patch: 0}\n"
        "input_model: invoice_ledger.nodes.invoice_ledger.models.model_invoice_ledger_input."
        "ModelInvoiceLedgerInput\n"
        "handler:\n  module: invoice_ledger.nodes.invoice_ledger.handlers.handler_invoice_ledger\n"
        "  class: HandlerInvoiceLedger\n"
        "handler_routing:\n  default_handler: invoice_ledger.nodes.invoice_ledger.handlers."
        "handler_invoice_ledger:HandlerInvoiceLedger\n"
    )
    plan = plan_of(text, "invoice-ledger/src/invoice_ledger/nodes/invoice_ledger/contract.yaml")
    assert plan.in_place and plan.shell is Shell.THIN
    assert plan.node is not None
    assert (plan.node.module.rel, plan.node.name) == (
        "node_invoice_ledger_effect", "NodeInvoiceLedger",
    )  # fmt: skip
    assert plan.handlers[0].module.rel == "handlers.handler_invoice_ledger"
    assert plan.input_model.module.rel == "models.model_invoice_ledger_input"


@pytest.mark.parametrize(
    ("text", "shell"),
    [
        ("effect_operations:\n  operations:\n    - operation_name: scan\n", Shell.DECLARATIVE),
        ("state_machine: {states: []}\n", Shell.DECLARATIVE),
    ],
)
def test_subcontract_driven_nodes_get_the_declarative_shell(text: str, shell: Shell) -> None:
    plan = plan_of(HEAD + text, "nodes/node_ledger_write_effect/contract.yaml")
    assert plan.shell is shell and plan.handlers == ()
