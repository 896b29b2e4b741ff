"""Hypothesis strategies for the fuzzer: contracts that are valid YAML but wrong, limits,
hostile names, broken YAML, binary, and Python handler sources mid-edit."""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import strategies as st

from tests.conftest import EXAMPLES

MAX_BYTES = 512 * 1024  # the contract reader's size cap
MAX_DEPTH = 64  # its nesting cap
MAX_OPERATIONS = 500  # its operations cap


@dataclass(frozen=True)
class ContractCase:
    category: str
    text: str
    must_error: bool = False  # the server must publish at least one error for it
    change_to: str | None = None  # a second version, sent with didChange

    def __repr__(self) -> str:  # hypothesis prints failing examples: keep them readable
        head = self.text[:300] + (f"... ({len(self.text)} chars)" if len(self.text) > 300 else "")
        return f"ContractCase({self.category!r}, must_error={self.must_error}, text={head!r})"


@dataclass(frozen=True)
class PythonCase:
    category: str
    example: str  # the example contract whose generated handler is being edited
    versions: tuple[str, ...]  # didOpen with the first, didChange with the others
    disk_contract: bytes | None = None  # what contract.yaml on disk holds meanwhile


EXAMPLE_TEXTS = {path.stem: path.read_text() for path in EXAMPLES}
EXAMPLE_DATA = {stem: yaml.safe_load(text) for stem, text in EXAMPLE_TEXTS.items()}

WRONG_VALUES: list[Any] = [
    None, True, False, 0, -1, 2**70, 3.5, float("inf"), float("nan"), "", " ", "x",
    "é名🙂", "class", "None", "EFFECT_GENERIC", [], [None], [1, "a", {"b": []}], {}, {"a": None},
    {"": ""}, {1: 2}, "ö" * 300, {"major": "1", "minor": -1, "patch": 2.5}, [[[[]]]],
]  # fmt: skip
HOSTILE_NAMES = [
    *keyword.kwlist, *keyword.softkwlist, "list", "print", "id", "type", "object", "super",
    "self", "cls", "__init__", "__class__", "__import__", "_", "__", "os", "sys", "typing",
    "créer_utilisateur", "作成", "ñandú", "user🙂", "Δelta", "İstanbul", "ǅungla", "",
    "1st_op", "x" * 300, "a" * 49, "create user", "create-user", "create.user", "a.b", "a_b",
    "createUser", "create_user", "CreateUser", "CREATE_USER", "create__user", "_create_user",
    "createUSER", "ModelEffectInput", "NodeEffect", "\u0000", "line\nbreak", "tab\there",
    "'; import os #", '"""', "{{ x }}", "${HOME}",
]  # fmt: skip
COLLIDING = ["createUser", "create_user", "CreateUser", "create-user", "create.user",
             "CREATE_USER", "create user", "a.b", "a_b", "a-b", "A_B"]  # fmt: skip
YAML_NOISE = [":", "[", "]", "{", "}", "-", "- ", ",", "&a", "*a", "!!python/object", "|", ">",
              "'", '"', "%YAML 1.2", "@", "`", "\t", "\n", "  ", "? ", "---\n", "...\n",
              "<<: *x\n", "#", "\\", "\ufeff", "\r", "\x00", "\u2028"]  # fmt: skip
PY_NOISE = ["def ", "(", ")", ":", "\n    ", "'''", '"', "async ", "await ", "lambda", "\\",
            "\t", "@", "#", "é", "class ", "return", "\n", "[", "{", "yield", "import "]  # fmt: skip


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def _paths(value: Any, prefix: tuple[Any, ...] = (), depth: int = 0) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if depth >= 5:
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            found += _paths(item, (*prefix, index), depth + 1)
    return found


def _replaced(data: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: (_replaced(v, rest, new) if k == head else v) for k, v in data.items()}
    return [(_replaced(v, rest, new) if i == head else v) for i, v in enumerate(data)]


@st.composite
def wrong_types(draw: st.DrawFn) -> ContractCase:
    """Every key of every example, each with values of every wrong type."""
    stem = draw(st.sampled_from(sorted(EXAMPLE_DATA)))
    data = EXAMPLE_DATA[stem]
    path = draw(st.sampled_from(_paths(data)))
    value = draw(st.sampled_from(WRONG_VALUES))
    must = path in (("node_type",), ("contract_version",)) and not isinstance(value, str | dict)
    return ContractCase("wrong-type", dump(_replaced(data, path, value)), must)


def strict_contract(name: str, operations: list[str], kind: str = "EFFECT_GENERIC") -> str:
    handlers = [
        {"operation": op, "handler": {"name": f"handle_{op}", "module": f"handlers.handler_{op}"}}
        for op in operations
    ]
    data = {
        "name": name, "contract_version": {"major": 1, "minor": 0, "patch": 0},
        "description": "Fuzzed", "node_type": kind,
        "input_model": "ModelFuzzInput", "output_model": "ModelFuzzOutput",
        "handler_routing": {
            "version": {"major": 1, "minor": 0, "patch": 0},
            "routing_strategy": "operation_match", "handlers": handlers,
        },
    }  # fmt: skip
    return dump(data)


