"""Every contract omnibase-core 0.47 ships or scaffolds opens without an error.

The corpus in tests/fixtures/real/ is copied from the framework by
scripts/refresh_real_fixtures.py (see its SOURCE.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from onex_lsp.contract.files import read_contract
from onex_lsp.contract.model import Dialect
from tests.conftest import ROOT

REAL = ROOT / "tests" / "fixtures" / "real"
CORE = sorted((REAL / "core").rglob("*.yaml"))
SCAFFOLD = sorted((REAL / "scaffold").glob("*/invoice-ledger/src/*/nodes/*/contract.yaml"))


def test_the_corpus_is_the_framework_s() -> None:
    assert len(CORE) == 55
    assert len(SCAFFOLD) == 4


@pytest.mark.parametrize(
    "path", CORE + SCAFFOLD, ids=lambda p: p.relative_to(REAL).as_posix().removesuffix(".yaml")
)
def test_real_contract_has_no_error(path: Path) -> None:
    result = read_contract(path)
    assert result.errors == (), [(i.code, i.message) for i in result.errors]


def test_every_node_contract_is_generatable_but_the_workflow() -> None:
    not_generated = {
        p.relative_to(REAL).as_posix() for p in CORE if not read_contract(p).generatable
    }
    assert not_generated == {"core/workflows/compliance_workflow.yaml"}


def test_the_dialects_found_in_the_corpus() -> None:
    dialects: dict[Dialect | None, int] = {}
    for path in CORE + SCAFFOLD:
        dialect = read_contract(path).dialect
        dialects[dialect] = dialects.get(dialect, 0) + 1
    assert dialects == {
        Dialect.CORE_PACKAGED: 42,
        Dialect.STRICT: 1,
        Dialect.MODEL_REFS: 1,
        Dialect.SUBCONTRACT: 8,
        Dialect.WORKFLOW: 3,
        Dialect.SCAFFOLD: 4,
    }
