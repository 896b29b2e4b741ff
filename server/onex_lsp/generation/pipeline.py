"""Contract in, node package out: the use case the CLI and the language server share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from onex_lsp.contract.reader import (
    MAX_CONTRACT_BYTES,
    Contract,
    ContractIssue,
    ContractResult,
    load_contract,
    oversized_result,
)
from onex_lsp.generation.detection import ContractDetection, detect_contract
from onex_lsp.generation.formatting import format_sources
from onex_lsp.generation.ranking import (
    DEFAULT_THRESHOLD,
    HandlerChoice,
    LearnedOption,
    apply_learned,
    choose_handlers,
)
from onex_lsp.generation.rendering import render_package
from onex_lsp.positions import Range


@dataclass(frozen=True)
class GeneratedPackage:
    contract: Contract
    detection: ContractDetection
    choices: tuple[HandlerChoice, ...]
    files: dict[str, str]  # paths relative to the package folder
    formatted: bool

    @property
    def package_name(self) -> str:
        return self.contract.package_name


def plan_package(
    contract: Contract,
    threshold: float = DEFAULT_THRESHOLD,
    learned: dict[str, list[LearnedOption]] | None = None,
    forced: dict[str, LearnedOption] | None = None,
    builtin_estimate: Callable[[HandlerChoice], float] | None = None,
) -> GeneratedPackage:
    """Detect, choose (the user's learned blocks win where they clearly do, or where the
    user picked one: ``forced``), render, format."""
    detection = detect_contract(contract)
    choices = choose_handlers(contract, detection, threshold)
    if learned or forced:
        choices = apply_learned(choices, learned or {}, forced, builtin_estimate)
    files, formatted = format_sources(render_package(contract, choices, threshold))
    return GeneratedPackage(contract, detection, choices, files, formatted)


def read_contract(path: Path) -> ContractResult:
    """Read a contract file; unreadable files become one issue, like bad YAML does."""
    try:
        if path.stat().st_size > MAX_CONTRACT_BYTES:
            return oversized_result()
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return ContractResult(
            None,
            (ContractIssue("unreadable", f"cannot read the contract: {exc}", Range.point(0, 0)),),
        )
    return load_contract(text, str(path))
