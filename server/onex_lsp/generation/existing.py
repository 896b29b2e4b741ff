"""What generation does with files that already exist: fill stubs, never touch user code.

``onex new node`` writes placeholder modules (a handler returning an empty model, models
with no fields, a node whose method raises ``NotImplementedError``). Generating into such
a package replaces those stubs; a file holding anything more is the user's and is kept.
Pure: the caller reads the files (off the event loop) and writes the result.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Reconciled:
    """The generated files split by what exists on disk."""

    create: dict[str, str]  # new files
    replace: dict[str, str]  # stubs (or, forced, any file) replaced with generated text
    kept: tuple[str, ...]  # existing files with the user's code, left as they are
    unchanged: tuple[str, ...]  # existing files identical to what would be generated

    @property
    def writes(self) -> dict[str, str]:
        return {**self.create, **self.replace}


def _stub_statement(node: ast.stmt) -> bool:
    """A statement a placeholder body is made of."""
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # a docstring or ``...``
    if isinstance(node, ast.Raise):
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    if isinstance(node, ast.Return):
        value = node.value
        return (
            value is None
            or (isinstance(value, ast.Constant) and value.value is None)
            or (isinstance(value, ast.Call) and not value.args and not value.keywords)
        )
    return False


def _stub_definition(node: ast.stmt) -> bool:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return all(_stub_statement(s) for s in node.body)
    if isinstance(node, ast.ClassDef):
        return all(_stub_member(s) for s in node.body)
    if isinstance(node, ast.Import | ast.ImportFrom):
        return True
    if isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        return names <= {"__all__", "__version__"}
    return _stub_statement(node)


def _stub_member(node: ast.stmt) -> bool:
    """Class members of a placeholder: docstring, ``model_config``, placeholder methods."""
    if isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return all(isinstance(t, ast.Name) and t.id == "model_config" for t in targets)
    return _stub_definition(node)


def is_stub(text: str) -> bool:
    """Does this module hold nothing but placeholders (or nothing at all)?"""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    return all(_stub_definition(statement) for statement in tree.body)


def blocking(plan_paths: frozenset[str], reconciled: Reconciled) -> tuple[str, ...]:
    """Kept files generation cannot work around: the user's own node, handler or model."""
    return tuple(path for path in reconciled.kept if path in plan_paths)


def reconcile(
    files: Mapping[str, str], existing: Mapping[str, str | None], *, force: bool = False
) -> Reconciled:
    """Split ``files`` by ``existing`` (path -> current text, None when absent)."""
    create: dict[str, str] = {}
    replace: dict[str, str] = {}
    kept: list[str] = []
    unchanged: list[str] = []
    for path, text in files.items():
        current = existing.get(path)
        if current is None:
            create[path] = text
        elif current == text:
            unchanged.append(path)
        elif force or (PurePosixPath(path).suffix == ".py" and is_stub(current)):
            replace[path] = text
        else:
            kept.append(path)
    return Reconciled(create, replace, tuple(kept), tuple(unchanged))
