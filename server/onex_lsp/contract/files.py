"""Read a contract file from disk: unreadable files become one issue, like bad YAML does."""

from __future__ import annotations

from pathlib import Path

from onex_lsp.contract.model import ContractIssue, ContractResult
from onex_lsp.contract.reader import MAX_CONTRACT_BYTES, load_contract, oversized_result
from onex_lsp.loop_guard import assert_off_loop
from onex_lsp.positions import Range


def read_contract(path: Path, *, strict_model: bool = False) -> ContractResult:
    assert_off_loop(f"reading {path}")
    try:
        if path.stat().st_size > MAX_CONTRACT_BYTES:
            return oversized_result()
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        issue = ContractIssue("unreadable", f"cannot read the contract: {exc}", Range.point(0, 0))
        return ContractResult(None, (issue,))
    return load_contract(text, str(path), strict_model=strict_model)
