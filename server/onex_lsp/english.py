"""English for generated prose and names: singular, plural, and "a"/"an", via inflect.

Entities come from operation names (``void_invoice`` -> "invoice"); the docstrings and
messages written about them must read right ("an invoice", "a user", "statuses").
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import inflect

# Words inflect would mangle (data -> datum, sms -> sm) or that are already uncountable.
_KEEP = frozenset({"data", "sms", "news", "series", "species", "metadata", "status"})


@cache
def _engine() -> inflect.engine:
    """Imported on first use: inflect's import type-checks its own source (typeguard) and
    costs seconds, which the CLI's other commands and the server's start must not pay."""
    import inflect

    return inflect.engine()


def singular(word: str) -> str:
    """``invoices`` -> ``invoice``; a word that is already singular is returned as is."""
    if not word or word in _KEEP or word.endswith(("ss", "is", "us")):
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
