"""The package a contract describes in this workspace: where it goes and what exists.

Everything here reads the disk, so callers run it in a worker thread
(``asyncio.to_thread``), never on the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from onex_lsp.contract.files import read_contract
from onex_lsp.contract.model import Contract
from onex_lsp.generation.existing import Reconciled, blocking, is_stub, reconcile
from onex_lsp.generation.package_plan import Location, PackagePlan, plan_layout
from onex_lsp.generation.pipeline import GeneratedPackage
from onex_lsp.generation.record import record_path, with_record
from onex_lsp.loop_guard import assert_off_loop
from onex_lsp.lsp.convert import uri_to_path
from onex_lsp.workspace_fs import read_texts


def location(contract_path: Path, roots: list[Path]) -> Location:
    """Blocking (resolves symlinks): the contract's place; its workspace folder is the root
    generated files stay under."""
    assert_off_loop(f"resolving {contract_path}")
    resolved = contract_path.resolve()
    roots = [r.resolve() for r in roots]
    inside = [r for r in roots if r == resolved.parent or r in resolved.parents]
    root = max(inside, key=lambda r: len(r.parts)) if inside else resolved.parent
    return Location(resolved, root)


@dataclass(frozen=True)
class PackageState:
    """What exists of a contract's package on disk."""

    plan: PackagePlan
    existing: dict[str, str | None]  # code paths -> current text (None: absent)

    @property
    def exists(self) -> bool:
        """The node (or, without one, every handler) holds more than a scaffold stub."""
        if self.plan.node is not None:
            text = self.existing.get(str(self.plan.node.module.path))
            return text is not None and not is_stub(text)
        texts = [self.existing.get(str(h.module.path)) for h in self.plan.handlers]
        return bool(texts) and all(t is not None and not is_stub(t) for t in texts)

    def present(self) -> dict[str, bool]:
        return {path: text is not None for path, text in self.existing.items()}


def plan_of(contract: Contract, where: Location) -> PackagePlan:
    """Where the package's modules go (pure: reads nothing)."""
    return plan_layout(contract, where)


def package_state(contract: Contract, where: Location) -> PackageState:
    """Blocking: reads the package's node, handler and model modules."""
    plan = plan_layout(contract, where)
    return PackageState(plan, read_texts(Path(where.root), sorted(plan.code_paths())))


@dataclass(frozen=True)
class Writes:
    """What generating means on this disk: files to create or fill, and what blocks it."""

    generated: GeneratedPackage
    reconciled: Reconciled
    existing: dict[str, str | None]
    blocked_by: tuple[str, ...]


def writes_for(generated: GeneratedPackage, *, force: bool = False) -> Writes:
    """Blocking: reads every file the package would write and sorts them."""
    root = Path(generated.plan.root)
    existing = read_texts(root, list(generated.files))
    reconciled = reconcile(generated.files, existing, force=force)
    return Writes(
        generated, reconciled, existing, blocking(generated.plan.code_paths(), reconciled)
    )


def recorded(writes: Writes, threshold: float) -> Writes:
    """Blocking: ``writes`` plus the package's generation record (``update`` merges from it)."""
    path = record_path(writes.generated.plan)
    current = read_texts(Path(writes.generated.plan.root), [path])[path]
    reconciled = with_record(writes.generated, writes.reconciled, threshold, current)
    return replace(writes, reconciled=reconciled, existing={**writes.existing, path: current})


def path_of(uri: str) -> Path | None:
    """The file a URI names (None for other schemes)."""
    return uri_to_path(uri)


def contract_in(package: Path, strict_model: bool = False) -> Contract | None:
    """Blocking: the valid contract of a package folder, read from disk."""
    result = read_contract(package / "contract.yaml", strict_model=strict_model)
    return result.contract if result.generatable else None
