"""Turn a handler written for one contract into a template for any contract, and back.

Names that derive from the contract (operation, entity in snake/Pascal/plural forms, the
node name, the package, model and protocol classes and their modules) become
placeholders that are themselves valid identifiers, so a template still parses as
Python (and so has a structural fingerprint). ``instantiate`` puts a new contract's
names back, every one a checked identifier: no contract value reaches code otherwise.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import keyword
import re
import tokenize
from dataclasses import dataclass
from itertools import accumulate

from onex_lsp import english, layout
from onex_lsp.contract.schema import NodeKind
from onex_lsp.generation.detection import lookup
from onex_lsp.identifiers import IdentifierError, check_pascal, check_snake

# Words too common in code or prose to be abstracted as "the entity".
_GENERIC = frozenset(
    {"id", "ids", "data", "item", "items", "record", "records", "value", "values", "result",
     "request", "payload", "type", "key", "keys", "name", "all", "list", "info", "state",
     "text", "string", "input", "output", "message", "event", "file", "line", "word",
     "number", "field", "entry", "object", "content", "status"}
)  # fmt: skip


def plural(word: str) -> str:
    """``invoice`` -> ``invoices``, ``category`` -> ``categories``, ``child`` -> ``children``."""
    return english.plural(word)


def singular(word: str) -> str:
    return english.singular(word)


def entity_of(operation: str) -> str:
    """``create_user`` -> ``user``; ``list_users`` -> ``user``; ``reconcile`` -> ``reconcile``."""
    words = operation.split("_")
    if len(words) > 1 and lookup(words[0]) is not None:
        words = words[1:]
    words[-1] = singular(words[-1])
    return "_".join(words)


@dataclass(frozen=True)
class NameContext:
    """The contract-derived names of one handler."""

    node: str  # user_management
    kind: str  # effect
    operation: str  # create_user
    input_class: str = ""
    output_class: str = ""
    repository_protocol: str = ""
    executor_protocol: str = ""

    @property
    def entity(self) -> str:
        return entity_of(self.operation)

    @property
    def package(self) -> str:
        return layout.package_folder(self.node, NodeKind(self.kind))

    def _node_names(self) -> dict[str, str]:
        """The names generated in the node's package (``layout`` spells them all)."""
        node = self.node
        input_class = self.input_class or layout.input_model_class(node)
        output_class = self.output_class or layout.output_model_class(node)
        return {
            "__ONEX_PACKAGE__": self.package,
            "__ONEX_INPUT_MODULE__": layout.model_module(input_class),
            "__ONEX_OUTPUT_MODULE__": layout.model_module(output_class),
            "__ONEX_REPOSITORY_MODULE__": layout.repository_protocol_module(node),
            "__ONEX_EXECUTOR_MODULE__": layout.executor_protocol_module(node),
            "__ONEX_INPUT_CLASS__": input_class,
            "__ONEX_OUTPUT_CLASS__": output_class,
            "__ONEX_REPOSITORY_PROTOCOL__": self.repository_protocol
            or layout.repository_protocol(node),
            "__ONEX_EXECUTOR_PROTOCOL__": self.executor_protocol or layout.executor_protocol(node),
            "__ONEX_NODE_CLASS__": layout.node_class(node, NodeKind(self.kind)),
        }

    def names(self, *, abstract_generic: bool = False) -> dict[str, str]:
        """Placeholder -> concrete name, for every name this handler may contain, in
        priority order for names spelled alike: the entity, then the node, then the
        operation (an entity equal to the node name is the entity where it stands alone;
        inside the package's own names the longer composite wins).

        When abstracting (``abstract_generic`` False), an entity that is a common code
        word (``item``, ``data``, ``text``) is left alone rather than replaced everywhere.
        """
        names: dict[str, str] = {}
        entity = self.entity
        meaningful = entity not in _GENERIC and len(entity) >= 3 and entity != self.operation
        if meaningful or abstract_generic:
            names |= case_forms("ENTITY", entity) | case_forms("ENTITIES", plural(entity))
        if self.node:  # handlers outside a node package keep their other names
            if abstract_generic or (len(self.node) >= 3 and self.node not in _GENERIC):
                names |= case_forms("NODE", self.node)
            names |= {k: v for k, v in self._node_names().items() if k not in names}
        names |= case_forms("OPERATION", self.operation) | {
            "__ONEX_FUNCTION__": layout.handler_function(self.operation),
            "__ONEX_MODULE__": layout.handler_module(self.operation),
        }
        return names


