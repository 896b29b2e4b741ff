"""The only gate from contract values into generated code.

Contract values reach templates and file paths in exactly two shapes: a checked
identifier (``snake_case`` / ``PascalCase`` built from ASCII words) or an escaped
string literal. Anything else is refused here, so no contract can inject code or
steer a generated path out of its folder.
"""

from __future__ import annotations

import keyword
import re
import textwrap

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_MAX_IDENTIFIER = 80


class IdentifierError(ValueError):
    """A contract value that cannot become a Python identifier."""


def split_words(text: str) -> list[str]:
    """Split snake_case, kebab-case, camelCase, PascalCase and prose into words.

    ``reset_password`` -> [reset, password]; ``addAddress`` -> [add, address];
    ``HTTPServerError`` -> [http, server, error].
    """
    words: list[str] = []
    for chunk in _WORD_SPLIT.split(text):
        if not chunk:
            continue
        words.extend(part.lower() for part in _CAMEL_BOUNDARY.split(chunk) if part)
    return words


def is_snake_words(text: str) -> bool:
    """Lowercase ASCII words joined by single underscores (a keyword counts)."""
    return bool(_SNAKE.match(text)) and len(text) <= _MAX_IDENTIFIER


def is_snake_identifier(text: str) -> bool:
    return (
        bool(_SNAKE.match(text))
        and len(text) <= _MAX_IDENTIFIER
        and not keyword.iskeyword(text)
        and not keyword.issoftkeyword(text)
    )


def check_snake(text: str, what: str = "name") -> str:
    """Return ``text`` if it is a safe snake_case identifier, else raise."""
    if not isinstance(text, str) or not is_snake_identifier(text):
        raise IdentifierError(
            f"{what} {text!r} is not a valid snake_case Python identifier "
            "(lowercase ASCII letters, digits and single underscores, "
            f"starting with a letter, at most {_MAX_IDENTIFIER} characters, "
            "not a Python keyword)"
        )
    return text


def to_snake(text: str) -> str:
    """Normalise any spelling of a name to snake_case (may still need checking)."""
    return "_".join(split_words(text))


def to_pascal(snake: str) -> str:
    """``user_management`` -> ``UserManagement``; input must be a checked snake name."""
    check_snake(snake)
    return "".join(word.capitalize() for word in snake.split("_"))


def check_pascal(text: str) -> str:
    """Return ``text`` if it is a safe PascalCase class name (``None``, ``True`` and
    ``False`` look like one and are keywords), else raise."""
    if (
        not re.fullmatch(r"[A-Z][A-Za-z0-9]*", text)
        or len(text) > 2 * _MAX_IDENTIFIER
        or keyword.iskeyword(text)
    ):
        raise IdentifierError(f"{text!r} is not a valid PascalCase class name")
    return text


def py_string(value: object) -> str:
    """A Python string literal for ``value``; always safe to paste into code."""
    text = str(value)
    # Built by hand rather than repr() so the result is stable and always uses
    # double quotes, which is what ``ruff format`` would produce.
    out = ['"']
    for char in text:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        elif code in (0x2028, 0x2029, 0x85):
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def prose(value: object, width: int = 72) -> list[str]:
    """Contract prose made safe for docstrings and comments, wrapped to ``width``.

    Only printable characters survive; backslashes and quotes are neutralised so
    the text can neither close a docstring nor start an escape sequence.
    """
    text = "".join(ch if ch.isprintable() else " " for ch in str(value).replace("\n", " "))
    text = text.replace("\\", "/").replace('"""', "'''").replace('"', "'")
    text = " ".join(text.split())
    return textwrap.wrap(text, width=width) or [""]
