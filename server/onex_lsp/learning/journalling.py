"""Journalling a file's extracted blocks: one transaction for a batch of files.

Shared by the library (bulk learning, learning in-process) and the extraction worker,
which journals what a saved file holds itself, so that the language server's process
only receives the few blocks that were new (journal writes hold the GIL too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from onex_lsp.learning.blocks import LearnOutcome
from onex_lsp.learning.journal import Journal, LearnedBlock
from onex_lsp.learning.lineage import Origin, with_parents


@dataclass(frozen=True)
class LearnReport:
    path: str
    learned: tuple[LearnedBlock, ...]  # new blocks (duplicates are not repeated)
    seen: int  # blocks found in the file
    error: str | None = None
    paused: str | None = None  # learning is paused (why): the file is held, learned later


def journal_outcomes(
    journal: Journal, outcomes: list[tuple[str, LearnOutcome]], origins: Sequence[Origin] = ()
) -> list[LearnReport]:
    """Journal several files' blocks in one transaction: one commit per batch.
    Raises ``JournalUnavailable`` when the journal cannot take them."""
    prepared = [with_parents(outcome.blocks, origins) for _, outcome in outcomes]
    added = iter(journal.add_blocks([b for blocks in prepared for b in blocks]))
    reports = []
    for (path, outcome), blocks in zip(outcomes, prepared, strict=True):
        if outcome.error is not None:
            err = outcome.error
            message = f"{path}:{err.line}:{err.column + 1}: {err}"
            reports.append(LearnReport(path, (), 0, message))
            continue
        learned = tuple(b for b in blocks if next(added))
        reports.append(LearnReport(path, learned, len(blocks)))
    return reports
