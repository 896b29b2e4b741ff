"""Learned code keeps definitions only: what a learned block may carry into another package.

A handler module is learned whole (its imports and helpers come with the handler), and
it is later written into *other* packages. Code that runs on import must not travel
that way: a module-level ``_X = __import__("os").system(...)`` in one repository would
run in every package generated from it. So a learned module keeps only

- its function and class definitions, when nothing in them runs at definition time but
  *inert* expressions (decorators, defaults, evaluated annotations, bases, class-body
  values made of literals, names, attributes, subscripts and calls to a short list of
  well-known pure constructors such as ``frozenset`` or ``dataclasses.field``);
- module-level constants with inert values that the kept code uses;
- the imports the kept code uses (``if TYPE_CHECKING:`` import blocks included).

Everything else is dropped. When a definition itself runs other code as it is defined,
or the kept code needs a name only a dropped statement defines, the module cannot be
learned safely and ``UnsafeModule`` says why (the caller then does not offer it as a
module). A module
that is already only definitions comes back byte for byte.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from dataclasses import dataclass

from onex_lsp.learning.extraction_ast import parse_ast
from onex_lsp.learning.module_text import import_text, rebuild

_SAFE_BUILTINS = frozenset(
    {"frozenset", "set", "tuple", "list", "dict", "str", "int", "float", "bool", "bytes",
     "range", "object", "staticmethod", "classmethod", "property"}
)  # fmt: skip
_SAFE_QUALIFIED = frozenset(
    {"dataclasses.dataclass", "dataclasses.field", "typing.TypeVar", "typing.NewType",
     "typing.cast", "typing.ParamSpec", "typing.overload", "typing.final",
     "typing_extensions.TypeVar", "typing_extensions.overload", "typing_extensions.final",
     "enum.auto", "enum.unique", "functools.lru_cache", "functools.cache",
     "functools.cached_property", "functools.wraps", "abc.abstractmethod",
     "logging.getLogger", "re.compile", "pydantic.Field", "pydantic.ConfigDict",
     "pydantic.field_validator", "pydantic.model_validator", "pydantic.validator"}
)  # fmt: skip
_PYTEST = ("pytest.mark.", "pytest.fixture")  # test modules' markers and fixtures
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class UnsafeModule(ValueError):
    """The kept code needs a module-level statement that learned code may not carry."""


@dataclass(frozen=True)
class FilteredModule:
    text: str
    dropped: tuple[str, ...]  # what was left out, e.g. "line 4: _X = ..." (for logs)


def definitions_only(source: str) -> FilteredModule:
    """The module reduced to definitions, inert constants and the imports they use.

    Raises ``SyntaxError`` for a module that does not parse, ``UnsafeModule`` when the
    kept code depends on a dropped statement.
    """
    tree = parse_ast(source)
    scope = _Scope(tree)
    for definition in (s for s in tree.body if isinstance(s, _DEFINITIONS)):
        if not _inert_statement(definition, scope, set()):
            raise UnsafeModule(
                f"{definition.name} (line {definition.lineno}) runs code when it is defined "
                "(a decorator, default, annotation or class-body value that is not inert)"
            )
    code = [s for s in tree.body if _is_code(s) and _inert_statement(s, scope, set())]
    code = _constants_in_use(code, _used_names(code))
    used = _used_names(code)
    texts: dict[int, str | None] = {}
    for statement in (s for s in tree.body if _is_type_checking_block(s)):
        texts[id(statement)] = import_text(statement, used)
        if texts[id(statement)] is not None:
            used |= _used_names([statement])  # its test reads TYPE_CHECKING
    for statement in tree.body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            texts[id(statement)] = import_text(statement, used)
    final = [s for s in tree.body if s in code or texts.get(id(s)) is not None]
    _check_needs(used, final, [s for s in tree.body if s not in final])
    if final == tree.body and not any(texts.values()):
        return FilteredModule(source, ())
    dropped = tuple(
        f"line {s.lineno}: {ast.unparse(s).splitlines()[0][:60]}"
        for s in tree.body
        if s not in final and not _is_literal(s)
    )
    return FilteredModule(rebuild(source, tree.body, final, texts), dropped)


def _is_literal(statement: ast.stmt) -> bool:
    """A stray docstring, ``...`` or ``pass``: dropping it is not worth a note."""
    expression = isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
    return expression or isinstance(statement, ast.Pass)


def _is_code(statement: ast.stmt) -> bool:
    """Definitions and assignments: what may stay besides imports."""
    return isinstance(statement, (*_DEFINITIONS, ast.Assign, ast.AnnAssign))


class _Scope:
    """What module-level names are bound to: imports (by their full dotted name), local
    definitions and assignments (never a pure call), builtins."""

    def __init__(self, tree: ast.Module) -> None:
        self.imported: dict[str, str] = {}
        self.local: set[str] = set()
        self.future_annotations = False
        for statement in _top_level_imports(tree):
            for alias in statement.names:
                if isinstance(statement, ast.ImportFrom):
                    module = "." * statement.level + (statement.module or "")
                    self.imported[alias.asname or alias.name] = f"{module}.{alias.name}"
                    self.future_annotations |= (
                        module == "__future__" and alias.name == "annotations"
                    )
                else:
                    bound = alias.asname or alias.name.split(".")[0]
                    self.imported[bound] = alias.name if alias.asname else bound
        for other in tree.body:
            if not isinstance(other, ast.Import | ast.ImportFrom):
                self.local |= _bound_by(other)

    def resolve(self, node: ast.expr) -> str | None:
        """The full dotted name a callee refers to (``None``: not a plain name chain)."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        root = node.id
        if root in self.imported:
            root = self.imported[root]
        elif root in self.local or not hasattr(builtins, root):
            return None
        return ".".join([root, *reversed(parts)])

    def safe_call(self, callee: ast.expr) -> bool:
        name = self.resolve(callee)
        if name is None:
            return False
        return name in _SAFE_BUILTINS or name in _SAFE_QUALIFIED or name.startswith(_PYTEST)


