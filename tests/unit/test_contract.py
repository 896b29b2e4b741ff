"""Reading contracts: an error means omnibase-core would reject the file; nothing else is one.

Tables of (edit, expected diagnostics). The severities follow the framework as installed:
errors for what both ``onex validate`` and the strict ModelContract models reject,
warnings for what one of them (or the generated code) trips on, opt-in hints for what
only the strict models reject, information for why generation is not offered.
"""

from __future__ import annotations

import pytest

from onex_lsp.contract.model import Dialect, Severity
from onex_lsp.contract.reader import load_contract
from onex_lsp.contract.schema import NodeKind
from tests.conftest import MINIMAL_EFFECT


def found(
    text: str, path: str = "contract.yaml", **options: bool
) -> list[tuple[str, str, int, int]]:
    """(code, severity, 1-based line, 1-based column) of each issue."""
    result = load_contract(text, path, **options)
    return [
        (i.code, i.severity.value, i.range.start.line + 1, i.range.start.column + 1)
        for i in result.issues
    ]


def test_minimal_contract_reads_without_issues() -> None:
    result = load_contract(MINIMAL_EFFECT)
    assert result.ok and result.generatable and result.issues == ()
    contract = result.contract
    assert contract is not None
    assert (contract.name, contract.kind, contract.version, contract.dialect) == (
        "user_management", NodeKind.EFFECT, (1, 0, 0), Dialect.STRICT,
    )  # fmt: skip
    (op,) = contract.operations
    assert (op.name, op.range.start.line, op.range.start.column) == ("create_user", 10, 17)
    assert op.handler is not None
    assert (op.handler.name, op.handler.module) == (
        "handle_create_user", "handlers.handler_create_user",
    )  # fmt: skip


# What omnibase-core rejects on every path: errors, on the value that is wrong.
ERRORS = [
    ("node_type: EFFECT_GENERIC", "node_type: gizmo", [("invalid-node-type", "error", 4, 12)]),
    ("node_type: EFFECT_GENERIC", "node_type: runtime_host", [("invalid-node-type", "error", 4, 12)]),
    ("node_type: EFFECT_GENERIC\n", "", [("missing-field", "error", 1, 1)]),
    ("contract_version: {major: 1, minor: 0, patch: 0}\n", "", [("missing-field", "error", 1, 1)]),
    ("{major: 1, minor: 0, patch: 0}\ndescription", "'1.0.0'\ndescription",
     [("invalid-version", "error", 2, 19)]),
    ("{major: 1, minor: 0, patch: 0}\ndescription", "{major: 1, minor: 0}\ndescription",
     [("invalid-version", "error", 2, 19)]),
    ("{major: 1, minor: 0, patch: 0}\ndescription", "{major: one, minor: 0, patch: 0}\ndescription",
     [("invalid-version", "error", 2, 27)]),
    ("description: Manages users", "description: [a, b]", [("wrong-type", "error", 3, 14)]),
    ("description: Manages users\n", "description: Manages users\nversion: 1\n",
     [("deprecated-version-key", "error", 4, 1)]),
    ("description: Manages users\n", "description: Manages users\ngolden_path: [1]\n",
     [("wrong-type", "error", 4, 15)]),
    ("description: Manages users\n", "description: Manages users\ndescription: again\n",
     [("duplicate-key", "error", 4, 1)]),
    ("      handler: {name: handle_create_user,", "      handler: {name: a, name: handle_create_user,",
     [("duplicate-key", "error", 12, 26)]),
    ("name: user_management\n", "name: user_management\nyes: 1\ntrue: 2\n",
     [("duplicate-key", "error", 3, 1)]),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), ERRORS, ids=[e[2][0][0] for e in ERRORS])
def test_framework_rejections_are_errors_where_they_are(
    old: str, new: str, expected: list[tuple[str, str, int, int]]
) -> None:
    assert old in MINIMAL_EFFECT
    assert found(MINIMAL_EFFECT.replace(old, new, 1)) == expected


