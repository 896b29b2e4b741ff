"""What ``patterns stats`` says of each family: its live members, the outcomes folded into
its record, how many members a kept child superseded, and whether it may be the default.

Pure: the family root of every live block (``lineage.family_roots``) and the folded
stats in, rows out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from onex_lsp.feedback.stats import FAMILY_PREFIX, PatternStats, family_key
from onex_lsp.layout import LEARNED_PREFIX, learned_key


@dataclass(frozen=True)
class FamilyRow:
    root: str  # the learned key of the family's root
    members: int  # live blocks in the family
    kept: int
    modified: int
    reverted: int
    superseded: int  # members a kept, modified child replaced as the default
    preferred: bool  # False once two reverts in a row (through any member) demoted it


def family_rows(roots: Mapping[str, str], stats: Mapping[str, PatternStats]) -> list[FamilyRow]:
    """One row per family with feedback or more than one member, largest first."""
    members = Counter(roots.values())
    superseded = Counter(
        root for block, root in roots.items()
        if (own := stats.get(learned_key(block))) is not None and own.superseded_by
    )  # fmt: skip
    rows = []
    for root, count in members.items():
        record = stats.get(family_key(root))
        if record is None and count < 2:
            continue
        record = record or PatternStats(family_key(root))
        rows.append(
            FamilyRow(root, count, record.kept, record.modified, record.reverted,
                      superseded[root], not record.not_preferred)
        )  # fmt: skip
    return sorted(rows, key=lambda r: (-r.members, r.root))


def roots_with_feedback(stats: Mapping[str, PatternStats]) -> list[str]:
    """The block ids of the family roots that have a record: a family of one block is
    listed only when it has feedback, and its root must be looked up to be counted."""
    prefix = FAMILY_PREFIX + LEARNED_PREFIX
    return [key[len(prefix) :] for key in stats if key.startswith(prefix)]
