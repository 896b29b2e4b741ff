"""The checks of a contract that read its package on disk: where its modules go, which
handlers it lacks, and handlers the code names differently. Blocking: worker threads."""

from __future__ import annotations

from pathlib import Path

from onex_lsp.contract.model import Contract, ContractIssue, ContractResult, Severity
from onex_lsp.generation.code_drift import name_drift
from onex_lsp.generation.drift import missing_handlers
from onex_lsp.generation.node_drift import contract_drift, drift_issue
from onex_lsp.generation.record import record_path
from onex_lsp.lsp import packages
from onex_lsp.workspace_fs import read_texts


def package_issues(
    result: ContractResult, path: Path | None, roots: list[Path]
) -> list[ContractIssue]:
    """Blocking: the plan's notes, missing handlers and handler-name drift."""
    contract = result.contract
    if contract is None or path is None or not result.generatable:
        return []
    state = packages.package_state(contract, packages.location(path, roots))
    issues = _drift_issues(contract, state)
    issues += [
        ContractIssue(
            note.code, note.message, note.range,
            Severity.WARNING if note.warning else Severity.INFO, data=note.data or None,
        )
        for note in state.plan.notes
    ]  # fmt: skip
    return issues + _missing(contract, state) + _node_drift(contract, state)


def _node_drift(contract: Contract, state: packages.PackageState) -> list[ContractIssue]:
    """Operations, handlers, models or templates that differ from the generation record."""
    record = record_path(state.plan)
    text = read_texts(Path(state.plan.root), [record])[record] if state.exists else None
    drift = contract_drift(contract, state.plan, text) if text is not None else None
    return [drift_issue(contract, drift)] if drift is not None and drift.any else []


def _missing(contract: Contract, state: packages.PackageState) -> list[ContractIssue]:
    operations = {op.name: op for op in contract.operations}
    issues = []
    for name in missing_handlers(state.plan, state.present()):
        target = state.plan.handler_for(name)
        issues.append(
            ContractIssue(
                "missing-handler",
                f"operation '{name}' has no handler ({target.module.path} is missing); "
                "a quick fix can add it",
                operations[name].range,
                Severity.WARNING,
                data={"operation": name},
            )
        )
    return issues


def _drift_issues(contract: Contract, state: packages.PackageState) -> list[ContractIssue]:
    issues = []
    for drift in name_drift(contract, state.plan, state.existing):
        defines = ", ".join(drift.defined) or "no handler"
        data = {"operation": drift.operation, "declared": drift.declared}
        if drift.replacement:
            data["replacement"] = drift.replacement
        issues.append(
            ContractIssue(
                "handler-name-drift",
                f"{drift.module} does not define {drift.declared}, which the contract routes "
                f"'{drift.operation}' to (it defines {defines})",
                drift.range, Severity.WARNING, data=data,
            )
        )  # fmt: skip
    return issues