# What real contracts do and omnibase-core accepts: never an error.
ACCEPTED = [
    ("unknown top-level keys", "description: Manages users\n",
     "description: Manages users\nnode_id: x\ndescriptor: {purity: pure}\nmetadata: {a: 1}\n"),
    ("dotted operations", "operation: create_user", "operation: ledger.project"),
    ("camelCase operations", "operation: create_user", "operation: createUser"),
    ("routing without a version", "  version: {major: 1, minor: 0, patch: 0}\n", ""),
    ("a routing strategy outside the strict enum", "operation_match", "topic_match"),
    ("handler refs {module, class}", "handler: {name: handle_create_user, module",
     "handler: {class: HandlerCreateUser, module"),
    ("model refs as mappings", "input_model: ModelUserManagementInput",
     "input_model: {name: ModelUserManagementInput, module: pkg.models, description: in}"),
    ("lower-case enum spelling", "node_type: EFFECT_GENERIC", "node_type: effect_generic"),
    ("aliases", "description: Manages users\n", "description: &d Manages users\ntags: [*d]\n"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "old", "new"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_what_real_contracts_do_is_not_an_error(what: str, old: str, new: str) -> None:
    assert old in MINIMAL_EFFECT
    result = load_contract(MINIMAL_EFFECT.replace(old, new, 1))
    assert result.errors == (), what
    assert result.ok


WARNINGS = [
    ("node_type: EFFECT_GENERIC", "node_type: effect", "onex-validate-node-type", 4, 12),
    ("node_type: EFFECT_GENERIC", "node_type: EFFECT", "onex-validate-node-type", 4, 12),
    ("name: user_management", "name: node_user_management_compute", "kind-mismatch", 1, 7),
    ("      handler: {name: handle_create_user, module: handlers.handler_create_user}\n",
     "      handler: {name: handle_create_user, module: handlers.handler_create_user}\n"
     "    - operation: create.user\n      handler: {name: h, module: m}\n",
     "operation-name-clash", 13, 18),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "code", "line", "column"), WARNINGS)
def test_what_onex_validate_or_the_generator_trips_on_is_a_warning(
    old: str, new: str, code: str, line: int, column: int
) -> None:
    text = MINIMAL_EFFECT.replace(old, new, 1)
    assert (code, "warning", line, column) in found(text)
    assert load_contract(text).errors == ()


def test_onex_validate_node_type_warning_carries_its_fix() -> None:
    (issue,) = load_contract(MINIMAL_EFFECT.replace("EFFECT_GENERIC", "effect")).issues
    assert issue.data == {"replacement": "EFFECT_GENERIC"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("name: [unclosed\n", "yaml-syntax"),
        ("a: 1\n---\nb: 2\n", "yaml-syntax"),
        ("", "missing-field"),
        ("- just\n- a list\n", "wrong-type"),
        ("a: " + "[" * 200 + "]" * 200 + "\n", "too-deep"),
        ("description: " + "x" * 600_000 + "\n", "too-large"),
        ("name: x\n\udca2d\udcb0C\n", "yaml-syntax"),  # undecodable bytes the editor kept
    ],
    ids=["syntax", "two-documents", "empty", "list", "deep", "large", "surrogates"],
)
def test_broken_documents_give_one_clear_error(text: str, code: str) -> None:
    result = load_contract(text)
    assert result.contract is None
    assert [(i.code, i.severity) for i in result.issues] == [(code, Severity.ERROR)]


def test_an_alias_bomb_is_read_without_expanding_it() -> None:
    lol = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lol += f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    result = load_contract(lol)  # 9**10 leaves if expanded: this returns at once
    assert [i.code for i in result.errors] == ["missing-field", "missing-field"]


DIALECTS = [
    (Dialect.SCAFFOLD, "name: invoice_ledger\nnode_type: EFFECT_GENERIC\n"
     "contract_version: {major: 1, minor: 0, patch: 0}\n"
     "handler: {module: pkg.handlers.handler_invoice_ledger, class: HandlerInvoiceLedger}\n"
     "handler_routing:\n  default_handler: pkg.handlers.handler_invoice_ledger:HandlerInvoiceLedger\n"),
    (Dialect.CORE_PACKAGED, "name: node_x_check_compute\nnode_id: node_x_check_compute\n"
     "node_type: compute\ncontract_version: {major: 1, minor: 0, patch: 0}\n"
     "handler_routing:\n  version: {major: 1, minor: 0, patch: 0}\n"
     "  default_handler: handler:NodeXCheckCompute\n"),
    (Dialect.MODEL_REFS, "name: node_ledger_effect\ncontract_name: ledger\nnode_name: ledger\n"
     "node_type: EFFECT_GENERIC\ncontract_version: {major: 0, minor: 1, patch: 0}\n"
     "input_model: {name: ModelLedgerIn, module: pkg.models}\n"
     "handler_routing:\n  routing_strategy: operation_match\n  handlers:\n"
     "    - operation: ledger.append\n      handler: {name: HandlerLedgerAppend, module: pkg.h}\n"),
    (Dialect.SUBCONTRACT, "node_type: EFFECT_GENERIC\ncontract_version: {major: 1, minor: 0, patch: 0}\n"
     "effect_operations:\n  operations:\n    - operation_name: scan_directory\n"),
    (Dialect.WORKFLOW, "workflow_id: w\nnode_type: ORCHESTRATOR_GENERIC\n"
     "contract_version: {major: 1, minor: 0, patch: 0}\n"),
    (Dialect.HANDLER_CONTRACT, "handler_id: node.x\nname: X\ncontract_version: {major: 1, minor: 0, patch: 0}\n"
     "capability_inputs: []\n"),
    (Dialect.LEGACY_TOOL, "name: tool\nnode_type: EFFECT_GENERIC\ncontract_version: {major: 1, minor: 0, patch: 0}\n"
     "tool_specification: {main_tool_class: NodeTool}\nactions: [{name: perform}]\n"),
]  # fmt: skip