# Case forms of a snake_case name: identifier forms, then prose (strings and comments only).
IDENTIFIER_FORMS = ("", "PASCAL", "CAMEL", "UPPER")
PROSE_FORMS = ("WORDS", "SENTENCE", "KEBAB", "ARTICLE_WORDS")


def case_forms(base: str, snake: str) -> dict[str, str]:
    """``purchase_order`` as ``PurchaseOrder``, ``purchaseOrder``, ``PURCHASE_ORDER``,
    ``purchase order``, ``Purchase order``, ``purchase-order`` and ``a purchase order``,
    by placeholder."""
    words = snake.split("_")
    spelled = {
        "": snake,
        "PASCAL": "".join(w.capitalize() for w in words),
        "CAMEL": words[0] + "".join(w.capitalize() for w in words[1:]),
        "UPPER": snake.upper(),
        "WORDS": " ".join(words),
        "SENTENCE": " ".join(words).capitalize(),
        "KEBAB": "-".join(words),
        "ARTICLE_WORDS": english.article(" ".join(words)) + " " + " ".join(words),  # an order
    }
    return {f"__ONEX_{base}{'_' + form if form else ''}__": text for form, text in spelled.items()}


def _is_prose(placeholder: str) -> bool:
    return placeholder.strip("_").rsplit("_", 1)[-1] in PROSE_FORMS  # ARTICLE_WORDS ends WORDS


