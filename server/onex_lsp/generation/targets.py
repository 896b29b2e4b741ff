"""Where a generated package goes: one notion shared by the CLI and the language server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from onex_lsp.contract.reader import Contract
from onex_lsp.generation.pipeline import GeneratedPackage


@dataclass(frozen=True)
class PackageTarget:
    """Where a package goes: ``root/<package>/``; ``in_place`` when the contract is inside."""

    root: Path
    package: str
    in_place: bool

    @property
    def folder(self) -> Path:
        return self.root / self.package

    def files_to_write(self, generated: GeneratedPackage) -> dict[str, str]:
        """Paths relative to ``root`` -> text; the user's own contract is never rewritten."""
        files = {f"{self.package}/{rel}": text for rel, text in generated.files.items()}
        if self.in_place:
            files.pop(f"{self.package}/contract.yaml", None)
        return files


def package_target(contract_path: Path, contract: Contract) -> PackageTarget:
    """The package folder sits around the contract when it already lives in it, else beside it."""
    if contract_path.parent.name == contract.package_name:
        return PackageTarget(contract_path.parent.parent, contract.package_name, True)
    return PackageTarget(contract_path.parent, contract.package_name, False)
