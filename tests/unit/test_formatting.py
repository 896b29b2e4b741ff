"""Formatting generated packages: byte-identical to formatting every file in a fresh
temporary folder (the implementation before the cache and the batched call)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from onex_lsp.contract.reader import Contract, load_contract
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.formatting import CACHE, format_sources, ruff_executable
from onex_lsp.generation.package_files import render_package
from onex_lsp.generation.package_plan import Location, plan_layout
from onex_lsp.generation.ranking import DEFAULT_THRESHOLD, choose_handlers
from tests.conftest import EXAMPLES, MINIMAL_EFFECT, ROOT, WORKSPACE

CONTRACTS = [*EXAMPLES, ROOT / "tests" / "fixtures" / "long_names_effect.yaml"]


def reference_format(files: dict[str, str]) -> dict[str, str]:
    """The former ``format_sources``: a temporary folder per call, one ruff run over it."""
    ruff = ruff_executable()
    assert ruff is not None
    python = {rel: text for rel, text in files.items() if rel.endswith(".py") and text}
    with tempfile.TemporaryDirectory(prefix="onex-lsp-fmt-") as tmp:
        root = Path(tmp)
        for rel, text in python.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        subprocess.run(
            [ruff, "format", "--isolated", "--quiet", "--target-version", "py312", "."],
            cwd=root,
            check=True,
        )
        return {**files, **{rel: (root / rel).read_text(encoding="utf-8") for rel in python}}


def rendered(contract: Contract) -> dict[str, str]:
    choices = choose_handlers(contract, detect_contract(contract), DEFAULT_THRESHOLD)
    plan = plan_layout(contract, Location(WORKSPACE / "contracts" / "contract.yaml", WORKSPACE))
    return render_package(contract, plan, choices, DEFAULT_THRESHOLD)


def contract_at(path: Path) -> Contract:
    result = load_contract(path.read_text(), str(path))
    assert result.contract is not None
    return result.contract


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda p: p.stem)
def test_every_example_package_is_formatted_as_before(path: Path) -> None:
    files = rendered(contract_at(path))
    expected = reference_format(files)
    CACHE.clear()
    cold, ran = format_sources(files)
    warm, _ = format_sources(files)  # from the cache
    assert ran
    assert cold == expected
    assert warm == expected


def test_a_single_file_goes_through_stdin_with_the_same_result() -> None:
    result = load_contract(MINIMAL_EFFECT, "contract.yaml")
    assert result.contract is not None
    files = rendered(result.contract)
    CACHE.clear()
    for rel in (r for r in files if r.endswith(".py") and files[r]):
        single, ran = format_sources({rel: files[rel]})
        assert ran
        assert single == reference_format({rel: files[rel]})


def test_a_file_ruff_cannot_parse_leaves_everything_unformatted() -> None:
    files = {"ok.py": "x  =  1\n", "broken.py": "def (:\n"}
    CACHE.clear()
    assert format_sources(files) == (files, False)
