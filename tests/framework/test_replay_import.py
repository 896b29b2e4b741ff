"""The replay gate's import check: a learned block rendered for a new contract is imported
in its package (served from memory, nothing written) by the framework interpreter."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from onex_lsp.lsp.replay_gates import ReplayGates
from tests.unit.test_replay_gate import CONTRACT, FINE, PLAN, learned

pytestmark = pytest.mark.framework


def test_the_framework_imports_each_block_in_its_package(py312: Path) -> None:
    fine = learned(FINE)
    # Both pass the static check: names bound, absolute imports are not judged there.
    # Ranked above the fine block, so each is judged before it (in rounds, best first).
    missing = replace(
        fine,
        block_id="missing-module",
        similarity=0.99,
        module_text="import structlog\n\n" + fine.module_text,
    )
    renamed = replace(
        fine,
        block_id="renamed-error",
        similarity=0.98,
        module_text=fine.module_text.replace("import OnexError", "import OnexErrorV2 as OnexError"),
    )
    assert renamed.module_text != fine.module_text
    options = {"create_order": [fine, missing, renamed]}
    gates = ReplayGates()
    verdicts = gates.verdicts(CONTRACT, PLAN, 0.7, options, str(py312))
    assert verdicts[("create_order", fine.block_id)] == ""
    assert verdicts[("create_order", "missing-module")] == (
        "importing it in the generated package fails "
        "(ModuleNotFoundError: No module named 'structlog')"
    )
    assert verdicts[("create_order", "renamed-error")].startswith(
        "importing it in the generated package fails (ImportError: cannot import name "
        "'OnexErrorV2' from 'omnibase_core.errors'"
    )


def test_an_interpreter_that_cannot_run_the_check_leaves_the_static_verdicts(
    tmp_path: Path,
) -> None:
    fine = learned(FINE)
    missing = replace(
        fine, block_id="m", similarity=0.99, module_text="import structlog\n\n" + fine.module_text
    )
    gates = ReplayGates()
    absent = str(tmp_path / "no-python")
    verdicts = gates.verdicts(CONTRACT, PLAN, 0.7, {"create_order": [fine, missing]}, absent)
    # statically fine (absolute imports are the interpreter's to judge), so it is the
    # default and the block below it is not judged
    assert verdicts == {("create_order", "m"): ""}