KINDS = ["EFFECT_GENERIC", "COMPUTE_GENERIC", "REDUCER_GENERIC", "ORCHESTRATOR_GENERIC",
         "effect", "compute", "reducer", "orchestrator"]  # fmt: skip


@st.composite
def hostile_names(draw: st.DrawFn) -> ContractCase:
    """Keywords, builtins, unicode and names that collide once snake-cased."""
    pool = st.one_of(st.sampled_from(HOSTILE_NAMES), st.text(max_size=30))
    name = draw(st.one_of(pool, st.just("user_management")))
    colliding = st.lists(st.sampled_from(COLLIDING), min_size=2, max_size=5)
    operations = draw(st.one_of(st.lists(pool, min_size=1, max_size=8), colliding))
    kind = draw(st.sampled_from(KINDS))
    return ContractCase("names", strict_contract(name, operations, kind))


@st.composite
def many_operations(draw: st.DrawFn) -> ContractCase:
    count = draw(st.sampled_from([0, 1, 2, 120, 499, 500, 501, 1500, 3000]))
    same = draw(st.booleans())
    operations = ["create_user"] * count if same else [f"create_item_{i}" for i in range(count)]
    text = strict_contract("bulk_thing", operations)
    big = len(text.encode()) > MAX_BYTES
    return ContractCase("operations", text, must_error=big)


@st.composite
def deep_nesting(draw: st.DrawFn) -> ContractCase:
    depth = draw(st.sampled_from([2, 30, 62, 63, 64, 65, 66, 100, 1000, 20_000]))
    flow = draw(st.booleans())
    head = "name: deep_thing\nnode_type: EFFECT_GENERIC\ncontract_version: {major: 1, minor: 0, patch: 0}\n"
    if flow:
        nested = "[" * depth + "]" * depth
    else:
        nested = "".join(f"\n{'  ' * (level + 1)}a:" for level in range(min(depth, 400))) + " 1"
    text = head + "metadata: " + nested + "\n"
    must = (depth >= 70 and (flow or depth <= 400)) or len(text.encode()) > MAX_BYTES
    return ContractCase("depth", text, must_error=must)


@st.composite
def huge_scalars(draw: st.DrawFn) -> ContractCase:
    size = draw(st.sampled_from([1_000, 100_000, 500_000, 524_000, 524_288, 600_000, 2_000_000]))
    char = draw(st.sampled_from(["x", "é", "名", "🙂", "\\n"]))
    where = draw(st.sampled_from(["description", "name", "operation"]))
    scalar = char * (size // max(1, len(char.encode())))
    if where == "operation":
        text = strict_contract("huge_thing", [scalar[:size]])
    else:
        data = dict(EXAMPLE_DATA["user_management_effect"])
        data[where] = scalar
        text = dump(data)
    return ContractCase("huge-scalar", text, must_error=len(text.encode()) > MAX_BYTES)


@st.composite
def broken_yaml(draw: st.DrawFn) -> ContractCase:
    """An example with noise inserted, a span deleted, or cut short; or noise alone."""
    text = EXAMPLE_TEXTS[draw(st.sampled_from(sorted(EXAMPLE_TEXTS)))]
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "cut"]))
        if action == "insert":
            text = text[:at] + draw(st.sampled_from(YAML_NOISE)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        else:
            text = text[:at]
    noise = st.lists(st.sampled_from([*YAML_NOISE, "a", "b", "1"]), max_size=60).map("".join)
    text = draw(st.one_of(st.just(text), noise))
    changed = draw(st.one_of(st.none(), noise))
    return ContractCase("broken-yaml", text, change_to=changed)


@st.composite
def binary(draw: st.DrawFn) -> ContractCase:
    """Bytes that are not UTF-8 text, as an editor may still send them (decoded anyhow)."""
    raw = draw(st.binary(max_size=3000))
    decode = draw(st.sampled_from(["latin-1", "surrogateescape", "replace"]))
    text = raw.decode("latin-1") if decode == "latin-1" else raw.decode("utf-8", decode)
    prefix = draw(st.sampled_from(["", "node_type: EFFECT_GENERIC\n", "name: x\x00\n"]))
    return ContractCase("binary", prefix + text)


def _mutated(text: str, draw: st.DrawFn) -> str:
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "cut"]))
        if action == "insert":
            text = text[:at] + draw(st.sampled_from(PY_NOISE)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 80)) :]
        else:
            text = text[:at]
    return text


@st.composite
def python_mid_edit(draw: st.DrawFn, handlers: dict[str, str]) -> PythonCase:
    """A generated handler being typed into: each version a little more broken (or fixed),
    sometimes with the package's contract.yaml on disk unreadable meanwhile."""
    example = draw(st.sampled_from(sorted(handlers)))
    original = handlers[example]
    versions = tuple(_mutated(original, draw) for _ in range(draw(st.integers(1, 3))))
    if draw(st.booleans()):
        versions = (*versions, original)
    disk = draw(
        st.one_of(
            st.none(),
            st.binary(max_size=500),
            st.sampled_from([b"", b"\xff\xfe\x00", b"node_type: [\n"]),
        )
    )
    return PythonCase("python-mid-edit", example, versions, disk)
