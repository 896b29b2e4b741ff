"""The gate from contract values into code: identifiers, literals, prose."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onex_lsp.identifiers import (
    IdentifierError,
    check_snake,
    prose,
    py_string,
    split_words,
    to_pascal,
)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("reset_password", ["reset", "password"]),
        ("addAddress", ["add", "address"]),
        ("HTTPServerError", ["http", "server", "error"]),
        ("user-management v2", ["user", "management", "v2"]),
    ],
)
def test_split_words(text: str, words: list[str]) -> None:
    assert split_words(text) == words


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "Class",
        "class",
        "match",
        "1abc",
        "a__b",
        "a-b",
        "é",
        "a" * 81,
        "../etc",
        "x; import os",
    ],
)
def test_check_snake_refuses(bad: str) -> None:
    with pytest.raises(IdentifierError):
        check_snake(bad)


def test_pascal() -> None:
    assert to_pascal("user_management") == "UserManagement"


@given(st.text())
def test_py_string_round_trips_any_text(text: str) -> None:
    literal = py_string(text)
    tree = ast.parse(literal, mode="eval")
    assert isinstance(tree.body, ast.Constant)
    assert tree.body.value == text


@given(st.text())
def test_prose_cannot_close_a_docstring_or_escape(text: str) -> None:
    body = "\n".join(prose(text))
    module = f'"""{body}\n"""\n'
    tree = ast.parse(module)
    assert len(tree.body) == 1
    assert isinstance(tree.body[0], ast.Expr)
