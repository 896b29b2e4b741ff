"""Offer policy (feedback/offers.py, feedback/ranking.py): tables over plain data."""

from __future__ import annotations

from dataclasses import replace

import pytest

from onex_lsp import layout
from onex_lsp.contract.reader import load_contract
from onex_lsp.feedback.offers import GenerateSituation, generate_offers, insert_offers, shown_keys
from onex_lsp.feedback.ranking import builtin_estimate, pattern_key, weigh_learned
from onex_lsp.feedback.stats import PatternStats
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.offers import (
    BUILTIN_VARIANT,
    DEFAULT_VARIANT,
    builtin_pick,
    generate_title,
    learned_pick,
)
from onex_lsp.generation.ranking import LearnedOption, choose_handlers
from tests.conftest import MINIMAL_EFFECT

CONTRACT = load_contract(MINIMAL_EFFECT, "/w/contract.yaml").contract
assert CONTRACT is not None
DETECTION = detect_contract(CONTRACT)
CHOICES = choose_handlers(CONTRACT, DETECTION, 0.7)
BLOCK = CHOICES[0].block  # crud.create
TITLE = generate_title(CONTRACT, DETECTION)
OPTION = LearnedOption("b1", "def handle_create_user(): ...", "app/handlers/x.py", 0.91)
OTHER = LearnedOption("b2", "def handle_create_user(): ...", "lib/y.py", 0.84, record="kept 2 of 2")
REVERTED_TWICE = PatternStats("k", applied=2, reverted=2, outcomes=2, revert_streak=2)


def situation(options: dict[str, list[LearnedOption]] | None = None, *, learned: bool = False,
              stubs: int = 0) -> GenerateSituation:  # fmt: skip
    choices = CHOICES
    if learned:
        choices = (replace(CHOICES[0], learned=replace(OPTION, record="kept 3 of 3")),)
    return GenerateSituation(CONTRACT, DETECTION, choices, options or {}, stubs)


@pytest.mark.parametrize(
    ("case", "stats", "expected"),
    [
        ("nothing known", {}, [(TITLE, DEFAULT_VARIANT, True)]),
        ("stubs", None, [(f"{TITLE} (fills 2 scaffold stub(s))", DEFAULT_VARIANT, True)]),
        (
            "built-in reverted twice",
            {layout.builtin_key(BLOCK): REVERTED_TWICE},
            [(f"{TITLE} — create_user reverted twice, not preferred", DEFAULT_VARIANT, False)],
        ),
        (
            "learned block used",
            "learned",
            [
                (
                    f"{TITLE} + your learned blocks (create_user; kept 3 of 3)",
                    DEFAULT_VARIANT,
                    True,
                ),
                (f"{TITLE} — built-in blocks only", BUILTIN_VARIANT, False),
            ],
        ),
    ],
)
def test_generate_offers(
    case: str, stats: object, expected: list[tuple[str, object, bool]]
) -> None:
    if case == "stubs":
        found = generate_offers(situation(stubs=2), {})
    elif case == "learned block used":
        found = generate_offers(situation({"create_user": [OPTION]}, learned=True), {})
    else:
        assert isinstance(stats, dict)
        found = generate_offers(situation(), stats)
    assert [(o.title, o.variant, o.preferred) for o in found] == expected


def test_each_learned_alternative_not_chosen_is_its_own_offer() -> None:
    found = generate_offers(situation({"create_user": [OPTION, OTHER]}, learned=True), {})
    picks = [o for o in found if o.variant.learned_block]
    assert [(o.variant, o.preferred) for o in picks] == [(learned_pick("create_user", "b2"), False)]
    assert picks[0].title.endswith(
        "create_user learned from lib/y.py, similarity 0.84 — kept 2 of 2"
    )


def test_insert_offers_put_the_users_blocks_first() -> None:
    found = insert_offers("create_user", [OPTION], ["crud.upsert"])
    assert [o.variant for o in found] == [
        learned_pick("create_user", "b1"),
        builtin_pick("create_user", "crud.upsert"),
    ]
    assert found[0].title == (
        "Replace the create_user handler with your block learned from app/handlers/x.py "
        "(similarity 0.91)"
    )
    assert found[1].variant.pattern_key == layout.builtin_key("crud.upsert")


def test_shown_keys_cover_chosen_blocks_and_learned_alternatives() -> None:
    keys = shown_keys(situation({"create_user": [OPTION, OTHER]}))
    assert keys == sorted(
        [layout.builtin_key(BLOCK), layout.learned_key("b1"), layout.learned_key("b2")]
    )


@pytest.mark.parametrize(
    ("stats", "keep", "record", "not_preferred"),
    [
        ({}, 1.0, "", False),
        (
            {layout.learned_key("b1"): PatternStats("k", kept=4, outcomes=4)},
            1.0834,
            "kept 4 of 4",
            False,
        ),
        ({layout.learned_key("b1"): REVERTED_TWICE}, 0.8, "reverted 2 of 2 — not preferred", True),
    ],
)
def test_weigh_learned(stats: dict[str, PatternStats], keep: float, record: str,
                       not_preferred: bool) -> None:  # fmt: skip
    (weighed,) = weigh_learned({"create_user": [OPTION]}, stats)["create_user"]
    assert (round(weighed.keep_estimate, 4), weighed.record, weighed.not_preferred) == (
        keep, record, not_preferred,
    )  # fmt: skip


def test_builtin_estimate_moves_with_feedback() -> None:
    choice = CHOICES[0]
    assert builtin_estimate({})(choice) == choice.confidence
    lower = builtin_estimate({layout.builtin_key(BLOCK): REVERTED_TWICE})(choice)
    assert lower < choice.confidence
    assert pattern_key(choice) == layout.builtin_key(BLOCK)
    assert pattern_key(replace(choice, learned=OPTION)) == layout.learned_key("b1")