def _top_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    for statement in tree.body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            yield statement
        elif _is_type_checking_block(statement):
            assert isinstance(statement, ast.If)
            yield from (s for s in statement.body if isinstance(s, ast.Import | ast.ImportFrom))


def _is_type_checking_block(statement: ast.stmt) -> bool:
    if not isinstance(statement, ast.If) or statement.orelse:
        return False
    test = statement.test
    name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", None)
    return name == "TYPE_CHECKING" and all(
        isinstance(s, ast.Import | ast.ImportFrom) for s in statement.body
    )


def _bound_by(statement: ast.stmt) -> set[str]:
    if isinstance(statement, _DEFINITIONS):
        return {statement.name}
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return {a.asname or a.name.split(".")[0] for a in statement.names if a.name != "*"}
    names: set[str] = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _inert(node: ast.AST | None, scope: _Scope) -> bool:
    """Evaluating ``node`` runs no code but the allowed constructors."""
    if node is None:
        return True
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and not scope.safe_call(sub.func):
            return False
        if isinstance(sub, ast.Await | ast.Yield | ast.YieldFrom | ast.NamedExpr):
            return False
    return True


def _inert_decorator(node: ast.expr, scope: _Scope, class_names: set[str]) -> bool:
    """A decorator is called with the definition: it must be an allowed callable, a call
    of one with inert arguments, or a property's ``x.setter`` within its class."""
    if isinstance(node, ast.Call):
        return scope.safe_call(node.func) and all(
            _inert(a, scope) for a in (*node.args, *(k.value for k in node.keywords))
        )
    accessor = isinstance(node, ast.Attribute) and node.attr in ("setter", "getter", "deleter")
    if accessor and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id in class_names
    return scope.safe_call(node)


def _inert_function(node: ast.FunctionDef | ast.AsyncFunctionDef, scope: _Scope,
                    class_names: set[str]) -> bool:  # fmt: skip
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    annotations = [] if scope.future_annotations else [a.annotation for a in every if a]
    evaluated = [*args.defaults, *(d for d in args.kw_defaults if d), *annotations]
    if not scope.future_annotations:
        evaluated.append(node.returns)
    return all(_inert_decorator(d, scope, class_names) for d in node.decorator_list) and all(
        _inert(e, scope) for e in evaluated
    )


def _inert_class(node: ast.ClassDef, scope: _Scope) -> bool:
    heads = [*node.bases, *(k.value for k in node.keywords)]
    if not all(_inert(h, scope) for h in heads):
        return False
    if not all(_inert_decorator(d, scope, set()) for d in node.decorator_list):
        return False
    names: set[str] = set()
    for statement in node.body:
        if not _inert_statement(statement, scope, names):
            return False
        names |= _bound_by(statement)
    return True


def _inert_statement(statement: ast.stmt, scope: _Scope, class_names: set[str]) -> bool:
    """A statement that may run at import (module level or in a class body)."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
        return _inert_function(statement, scope, class_names)
    if isinstance(statement, ast.ClassDef):
        return _inert_class(statement, scope)
    if isinstance(statement, ast.Assign):
        simple = all(isinstance(t, ast.Name) for t in statement.targets)
        return simple and _inert(statement.value, scope)
    if isinstance(statement, ast.AnnAssign):
        annotation_ok = scope.future_annotations or _inert(statement.annotation, scope)
        return (
            isinstance(statement.target, ast.Name)
            and annotation_ok
            and _inert(statement.value, scope)
        )
    if isinstance(statement, ast.Expr):
        return isinstance(statement.value, ast.Constant)  # docstrings, ``...``
    return isinstance(statement, ast.Pass)


def _used_names(statements: list[ast.stmt]) -> set[str]:
    """Names the statements read, string annotations included."""
    used: set[str] = set()
    for statement in statements:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                used.add(node.id)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                used |= _names_in_annotation(node.value)
    return used


def _names_in_annotation(text: str) -> set[str]:
    if (
        not text.replace(".", "")
        .replace("[", "")
        .replace("]", "")
        .replace(",", "")
        .replace(" ", "")
        .replace("|", "")
        .isidentifier()
    ):
        return set()
    try:
        expression = ast.parse(text, mode="eval")
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(expression) if isinstance(n, ast.Name)}


def _constants_in_use(kept: list[ast.stmt], used: set[str]) -> list[ast.stmt]:
    """Definitions and imports stay; a constant stays when the kept code reads it."""
    return [
        s for s in kept
        if not isinstance(s, ast.Assign | ast.AnnAssign) or _bound_by(s) & used
    ]  # fmt: skip


def _check_needs(used: set[str], final: list[ast.stmt], dropped: list[ast.stmt]) -> None:
    available: set[str] = set()
    for statement in final:
        available |= _bound_by(statement)
    for statement in dropped:
        missing = (_bound_by(statement) & used) - available
        if missing:
            raise UnsafeModule(
                f"the code uses {', '.join(sorted(missing))}, defined on line "
                f"{statement.lineno} by a statement learned code may not carry"
            )