@pytest.mark.parametrize(("dialect", "text"), DIALECTS, ids=[d[0].value for d in DIALECTS])
def test_dialects_are_recognised_without_errors(dialect: Dialect, text: str) -> None:
    result = load_contract(text, "/w/node_x_effect.yaml")
    assert result.dialect is dialect
    assert result.errors == ()


@pytest.mark.parametrize(
    ("dialect", "generatable"),
    [(Dialect.HANDLER_CONTRACT, False), (Dialect.LEGACY_TOOL, False), (Dialect.SCAFFOLD, True)],
)
def test_generation_is_offered_where_it_makes_sense(dialect: Dialect, generatable: bool) -> None:
    text = dict(DIALECTS)[dialect]
    result = load_contract(text)
    assert result.generatable is generatable
    if not generatable:
        (info,) = [i for i in result.issues if i.blocks_generation]
        assert info.severity is Severity.INFO and info.code == "no-generation"


def test_operations_come_from_wherever_the_dialect_declares_them() -> None:
    scaffold = load_contract(dict(DIALECTS)[Dialect.SCAFFOLD]).contract
    assert scaffold is not None
    ((name, source, handler),) = [
        (op.name, op.source, op.handler and op.handler.name) for op in scaffold.operations
    ]
    assert (name, source, handler) == ("invoice_ledger", "handler", "HandlerInvoiceLedger")
    refs = load_contract(dict(DIALECTS)[Dialect.MODEL_REFS]).contract
    assert refs is not None and [op.name for op in refs.operations] == ["ledger.append"]
    assert refs.input_model is not None and refs.input_model.module == "pkg.models"
    effect_ops = load_contract(dict(DIALECTS)[Dialect.SUBCONTRACT], "/w/loader.yaml").contract
    assert effect_ops is not None
    assert [(op.name, op.source) for op in effect_ops.operations] == [
        ("scan_directory", "effect_operations")
    ]


def test_a_node_without_declared_operations_has_its_own() -> None:
    text = dict(DIALECTS)[Dialect.CORE_PACKAGED]
    contract = load_contract(text).contract
    assert contract is not None
    assert [(op.name, op.source) for op in contract.operations] == [("x_check", "default_handler")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("node_user_management_effect", "user_management"),
        ("UserManagementEffect", "user_management"),
        ("NodeUserManagementEffect", "user_management"),
        ("user-management", "user_management"),
        ("contract.verify.replay", "contract_verify_replay"),
    ],
)
def test_name_spellings(raw: str, expected: str) -> None:
    contract = load_contract(
        MINIMAL_EFFECT.replace("name: user_management", f"name: {raw}")
    ).contract
    assert contract is not None and contract.name == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/w/node_user_management_compute/contract.yaml", [("kind-mismatch", "warning", 4, 12)]),
        ("/w/node_accounts_effect/contract.yaml", [("name-mismatch", "warning", 1, 7)]),
        ("/w/nodes/user_management/contract.yaml", []),
        ("/w/node_user_management_effect/contract.yaml", []),
    ],
)
def test_folder_checks_are_warnings_that_know_real_layouts(
    path: str, expected: list[tuple[str, str, int, int]]
) -> None:
    assert found(MINIMAL_EFFECT, path) == expected


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("input_model: ModelUserManagementInput", "input_model: pkg.ModelEffectInput",
         "shadows-framework"),
        ("output_model: ModelUserManagementOutput", "output_model: ModelUserManagementInput",
         "same-model-twice"),
        ("input_model: ModelUserManagementInput", "input_model: 'pkg.Model Evil'",
         "invalid-identifier"),
    ],
)  # fmt: skip
def test_names_that_would_break_the_generated_code_block_generation_with_a_range(
    old: str, new: str, code: str
) -> None:
    result = load_contract(MINIMAL_EFFECT.replace(old, new))
    (issue,) = result.issues
    assert (issue.code, issue.severity, issue.blocks_generation) == (code, Severity.WARNING, True)
    assert issue.range.start.line in (4, 5)
    assert result.ok and not result.generatable


def test_strict_model_hints_are_opt_in_and_never_errors() -> None:
    text = MINIMAL_EFFECT.replace("description: Manages users\n", "descriptor: {purity: pure}\n")
    assert load_contract(text).issues == ()
    hinted = load_contract(text, strict_model=True)
    assert {i.severity for i in hinted.issues} == {Severity.HINT}
    messages = " ".join(i.message for i in hinted.issues)
    assert "does not allow the key 'descriptor'; did you mean 'description'?" in messages
    assert "requires 'description'" in messages


def test_the_number_of_operations_is_capped_with_a_warning() -> None:
    entries = "".join(
        f"    - operation: op_{i}\n      handler: {{name: h{i}, module: m{i}}}\n"
        for i in range(600)
    )
    head, _, _ = MINIMAL_EFFECT.partition("    - operation")
    result = load_contract(head + entries)
    assert [i.code for i in result.issues] == ["too-many-operations"]
    assert result.contract is not None and len(result.contract.operations) == 500
    assert not result.generatable
