"""Render a node package from Jinja2 templates, in the layout its plan chose.

The environment uses ``StrictUndefined`` and no autoescaping (this is Python, not HTML).
Contract values reach templates only through the filters defined here, which call the
one gate in ``identifiers``: ``ident`` (checked identifier), ``pystr`` (escaped string
literal), ``doc``/``doc_inline``/``comment`` (prose made inert); ``code`` accepts only
``Code`` built from checked parts in Python (import blocks, base classes). A test checks
every ``{{ ... }}`` in every template ends in one of them.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from onex_lsp.generation.imports import Code
from onex_lsp.identifiers import (
    IdentifierError,
    check_pascal,
    check_snake,
    is_snake_words,
    prose,
    py_string,
)

SAFE_FILTERS = frozenset({"ident", "pystr", "doc", "doc_inline", "comment", "code"})


def templates_root() -> Path:
    """Templates ship inside the package; a source checkout links them there."""
    return Path(str(resources.files("onex_lsp") / "templates"))


def _ident(value: object) -> str:
    text = str(value)
    if not text:
        return text  # an empty prefix
    if text.isupper() or text.startswith("_") or text.endswith("_"):
        return _private_or_constant(text)
    if text[:1].isupper():
        return check_pascal(text)
    return check_snake(text, "identifier")


def _private_or_constant(text: str) -> str:
    """``_snake_key`` helpers, ``class_`` names and ``TARGET_STATE`` constants: checked as
    snake words (a keyword is fine inside them: the underscores keep it from being one)."""
    core = text.strip("_").lower()
    if core and not is_snake_words(core):
        raise IdentifierError(f"{text!r} is not a valid Python name")
    return text


def _doc(value: object, indent: str = "") -> str:
    return ("\n" + indent).join(prose(value))


def _doc_inline(value: object) -> str:
    return " ".join(prose(value, width=10_000))


def _comment(value: object, indent: str = "") -> str:
    return ("\n" + indent).join("# " + line for line in prose(value, width=76))


def _code(value: object) -> str:
    if not isinstance(value, Code):
        raise TypeError(f"the code filter accepts only Code built from checked parts: {value!r}")
    return str(value)


def _docstring(text: object, indent: int) -> str:
    """A rendered docstring body as ``\"\"\"...\"\"\"`` indented for its place."""
    lines = str(text).strip("\n").split("\n")
    pad = " " * indent
    if len(lines) == 1:
        return f'"""{lines[0]}"""'
    rest = "\n".join(pad + line if line.strip() else "" for line in lines[1:])
    return f'"""{lines[0]}\n{rest}\n{pad}"""'


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_root())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        ident=_ident,
        pystr=py_string,
        doc=_doc,
        doc_inline=_doc_inline,
        comment=_comment,
        code=_code,
        docstring=_docstring,
    )
    return env


def compile_templates() -> int:
    """Blocking: compile every template now (the environment keeps them), instead of at
    the first generation (~0.15 s for one package's templates); how many there are."""
    env = environment()
    names = env.list_templates(extensions=["j2"])
    for name in names:
        env.get_template(name)
    return len(names)


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
