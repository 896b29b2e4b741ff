"""What a contract says, in every dialect: plain frozen values with their source ranges.

The reader fills these from any dialect real ONEX repositories use; generation, hover and
diagnostics read only these values, never the YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from onex_lsp.contract.schema import NodeKind
from onex_lsp.positions import Range


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"


@dataclass(frozen=True)
class ContractIssue:
    code: str
    message: str
    range: Range
    severity: Severity = Severity.ERROR
    blocks_generation: bool = False  # a reason the generate action is not offered
    data: dict[str, str] | None = None  # what a quick fix needs (e.g. the suggested value)


class Dialect(StrEnum):
    """The shapes of contract.yaml found in omnibase-core and the ONEX repositories."""

    STRICT = "strict"
    SCAFFOLD = "scaffold"
    CORE_PACKAGED = "core-packaged"
    MODEL_REFS = "model-refs"
    SUBCONTRACT = "subcontract"
    WORKFLOW = "workflow"
    HANDLER_CONTRACT = "handler-contract"
    LEGACY_TOOL = "legacy-tool"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Dialect.STRICT: "strict typed contract (omnibase-core's ModelContract models)",
    Dialect.SCAFFOLD: "scaffold contract (`onex new node`: handler {module, class}, "
    "default_handler module:Class)",
    Dialect.CORE_PACKAGED: "core-packaged contract (node_id, default_handler handler:NodeX, "
    "descriptor)",
    Dialect.MODEL_REFS: "model-refs contract (input/output models as {name, module}, "
    "handler {name, module} entries)",
    Dialect.SUBCONTRACT: "subcontract-driven contract (effect_operations / state machine, "
    "run by omnibase-core from the YAML)",
    Dialect.WORKFLOW: "workflow contract",
    Dialect.HANDLER_CONTRACT: "handler contract (handler_id, capability_inputs)",
    Dialect.LEGACY_TOOL: "legacy tool contract (tool_specification, actions, input_state)",
}


@dataclass(frozen=True)
class ModelRef:
    """A model the contract names: ``pkg.mod.ModelX`` or ``{name: ModelX, module: pkg.mod}``."""

    name: str  # the class name
    module: str | None  # dotted module; None for a bare class name
    range: Range


@dataclass(frozen=True)
class HandlerRef:
    """A handler the contract routes to: a class (``HandlerX``) or a function (``handle_x``)."""

    name: str | None
    module: str | None
    range: Range
    module_range: Range | None = None  # the text naming the module (``module:`` or ``mod:Cls``)
    name_range: Range | None = None  # the text naming the class or function

    @property
    def is_class(self) -> bool:
        return bool(self.name) and str(self.name)[:1].isupper()


@dataclass(frozen=True)
class Operation:
    """One operation the node handles, with where the contract declares it."""

    name: str  # the routing key as written: create_user, ledger.project, createUser
    range: Range
    source: str  # handler_routing | default_handler | handler | io_operations | ...
    handler: HandlerRef | None = None
    request_model: ModelRef | None = None  # an entry's own event_model / handler.input_model
    description: str = ""


@dataclass(frozen=True)
class Descriptor:
    """``descriptor`` (or ``behavior``): what the node promises about side effects."""

    purity: str | None = None  # pure | side_effecting | impure | ...
    idempotent: bool | None = None
    timeout_ms: int | None = None
    archetype: str | None = None


@dataclass(frozen=True)
class Contract:
    """A node contract of one of the four kinds, read from any dialect."""

    path: str
    text: str
    dialect: Dialect
    raw_name: str  # as written (name, node_name, contract_name, node_id or the folder)
    name: str  # snake_case base name: ``user_management`` for ``node_user_management_effect``
    kind: NodeKind
    node_type: str  # as written
    description: str
    version: tuple[int, int, int]
    operations: tuple[Operation, ...]
    input_model: ModelRef | None = None
    output_model: ModelRef | None = None
    tags: tuple[str, ...] = ()
    descriptor: Descriptor = field(default_factory=Descriptor)
    required_inputs: tuple[str, ...] = ()  # ``inputs`` fields marked required
    publish_topics: tuple[str, ...] = ()
    subscribe_topics: tuple[str, ...] = ()
    name_forms: tuple[str, ...] = ()  # every name the contract gives the node
    key_ranges: dict[str, Range] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class ContractResult:
    contract: Contract | None
    issues: tuple[ContractIssue, ...]
    dialect: Dialect | None = None

    @property
    def errors(self) -> tuple[ContractIssue, ...]:
        return tuple(i for i in self.issues if i.severity is Severity.ERROR)

    @property
    def ok(self) -> bool:
        return self.contract is not None and not self.errors

    @property
    def generation_blockers(self) -> tuple[ContractIssue, ...]:
        return tuple(i for i in self.issues if i.blocks_generation)

    @property
    def generatable(self) -> bool:
        return self.ok and not self.generation_blockers
