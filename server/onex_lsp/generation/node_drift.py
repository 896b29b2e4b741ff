"""What differs between a package's generation record and its contract now.

Operations added, removed or renamed (a removed and an added operation that get the same
block: the handler is carried to the new name), handlers whose name or module changed,
models whose class or module changed, templates newer than the ones the package was
generated with. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from onex_lsp.contract.model import Contract, ContractIssue, Severity
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.package_plan import PackagePlan
from onex_lsp.generation.ranking import DEFAULT_THRESHOLD, HandlerChoice, choose_handlers
from onex_lsp.generation.record import (
    TEMPLATE_VERSION,
    GenerationRecord,
    RecordError,
    models_of,
    parse_record,
    sha256,
    to_package,
)
from onex_lsp.positions import Position, Range


@dataclass(frozen=True)
class Drift:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()  # (old operation, new operation)
    handlers: tuple[str, ...] = ()  # "'op': handle_x (handlers/a.py) -> HandlerX (...)"
    models: tuple[str, ...] = ()  # "input: models/a.py:ModelA -> models/b.py:ModelB"
    templates: tuple[int, int] | None = None  # (recorded, current) when newer
    contract_changed: bool = False

    @property
    def any(self) -> bool:
        return bool(
            self.added or self.removed or self.renamed or self.handlers or self.models
            or self.templates or self.contract_changed
        )  # fmt: skip

    def summary(self) -> str:
        """``2 operations added, 1 removed`` (what the action's title says)."""
        parts: list[str] = []
        for count, word in ((len(self.added), "added"), (len(self.removed), "removed"),
                            (len(self.renamed), "renamed")):  # fmt: skip
            if count:
                noun = f"operation{'s' if count > 1 else ''} " if not parts else ""
                parts.append(f"{count} {noun}{word}")
        if self.handlers:
            parts.append(f"{len(self.handlers)} handler(s) changed")
        if self.models:
            parts.append(f"{len(self.models)} model(s) changed")
        if self.templates:
            parts.append(f"templates v{self.templates[0]} → v{self.templates[1]}")
        return ", ".join(parts) or "contract changed"

    def details(self) -> list[str]:
        lines = []
        if self.added:
            lines.append("added: " + ", ".join(self.added))
        if self.removed:
            lines.append("removed: " + ", ".join(self.removed))
        lines += [f"renamed: {old} → {new}" for old, new in self.renamed]
        lines += [f"handler {h}" for h in self.handlers]
        lines += [f"model {m}" for m in self.models]
        if self.templates:
            lines.append(
                f"generated with templates v{self.templates[0]}; these are v{self.templates[1]}"
            )
        return lines


def renames(record: GenerationRecord, choices: tuple[HandlerChoice, ...]) -> list[tuple[str, str]]:
    """Removed and added operations paired by block, in contract order."""
    now = {c.operation: c.block for c in choices}
    removed = [op for op in record.operations if op not in now]
    added = [op for op in now if op not in record.operations]
    pairs = []
    for old in removed:
        match = next((new for new in added if now[new] == record.operations[old].block), None)
        if match is not None:
            pairs.append((old, match))
            added.remove(match)
    return pairs


def node_drift(
    record: GenerationRecord, contract_text: str, plan: PackagePlan,
    choices: tuple[HandlerChoice, ...],
) -> Drift:  # fmt: skip
    pairs = renames(record, choices)
    paired_old = {old for old, _ in pairs}
    paired_new = {new for _, new in pairs}
    now = [c.operation for c in choices]
    handlers = []
    for op in now:
        old = record.operations.get(op)
        if old is None:
            continue
        target = plan.handler_for(op)
        module = to_package(plan, str(target.module.path))
        if (old.handler, old.module) != (target.name, module):
            handlers.append(f"'{op}': {old.handler} ({old.module}) → {target.name} ({module})")
    current = models_of(plan)
    models = [
        f"{role}: {record.models.get(role)} → {where}"
        for role, where in current.items()
        if role in record.models and record.models[role] != where
    ]
    newer = record.template_version < TEMPLATE_VERSION
    return Drift(
        added=tuple(op for op in now if op not in record.operations and op not in paired_new),
        removed=tuple(op for op in record.operations if op not in now and op not in paired_old),
        renamed=tuple(pairs),
        handlers=tuple(handlers),
        models=tuple(models),
        templates=(record.template_version, TEMPLATE_VERSION) if newer else None,
        contract_changed=sha256(contract_text) != record.contract_sha256,
    )


def contract_drift(contract: Contract, plan: PackagePlan, record_text: str) -> Drift | None:
    """The drift between a package's record and ``contract`` (None: an unreadable record).
    Cheap: plans and detects, renders nothing."""
    try:
        record = parse_record(record_text)
    except RecordError:
        return None
    choices = choose_handlers(contract, detect_contract(contract), DEFAULT_THRESHOLD)
    return node_drift(record, contract.text, plan, choices)


def drift_issue(contract: Contract, drift: Drift) -> ContractIssue:
    """The diagnostic on the contract saying exactly what differs from its package."""
    added = {op.name: op for op in contract.operations}
    first = next((added[op] for op in (*drift.added, *(n for _, n in drift.renamed))), None)
    rng = first.range if first is not None else next(iter(contract.key_ranges.values()), None)
    structural = drift.added or drift.removed or drift.renamed or drift.handlers or drift.models
    details = "; ".join(drift.details()) or "the contract's text changed"
    return ContractIssue(
        "node-drift",
        f"the package was generated from another version of this contract ({details}); "
        "Update node merges the changes into your files",
        rng or Range(Position(0, 0), Position(0, 0)),
        Severity.WARNING if structural else Severity.INFO,
        data={"summary": drift.summary()},
    )
