"""What feedback says about each pattern: counts, a Bayesian keep rate, a lifecycle.

Pure: folds journal events into ``PatternStats``. The keep rate is the mean of a Beta
posterior whose prior comes from the pattern's own confidence (a built-in detection
score, or 0.8 for a learned block) with the weight of ``PRIOR_STRENGTH`` observations;
a modified block counts half kept, half reverted.

Lineage: a learned block derived from another learned block belongs to its family (the
first learned ancestor is the family's root). Outcomes of any member are also folded
into the family's record (``family_key``), so a style reverted through one sibling
counts against all of them; a ``superseded`` event retires a block from being the
default once a kept, modified child of it exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from onex_lsp.layout import is_learned_key

PRIOR_STRENGTH = 8.0
LEARNED_PRIOR = 0.8
DEFAULT_BUILTIN_PRIOR = 0.85  # for reports, where the detection confidence is not at hand
VALIDATED_AFTER = 3  # keeps
VALIDATED_RATE = 0.6
DEMOTED_RATE = 0.4
REVERT_STREAK_LIMIT = 2
FAMILY_PREFIX = "family:"


def family_key(root: str) -> str:
    """The stats key of the family rooted at the learned pattern ``root``."""
    return FAMILY_PREFIX + root


def is_family_key(key: str) -> bool:
    return key.startswith(FAMILY_PREFIX)


@dataclass(frozen=True)
class PatternStats:
    pattern: str
    shown: int = 0
    applied: int = 0
    kept: int = 0
    modified: int = 0
    reverted: int = 0
    retention_sum: float = 0.0
    outcomes: int = 0
    revert_streak: int = 0
    last_used: float = 0.0
    superseded_by: str = ""  # the kept, modified child that replaced it as the default

    def keep_estimate(self, prior: float) -> float:
        alpha = prior * PRIOR_STRENGTH + self.kept + 0.5 * self.modified
        beta = (1 - prior) * PRIOR_STRENGTH + self.reverted + 0.5 * self.modified
        return round(alpha / (alpha + beta), 4)

    @property
    def mean_retention(self) -> float:
        return round(self.retention_sum / self.outcomes, 4) if self.outcomes else 0.0

    @property
    def not_preferred(self) -> bool:
        """Reverted twice in a row: never the preferred action again until it is kept."""
        return self.revert_streak >= REVERT_STREAK_LIMIT

    def lifecycle(self, prior: float) -> str:
        estimate = self.keep_estimate(prior)
        if self.not_preferred or (self.outcomes >= 3 and estimate < DEMOTED_RATE):
            return "demoted"
        if self.kept >= VALIDATED_AFTER and estimate >= VALIDATED_RATE:
            return "validated"
        return "candidate"

    def summary(self) -> str:
        """``kept 9 of 10``, ``reverted 3 of 4 — not preferred``; empty before any outcome."""
        if not self.outcomes:
            return ""
        if self.not_preferred:
            return f"reverted {self.reverted} of {self.outcomes} — not preferred"
        if self.reverted and not self.kept:
            return f"reverted {self.reverted} of {self.outcomes}"
        return f"kept {self.kept} of {self.outcomes}"


def fold(events: Iterable[Mapping[str, Any]]) -> dict[str, PatternStats]:
    """Per-pattern statistics from journal events (``shown``/``applied``/``outcome``)."""
    stats: dict[str, PatternStats] = {}
    for event in events:
        apply_event(stats, event)
    return stats


def apply_event(stats: dict[str, PatternStats], event: Mapping[str, Any]) -> None:
    """Fold one more event into ``stats``: what keeps them current without re-reading the
    journal."""
    pattern = event.get("pattern")
    if not isinstance(pattern, str):
        return
    stats[pattern] = _updated(stats.get(pattern, PatternStats(pattern)), event)
    if is_learned_key(pattern) and event.get("type") in ("applied", "outcome"):
        family = event.get("family")
        key = family_key(family if isinstance(family, str) and family else pattern)
        stats[key] = _updated(stats.get(key, PatternStats(key)), event)


def _updated(current: PatternStats, event: Mapping[str, Any]) -> PatternStats:
    step = _FOLDS.get(str(event.get("type")))
    return step(current, event) if step is not None else current


def _shown(current: PatternStats, event: Mapping[str, Any]) -> PatternStats:
    return replace(current, shown=current.shown + 1)


def _applied(current: PatternStats, event: Mapping[str, Any]) -> PatternStats:
    at = float(event.get("at", 0.0))
    return replace(current, applied=current.applied + 1, last_used=max(current.last_used, at))


def _outcome(current: PatternStats, event: Mapping[str, Any]) -> PatternStats:
    outcome = event.get("outcome")
    return replace(
        current,
        kept=current.kept + (outcome == "kept"),
        modified=current.modified + (outcome == "modified"),
        reverted=current.reverted + (outcome == "reverted"),
        retention_sum=current.retention_sum + float(event.get("retention", 0.0)),
        outcomes=current.outcomes + 1,
        revert_streak=current.revert_streak + 1 if outcome == "reverted" else 0,
    )


def _superseded(current: PatternStats, event: Mapping[str, Any]) -> PatternStats:
    return replace(current, superseded_by=str(event.get("by") or ""))


_FOLDS: dict[str, Callable[[PatternStats, Mapping[str, Any]], PatternStats]] = {
    "shown": _shown,
    "applied": _applied,
    "outcome": _outcome,
    "superseded": _superseded,
}
# The journal's event types a pattern's record is made of: readers fold only these
# (``learned`` events, one per block, need not be read).
FEEDBACK_EVENTS = frozenset(_FOLDS)
