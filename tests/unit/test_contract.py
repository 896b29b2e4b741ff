"""Contract parsing: every problem has a code, a position and words a user understands."""

from __future__ import annotations

import pytest

from onex_lsp.contract.reader import Severity, load_contract
from onex_lsp.contract.schema import NodeKind
from tests.conftest import MINIMAL_EFFECT


def issues(text: str, path: str = "contract.yaml") -> list[tuple[str, int, int]]:
    """(code, 1-based line, 1-based column) for each issue."""
    result = load_contract(text, path)
    return [(i.code, i.range.start.line + 1, i.range.start.column + 1) for i in result.issues]


def test_minimal_effect_contract_parses() -> None:
    result = load_contract(MINIMAL_EFFECT)
    assert result.ok, result.issues
    contract = result.contract
    assert contract is not None
    assert (contract.name, contract.kind, contract.version) == (
        "user_management",
        NodeKind.EFFECT,
        (1, 0, 0),
    )
    assert [op.name for op in contract.operations] == ["create_user"]
    op = contract.operations[0]
    assert (op.range.start.line, op.range.start.column) == (10, 17)
    assert (op.handler_name, op.handler_module) == (
        "handle_create_user",
        "handlers.handler_create_user",
    )
    assert contract.package_name == "node_user_management_effect"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            ("description: Manages users\n", "description: Manages users\nbogus: 1\n"),
            [("unknown-key", 4, 1)],
            id="unknown-key",
        ),
        pytest.param(
            ("input_model: ModelUserManagementInput\n", ""),
            [("missing-field", 1, 1)],
            id="missing-field",
        ),
        pytest.param(
            ("description: Manages users", "description: [a, b]"),
            [("wrong-type", 3, 14)],
            id="wrong-type-description",
        ),
        pytest.param(
            (
                "{major: 1, minor: 0, patch: 0}\ndescription",
                "{major: one, minor: 0, patch: 0}\ndescription",
            ),
            [("wrong-type", 2, 27)],
            id="wrong-type-version",
        ),
        pytest.param(
            ("node_type: effect", "node_type: gizmo"),
            [("invalid-node-type", 4, 12)],
            id="invalid-node-type",
        ),
        pytest.param(
            ("node_type: effect", "node_type: GATEWAY"),
            [("unsupported-node-type", 4, 12)],
            id="other-onex-node-type",
        ),
        pytest.param(
            ("name: user_management", "name: node_user_management_compute"),
            [("kind-mismatch", 1, 7)],
            id="name-suffix-kind-mismatch",
        ),
        pytest.param(
            ("name: user_management", "name: user-management!"),
            [("invalid-identifier", 1, 7)],
            id="bad-name",
        ),
        pytest.param(
            ("operation: create_user", "operation: Create User"),
            [("invalid-identifier", 11, 18)],
            id="bad-operation",
        ),
        pytest.param(
            ("operation: create_user", "operation: class"),
            [("invalid-identifier", 11, 18)],
            id="keyword-operation",
        ),
        pytest.param(
            (
                "      handler: {name: handle_create_user, module: handlers.handler_create_user}\n",
                "      handler: {name: handle_create_user, module: handlers.handler_create_user}\n"
                "    - operation: create_user\n      handler: {name: h, module: m}\n",
            ),
            [("duplicate-operation", 13, 18)],
            id="duplicate-operation",
        ),
        pytest.param(
            ("routing_strategy: operation_match", "routing_strategy: by_magic"),
            [("wrong-type", 9, 21)],
            id="bad-routing-strategy",
        ),
        pytest.param(
            ("  routing_strategy", "  routng_strategy"),
            [("unknown-key", 9, 3)],
            id="unknown-nested-key",
        ),
        pytest.param(
            (
                "description: Manages users\n",
                "description: Manages users\ndescription: again\n",
            ),
            [("duplicate-key", 4, 1)],
            id="duplicate-key",
        ),
    ],
)
def test_problems_are_located(edit: tuple[str, str], expected: list[tuple[str, int, int]]) -> None:
    old, new = edit
    assert old in MINIMAL_EFFECT
    assert issues(MINIMAL_EFFECT.replace(old, new, 1)) == expected


