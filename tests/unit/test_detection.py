"""Pattern detection: whole words, one pattern per keyword, confidences with reasons."""

from __future__ import annotations

from collections import Counter

import pytest

from onex_lsp.contract.reader import load_contract
from onex_lsp.contract.schema import NodeKind
from onex_lsp.generation.detection import (
    KEYWORDS,
    VOCABULARY,
    Pattern,
    detect_contract,
    detect_operation,
)
from onex_lsp.generation.ranking import choose_handlers
from tests.conftest import MINIMAL_EFFECT


@pytest.mark.parametrize(
    ("operation", "pattern", "variant"),
    [
        ("create_user", Pattern.CRUD, "create"),
        ("addAddress", Pattern.CRUD, "create"),
        ("add_address", Pattern.CRUD, "create"),
        ("get_user", Pattern.CRUD, "read"),
        ("list_users", Pattern.CRUD, "list"),
        ("update_user", Pattern.CRUD, "update"),
        ("remove_customer", Pattern.CRUD, "delete"),
        ("save_order", Pattern.CRUD, "upsert"),
        ("normalize_address", Pattern.TRANSFORMATION, "normalize"),
        ("decodeEvent", Pattern.TRANSFORMATION, "parse"),
        ("serialize_event", Pattern.TRANSFORMATION, "format"),
        ("map_event", Pattern.TRANSFORMATION, "convert"),
        ("total_sales", Pattern.AGGREGATION, "sum"),
        ("average_order_value", Pattern.AGGREGATION, "mean"),
        ("count_orders", Pattern.AGGREGATION, "count"),
        ("merge_sessions", Pattern.AGGREGATION, "collect"),
        ("void_invoice", Pattern.STATE, "transition"),
        ("cancel_order", Pattern.STATE, "transition"),
        ("approve_request", Pattern.STATE, "transition"),
        ("archive_document", Pattern.STATE, "transition"),
        ("refund_payment", Pattern.STATE, "transition"),
        ("restore_backup", Pattern.STATE, "transition"),
        ("send_email", Pattern.MESSAGING, "publish"),
        ("publish_event", Pattern.MESSAGING, "publish"),
        ("notify_user", Pattern.MESSAGING, "publish"),
        ("validate_iban", Pattern.VALIDATION, "validate"),
        ("check_headers", Pattern.VALIDATION, "validate"),
        ("record_payment", Pattern.CRUD, "create"),
        ("listing_files", Pattern.CRUD, "list"),
        ("fulfill_order", Pattern.ORCHESTRATION, "workflow"),
        ("run_pipeline", Pattern.ORCHESTRATION, "workflow"),
    ],
)
def test_leading_verbs(operation: str, pattern: Pattern, variant: str) -> None:
    best = detect_operation(operation, NodeKind.EFFECT, {}).best
    assert best is not None
    assert (best.pattern, best.variant) == (pattern, variant)


@pytest.mark.parametrize(
    "operation",
    # substrings of keywords that the original matched: set, sum, add, store, count, map
    [
        "reset_password",
        "summary_report",
        "address_book",
        "account_info",
        "bitmap_image",
        "address_status",
        "reconcile_accounts",
    ],
)
def test_substrings_do_not_match(operation: str) -> None:
    assert detect_operation(operation, NodeKind.EFFECT, {}).best is None


def test_every_keyword_belongs_to_one_pattern() -> None:
    all_words = [
        w for variants in VOCABULARY.values() for words in variants.values() for w in words
    ]
    duplicates = [w for w, n in Counter(all_words).items() if n > 1]
    assert duplicates == []
    assert len(KEYWORDS) == len(all_words)


def test_confidence_and_reason() -> None:
    plain = detect_operation("create_user", NodeKind.COMPUTE, {}).best
    natural = detect_operation("create_user", NodeKind.EFFECT, {}).best
    context = detect_operation("create_user", NodeKind.EFFECT, {Pattern.CRUD: "crud"}).best
    trailing = detect_operation("user_create", NodeKind.COMPUTE, {}).best
    assert plain and natural and context and trailing
    assert trailing.confidence < plain.confidence < natural.confidence < context.confidence <= 1.0
    assert (
        context.reason
        == "create_user: verb 'create' → CRUD create (EFFECT node, contract mentions 'crud')"
    )
    assert trailing.reason.startswith("user_create: word 'create'")


def test_contract_level_summary() -> None:
    text = MINIMAL_EFFECT.replace(
        "    - operation: create_user\n      handler: {name: handle_create_user, module: handlers.handler_create_user}\n",
        "".join(
            f"    - operation: {op}\n      handler: {{name: h, module: m}}\n"
            for op in ("create_user", "get_user", "total_logins", "reconcile")
        ),
    )
    contract = load_contract(text).contract
    assert contract is not None
    summary = detect_contract(contract).patterns
    assert [(s.pattern, s.operations) for s in summary] == [
        (Pattern.CRUD, ("create_user", "get_user")),
        (Pattern.AGGREGATION, ("total_logins",)),
    ]


@pytest.mark.parametrize(
    ("kind", "operation", "block"),
    [
        ("effect", "create_user", "crud.create"),
        (
            "compute",
            "create_user",
            "stub",
        ),  # CRUD needs a repository: not in a pure COMPUTE node
        ("effect", "reconcile_ledger", "stub"),
        (
            "effect",
            "ledger_total",
            "stub",
        ),  # trailing word: 0.6, below the 0.7 threshold
        (
            "reducer",
            "ledger_total",
            "aggregation.sum",
        ),  # + REDUCER bonus + 'aggregates' in context
        ("orchestrator", "create_account", "orchestration.step"),
        ("orchestrator", "onboard_user", "orchestration.workflow"),
    ],
)
def test_node_kind_decides_which_blocks_fit(kind: str, operation: str, block: str) -> None:
    text = (
        MINIMAL_EFFECT.replace("node_type: EFFECT_GENERIC", f"node_type: {kind.upper()}_GENERIC")
        .replace("create_user", operation)
        .replace("Manages users", "Aggregates ledgers")
    )
    text += "performance: {single_operation_max_ms: 10}\n"
    contract = load_contract(text).contract
    assert contract is not None
    choices = choose_handlers(contract, detect_contract(contract))
    assert [c.block for c in choices] == [block]
    if block == "stub":
        assert choices[0].reason.startswith(operation)


def test_threshold_is_a_setting() -> None:
    contract = load_contract(MINIMAL_EFFECT.replace("create_user", "user_create")).contract
    assert contract is not None
    detection = detect_contract(contract)
    assert choose_handlers(contract, detection, 0.7)[0].block == "stub"
    assert choose_handlers(contract, detection, 0.5)[0].block == "crud.create"
