"""Import blocks for generated modules, sorted the way ruff's isort rule expects.

Built from checked identifiers only (every dotted part and name passes ``identifiers``),
and returned as ``Code``: the one kind of pre-built Python text templates accept (the
``code`` filter refuses plain strings), so no contract value reaches a module this way.
"""

from __future__ import annotations

from collections.abc import Iterable

from onex_lsp.identifiers import IdentifierError

_STDLIB = frozenset({"copy", "json", "re", "time", "typing", "uuid", "__future__"})


class Code(str):
    """Python source assembled here from checked parts (accepted by the ``code`` filter)."""

    __slots__ = ()


def _checked_module(module: str) -> str:
    dots = len(module) - len(module.lstrip("."))
    parts = module[dots:].split(".") if module[dots:] else []
    if not all(part.isidentifier() and part.isascii() for part in parts):
        raise IdentifierError(f"{module!r} is not a dotted module name")
    return module


def _checked_name(name: str) -> str:
    if not (name.isidentifier() and name.isascii()):
        raise IdentifierError(f"{name!r} is not a Python name")
    return name


def _name_key(name: str) -> tuple[int, str]:
    """isort's order-by-type: CONSTANTS, then Classes, then functions and variables."""
    if name.isupper() and len(name) > 1:
        return 0, name
    if name[:1].isupper():
        return 1, name.lower()
    return 2, name.lower()


def _module_key(module: str) -> tuple[int, str]:
    """Relative imports furthest first (``..x`` before ``.x``), as ruff orders them."""
    dots = len(module) - len(module.lstrip("."))
    return -dots, module.lstrip(".").lower()


class ImportSet:
    """``import x`` and ``from x import y`` lines of one generated module."""

    def __init__(self) -> None:
        self._plain: set[str] = set()
        self._from: dict[str, set[str]] = {}

    def module(self, name: str) -> ImportSet:
        self._plain.add(_checked_module(name))
        return self

    def names(self, module: str, names: Iterable[str]) -> ImportSet:
        self._from.setdefault(_checked_module(module), set()).update(
            _checked_name(n) for n in names
        )
        return self

    def _section(self, module: str) -> int:
        root = module.split(".")[0]
        if module.startswith("."):
            return 3
        if root == "__future__":
            return 0
        return 1 if root in _STDLIB else 2

    def render(self) -> Code:
        sections: dict[int, list[str]] = {}
        for module in sorted(self._plain, key=str.lower):
            sections.setdefault(self._section(module), []).append(f"import {module}")
        for module in sorted(self._from, key=_module_key):
            names = ", ".join(sorted(self._from[module], key=_name_key))
            sections.setdefault(self._section(module), []).append(f"from {module} import {names}")
        blocks = ["\n".join(sections[key]) for key in sorted(sections)]
        return Code("\n\n".join(blocks))
