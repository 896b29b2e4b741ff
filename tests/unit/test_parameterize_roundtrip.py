"""Parameterisation round-trips: a block learned from contract A, re-rendered for A, is
the text that was learned, byte for byte; re-rendered for contract B it holds no name of A,
in any case form (snake, Pascal, camel, UPPER, kebab, prose, singular or plural)."""

from __future__ import annotations

import ast
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from onex_lsp.learning.blocks import blocks_from_source
from onex_lsp.learning.parameterize import (
    NameContext,
    case_forms,
    entity_of,
    instantiate,
    parameterize,
    plural,
)
from tests.conftest import generate, package_files

# Made-up words (consonant-vowel syllables) so no name is also a word the code uses.
_WORD = st.builds(
    "".join, st.lists(st.sampled_from(["ba", "ku", "zi", "pu", "go", "vi", "da", "ke"]), min_size=2, max_size=3)
)  # fmt: skip
_NAME = st.lists(_WORD, min_size=1, max_size=2, unique=True).map("_".join)


def contract_text(node: str, entity: str) -> str:
    pascal = "".join(w.capitalize() for w in node.split("_"))
    return (
        f"name: {node}\ncontract_version: {{major: 1, minor: 0, patch: 0}}\n"
        f"description: Keeps records.\nnode_type: EFFECT_GENERIC\n"
        f"input_model: Model{pascal}Input\noutput_model: Model{pascal}Output\n"
        "handler_routing:\n  version: {major: 1, minor: 0, patch: 0}\n  routing_strategy: operation_match\n  handlers:\n"
        f"    - operation: create_{entity}\n      handler: {{name: handle_create_{entity}, module: handlers.handler_create_{entity}}}\n"
    )  # fmt: skip


def house_style(node: str, entity: str) -> str:
    """The built-in create handler of A rewritten with every spelling of A's names."""
    forms = case_forms("E", entity) | case_forms("P", plural(entity)) | case_forms("N", node)
    e = {
        k.removeprefix("__ONEX_E").strip("_") or "snake": v
        for k, v in case_forms("E", entity).items()
    }
    text = package_files(generate(contract_text(node, entity)))[
        f"handlers/handler_create_{entity}.py"
    ]
    helper = (
        f"REQUIRED_{e['UPPER']}_FIELDS = ('{e['snake']}_id',)\n"
        f"# {e['SENTENCE']} records come from the {forms['__ONEX_N_WORDS__']} service.\n\n\n"
        f"def _clean_create_{entity}(value: object) -> str:\n"
        f'    """Tidy one {e["WORDS"]} ({forms["__ONEX_P_WORDS__"]}; {e["KEBAB"]})."""\n'
        f"    {e['CAMEL']}Name = str(value)\n"
        f'    return f"{e["WORDS"]} {{{e["CAMEL"]}Name}} not found in {e["PASCAL"]}Store"\n\n\n'
    )
    head, sep, rest = text.partition("\n\n\n")
    return head + sep + helper + rest


def whole_words(forms: dict[str, str]) -> re.Pattern[str]:
    words = sorted(set(forms.values()), key=len, reverse=True)
    return re.compile("|".join(rf"(?<![A-Za-z]){re.escape(w)}(?![a-z])" for w in words))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_NAME, _NAME, _NAME, st.booleans())
def test_learned_from_a_rendered_for_a_is_identical_and_for_b_has_no_name_of_a(
    entity: str, other: str, node_b: str, entity_is_node: bool
) -> None:
    node = entity if entity_is_node else f"{entity}_desk"
    words_a = set(entity.split("_"))
    assume(not words_a & set(other.split("_")) and not words_a & set(node_b.split("_")))
    assume(entity_of(f"create_{entity}") == entity and entity_of(f"create_{other}") == other)
    source = house_style(node, entity)
    path = f"/ws/node_{node}_effect/handlers/handler_create_{entity}.py"
    (handler,) = [b for b in blocks_from_source(source, path).blocks if b.kind == "handler"]
    a = NameContext(node, "effect", f"create_{entity}", f"Model{_pascal(node)}Input",
                    f"Model{_pascal(node)}Output")  # fmt: skip
    assert instantiate(handler.template, a) == handler.source

    b = NameContext(node_b, "effect", f"create_{other}", f"Model{_pascal(node_b)}Input",
                    f"Model{_pascal(node_b)}Output")  # fmt: skip
    rendered = instantiate(handler.template, b)
    ast.parse(rendered)
    names_a = case_forms("E", entity) | case_forms("P", plural(entity)) | case_forms("N", node)
    leftover = whole_words(names_a).findall(rendered)
    assert not leftover, (leftover, rendered)
    assert f"{other.replace('_', ' ')} " in rendered  # the prose follows B


def _pascal(snake: str) -> str:
    return "".join(w.capitalize() for w in snake.split("_"))


# (operation, source, template): what each spelling becomes
CASES = [
    ("get_purchase_order", "log.info('purchase order %s not found')", "log.info('__ONEX_ENTITY_WORDS__ %s not found')"),
    ("get_purchase_order", "X = 'purchase_order_id'", "X = '__ONEX_ENTITY___id'"),
    ("get_purchase_order", "REQUIRED_PURCHASE_ORDER_FIELDS = 1", "REQUIRED___ONEX_ENTITY_UPPER___FIELDS = 1"),
    ("get_purchase_order", "purchaseOrders = []", "__ONEX_ENTITIES_CAMEL__ = []"),
    ("get_purchase_order", "# Purchase orders, purchase-order", "# __ONEX_ENTITIES_SENTENCE__, __ONEX_ENTITY_KEBAB__"),
    ("get_purchase_order", "purchase - order", "purchase - order"),  # code: not a name
    ("normalize_reading", "def _clean_reading(): ...", "def _clean___ONEX_ENTITY__(): ..."),
    ("normalize_text", "text = 'the text'", "text = 'the text'"),  # a common word stays
    ("list_children", "children = [child]", "__ONEX_ENTITIES__ = [__ONEX_ENTITY__]"),
    ("get_address", "addresses = address", "__ONEX_ENTITIES__ = __ONEX_ENTITY__"),
]  # fmt: skip


@pytest.mark.parametrize(("operation", "source", "template"), CASES)
def test_each_spelling_becomes_its_placeholder(operation: str, source: str, template: str) -> None:
    context = NameContext("", "effect", operation)
    assert parameterize(source, context) == template
    assert instantiate(template, context) == source


def test_an_entity_equal_to_the_node_name_is_the_entity_where_it_stands_alone() -> None:
    context = NameContext("invoice", "effect", "create_invoice")
    template = parameterize("invoice = ModelInvoiceInput()  # an invoice\n", context)
    assert template == "__ONEX_ENTITY__ = __ONEX_INPUT_CLASS__()  # __ONEX_ENTITY_ARTICLE_WORDS__\n"


def test_a_prose_name_outside_a_string_is_refused() -> None:
    with pytest.raises(ValueError):
        instantiate("x = __ONEX_ENTITY_KEBAB__\n", NameContext("", "effect", "get_purchase_order"))


def test_the_article_follows_the_entity() -> None:
    template = parameterize("# Create an invoice.\n", NameContext("", "effect", "create_invoice"))
    assert template == "# Create __ONEX_ENTITY_ARTICLE_WORDS__.\n"
    assert instantiate(template, NameContext("", "effect", "create_user")) == "# Create a user.\n"
