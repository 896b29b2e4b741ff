"""English for generated prose and names: singular, plural, and "a"/"an", via inflect.

Entities come from operation names (``void_invoice`` -> "invoice"); the docstrings and
messages written about them must read right ("an invoice", "a user", "statuses").
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import inflect

_F = TypeVar("_F", bound=Callable[..., Any])
_IMPORTING = threading.Lock()

# Words inflect would mangle (data -> datum, sms -> sm) or that are already uncountable.
_KEEP = frozenset({"data", "sms", "news", "series", "species", "metadata", "status"})


@cache
def _engine() -> inflect.engine:
    """inflect's engine, inflect imported as under ``python -O``: without typeguard.

    inflect decorates its methods with ``@typechecked``, which re-parses, transforms and
    recompiles inflect's whole 4,000-line module once per decorated method at import:
    ~2 s of CPU at every start of the server and of ``onex-lsp generate``. Those checks
    only reject argument types that are not (non-empty) strings, which this module never
    passes; typeguard itself makes the decorator a no-op in optimised mode ("checks that
    aren't meant to be run in production"). The decorator is the identity while inflect
    imports, then typeguard is left as it was.
    """
    import typeguard

    with _IMPORTING:
        original = typeguard.typechecked
        typeguard.typechecked = _unchecked
        try:
            import inflect
        finally:
            typeguard.typechecked = original
    return inflect.engine()


def _unchecked(target: _F | None = None, **_: Any) -> Any:
    """``@typechecked`` and ``@typechecked(...)`` as no-ops."""
    return target if target is not None else _unchecked


def prepare() -> None:
    """Load inflect now rather than at the first word."""
    _engine()


def singular(word: str) -> str:
    """``invoices`` -> ``invoice``; a word that is already singular is returned as is."""
    if not word or word in _KEEP or word.endswith("ss"):
        return word
    found = _engine().singular_noun(word)
    return found if isinstance(found, str) and found else word


def plural(word: str) -> str:
    if not word or word in _KEEP - {"status"}:
        return word
    return str(_engine().plural_noun(word))


def article(phrase: str) -> str:
    """``a`` or ``an`` for ``phrase`` ("an invoice", "a user", "an hour")."""
    if not phrase:
        return "a"
    return str(_engine().a(phrase)).split(" ", 1)[0]