def test_unknown_key_suggests_the_closest_key() -> None:
    result = load_contract(MINIMAL_EFFECT.replace("description:", "descripton:"))
    messages = [i.message for i in result.issues]
    assert any("did you mean 'description'" in m for m in messages)


@pytest.mark.parametrize("kind", ["compute", "orchestrator"])
def test_compute_and_orchestrator_need_a_performance_budget(kind: str) -> None:
    text = MINIMAL_EFFECT.replace("node_type: effect", f"node_type: {kind}")
    assert [c for c, *_ in issues(text)] == ["missing-field"]
    fixed = text + "performance: {single_operation_max_ms: 100}\n"
    assert issues(fixed) == []


def test_kind_specific_keys() -> None:
    # io_operations belongs to EFFECT contracts only.
    text = MINIMAL_EFFECT + "io_operations:\n  - operation_type: write_file\n"
    assert issues(text) == []
    reducer = text.replace("node_type: effect", "node_type: reducer")
    assert ("unknown-key", 13, 1) in issues(reducer)


def test_io_and_reduction_operations_are_operations() -> None:
    text = MINIMAL_EFFECT.replace("node_type: effect", "node_type: reducer") + (
        "reduction_operations:\n  - operation_type: sum_totals\n    reduction_function: add\n"
    )
    contract = load_contract(text).contract
    assert contract is not None
    assert [(op.name, op.source) for op in contract.operations] == [
        ("create_user", "handler_routing"),
        ("sum_totals", "reduction_operations"),
    ]


def test_enum_node_type_spelling_is_accepted() -> None:
    contract = load_contract(
        MINIMAL_EFFECT.replace("node_type: effect", "node_type: EFFECT_GENERIC")
    ).contract
    assert contract is not None and contract.kind is NodeKind.EFFECT


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("node_user_management_effect", "user_management"),
        ("UserManagementEffect", "user_management"),
        ("NodeUserManagementEffect", "user_management"),
        ("user_management", "user_management"),
    ],
)
def test_name_spellings(raw: str, expected: str) -> None:
    contract = load_contract(
        MINIMAL_EFFECT.replace("name: user_management", f"name: {raw}")
    ).contract
    assert contract is not None and contract.name == expected


def test_folder_kind_mismatch_is_an_error() -> None:
    path = "/work/node_user_management_compute/contract.yaml"
    assert issues(MINIMAL_EFFECT, path) == [("kind-mismatch", 4, 12)]


def test_folder_name_mismatch_is_a_warning() -> None:
    result = load_contract(MINIMAL_EFFECT, "/work/node_accounts_effect/contract.yaml")
    assert [(i.code, i.severity) for i in result.issues] == [("name-mismatch", Severity.WARNING)]
    assert result.ok


def test_protocol_dependency_naming_mirrors_omnibase() -> None:
    text = (
        MINIMAL_EFFECT + "dependencies:\n  - {name: repo, module: x.y, dependency_type: protocol}\n"
    )
    assert issues(text) == [("dependency-naming", 14, 12)]
    ok = MINIMAL_EFFECT + "dependencies:\n  - {name: repo, module: x.protocol_repo}\n"
    assert issues(ok) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("name: [unclosed\n", "yaml-syntax"),
        ("", "missing-field"),
        ("- just\n- a list\n", "wrong-type"),
        ("a: &x [1, 2]\nb: *x\n", "yaml-alias"),
    ],
)
def test_broken_documents_give_one_clear_issue(text: str, code: str) -> None:
    result = load_contract(text)
    assert result.contract is None
    assert result.issues[0].code == code


def test_billion_laughs_is_refused_without_expanding() -> None:
    lol = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lol += f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    result = load_contract(lol)
    assert [i.code for i in result.issues] == ["yaml-alias"]


def test_oversized_contracts_are_refused() -> None:
    result = load_contract("description: " + "x" * 600_000 + "\n")
    assert [i.code for i in result.issues] == ["too-large"]


def test_overlong_node_names_are_refused_with_the_limit() -> None:
    result = load_contract(
        MINIMAL_EFFECT.replace("name: user_management", "name: " + "very_" * 12 + "long")
    )
    assert [i.code for i in result.issues] == ["invalid-identifier"]
    assert "at most 48" in result.issues[0].message