def prose_spans(source: str) -> list[tuple[int, int, bool]]:
    """``source`` cut into (start, end, is prose) spans: comments and the literal text of
    strings are prose, the rest (with f-string fields) is code. Text that does not
    tokenize is code."""
    starts = [0, *accumulate(len(line) for line in source.splitlines(keepends=True))]
    prose: list[tuple[int, int]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            start = starts[token.start[0] - 1] + token.start[1]
            end = starts[token.end[0] - 1] + token.end[1]
            if token.type == tokenize.COMMENT or token.type == _FSTRING_MIDDLE:
                prose.append((start, end))
            elif token.type == tokenize.STRING:
                prose += _literal_parts(token.string, start)
    except (tokenize.TokenError, SyntaxError, IndexError):
        prose = []
    spans, at = [], 0
    for start, end in prose:
        spans += [(at, start, False)] if start > at else []
        spans.append((start, end, True))
        at = end
    return spans + ([(at, len(source), False)] if at < len(source) else [])


_FSTRING_MIDDLE = getattr(tokenize, "FSTRING_MIDDLE", -1)


def _literal_parts(token: str, offset: int) -> list[tuple[int, int]]:
    """The literal text of a string token; an f-string's ``{fields}`` are code."""
    prefix = len(token) - len(token.lstrip("rRbBuUfF"))
    if "f" not in token[:prefix].lower():
        return [(offset, offset + len(token))]
    parts, depth, begin, i = [], 0, offset, prefix
    while i < len(token):
        pair = token[i : i + 2]
        if depth == 0 and pair in ("{{", "}}"):
            i += 2
            continue
        if token[i] == "{":
            parts += [(begin, offset + i)] if depth == 0 else []
            depth += 1
        elif token[i] == "}" and depth:
            depth -= 1
            begin = offset + i + 1 if depth == 0 else begin
        i += 1
    return parts + ([(begin, offset + len(token))] if depth == 0 else [])


def _boundary(concrete: str, prose: bool) -> str:
    """Where a name may stand: never inside a longer word; a Pascal name may follow a
    lower-case word (``getUser``), a snake one an underscore (``_user``); a prose one
    stands between non-identifier characters (``user_id`` in a string is the snake name)."""
    text = re.escape(concrete)
    if prose:
        return rf"(?<![A-Za-z0-9_]){text}(?![A-Za-z0-9_])"
    if concrete.isupper():
        return rf"(?<![A-Za-z0-9]){text}(?![A-Za-z0-9])"
    if concrete[:1].isupper():
        return rf"(?<![A-Z0-9]){text}(?![a-z0-9])"
    return rf"(?<![A-Za-z0-9]){text}(?![a-z0-9])"


@dataclass(frozen=True)
class _Matcher:
    pattern: re.Pattern[str]
    placeholders: tuple[str, ...]

    def sub(self, text: str) -> str:
        return self.pattern.sub(lambda m: self.placeholders[int(m.lastgroup[1:])], text)  # type: ignore[index]


def _matcher(names: dict[str, str], in_prose: bool) -> _Matcher | None:
    """One pass, longest name first (ties: prose forms first in prose, then priority)."""
    seen: set[tuple[str, bool]] = set()
    order = list(enumerate(names.items()))
    order.sort(key=lambda e: (-len(e[1][1]), not (in_prose and _is_prose(e[1][0])), e[0]))
    parts: list[str] = []
    placeholders: list[str] = []
    for _, (placeholder, concrete) in order:
        prose = _is_prose(placeholder)
        if not concrete or (prose and not in_prose) or (concrete, prose) in seen:
            continue
        seen.add((concrete, prose))
        parts.append(f"(?P<g{len(placeholders)}>{_boundary(concrete, prose)})")
        placeholders.append(placeholder)
    return _Matcher(re.compile("|".join(parts)), tuple(placeholders)) if parts else None


def parameterize(source: str, context: NameContext) -> str:
    """Replace the contract-derived names in ``source`` by placeholders: identifier forms
    in code, identifier and prose forms in strings and comments; longest match first."""
    names = context.names()
    code, prose = _matcher(names, False), _matcher(names, True)
    out = []
    for start, end, is_prose in prose_spans(source):
        matcher = prose if is_prose else code
        out.append(matcher.sub(source[start:end]) if matcher else source[start:end])
    return "".join(out)


def instantiate(template: str, context: NameContext, prose_checked: bool = False) -> str:
    """Put ``context``'s names into a template; every name is checked first, and a prose
    form (``purchase order``) may only stand in a string or a comment (``prose_checked``:
    ``prose_in_code`` found none in code when the template was learned)."""
    names = context.names(abstract_generic=True)
    _check_names(tuple(names.items()))
    prose = () if prose_checked else tuple(p for p in names if _is_prose(p) and p in template)
    if prose and _prose_in_code(template, prose):
        raise ValueError("a prose name stands outside a string or comment")
    text = _placeholders(tuple(names)).sub(lambda m: names[m.group(0)], template)
    if "__ONEX_" in text:
        raise ValueError("the template needs a name this contract does not have")
    return text


# A contract's re-render puts the same names into many templates, and the same templates
# are re-rendered for each new set of names: what depends on one side only is cached.
@functools.lru_cache(maxsize=64)
def _check_names(names: tuple[tuple[str, str], ...]) -> None:
    for placeholder, concrete in names:
        _check(placeholder, concrete)


@functools.lru_cache(maxsize=64)
def _placeholders(keys: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the placeholders, longest first (one is never a prefix of another's match)."""
    return re.compile("|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)))


_PROSE_ENDINGS = tuple(f"_{form}__" for form in PROSE_FORMS if form != "ARTICLE_WORDS")


def prose_in_code(template: str) -> bool:
    """Whether a prose placeholder may stand in the template's code (learning records it,
    so a re-render need not tokenize; an ending alike in a user's name only costs that)."""
    endings = tuple(e for e in _PROSE_ENDINGS if e in template)
    return bool(endings) and _prose_in_code(template, endings)


@functools.lru_cache(maxsize=512)
def _prose_in_code(template: str, prose: tuple[str, ...]) -> bool:
    """Whether one of the ``prose`` placeholders stands in the template's code (tokenizing
    is most of a re-render's time)."""
    return any(
        not is_prose and any(p in template[start:end] for p in prose)
        for start, end, is_prose in prose_spans(template)
    )


def _check(placeholder: str, concrete: str) -> None:
    """Raise unless ``concrete`` can stand where ``placeholder`` does."""
    if _is_prose(placeholder):
        return  # spelled from the snake name, which is checked too
    if placeholder.endswith(("_UPPER__", "_CAMEL__")):
        if not concrete.isidentifier() or keyword.iskeyword(concrete):
            raise IdentifierError(f"{concrete!r} is not a valid Python identifier")
    elif concrete[:1].isupper():
        check_pascal(concrete)
    else:
        check_snake(concrete, "name")


def fingerprint(template: str) -> str:
    """Content, not formatting: the template's AST with its docstrings (whitespace
    collapsed) and the text of its comments."""
    return fingerprint_tree(ast.parse(template), template)


def fingerprint_tree(tree: ast.Module, source: str) -> str:
    """``fingerprint`` of an already parsed template (its docstrings are normalised in
    place): a docstring- or comment-only fix is a new block, re-indenting is not."""
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                value.value = " ".join(value.value.split())
    comments = "\n".join(_comments(source))
    dump = ast.dump(tree, annotate_fields=False) + "\0" + comments
    return hashlib.sha256(dump.encode()).hexdigest()


def _comments(source: str) -> list[str]:
    """Each comment's words (``#  TODO: x`` -> ``TODO: x``); none when it does not tokenize."""
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                found.append(" ".join(token.string.lstrip("#").split()))
    except (tokenize.TokenError, SyntaxError):
        return []
    return found
