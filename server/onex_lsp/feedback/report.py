"""The pattern report: how each pattern has fared over time, from the journal's events.

Pure: the same events ``stats.fold`` reads, bucketed into calendar weeks (Monday 00:00
UTC). Per week: how many applied blocks were kept, modified or reverted. Per pattern:
the Bayesian keep rate as it stood at the end of each week (cumulative, so a line a
user can follow) and the mean retention of that week's outcomes. Then the learned blocks
used most, and totals. Rendered for a terminal by ``report_text`` and as one HTML file
by ``report_html``; the server sends the same data to the editors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import PurePath
from typing import Any, Protocol

from onex_lsp.feedback.stats import (
    DEFAULT_BUILTIN_PRIOR,
    FEEDBACK_EVENTS,
    LEARNED_PRIOR,
    PatternStats,
    apply_event,
    is_family_key,
)
from onex_lsp.layout import LEARNED_PREFIX, is_learned_key, learned_key

WEEK = 7 * 86_400.0
FIRST_MONDAY = 4 * 86_400.0  # 1970-01-05, the first Monday after the epoch
MAX_WEEKS = 26
MAX_PATTERNS = 12
TOP_BLOCKS = 10
OUTCOMES = ("kept", "modified", "reverted")


@dataclass(frozen=True)
class BlockFacts:
    """What the report says about a learned block (the journal's ``LearnedBlock``,
    reduced to what a reader needs; ``feedback`` does not import ``learning``)."""

    id: str
    kind: str
    block: str | None
    operation: str | None
    origin: str


class LearnedBlockLike(Protocol):
    """The journal's ``LearnedBlock`` as far as the report reads it."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def block(self) -> str | None: ...
    @property
    def operation(self) -> str | None: ...
    @property
    def origin_file(self) -> str: ...


def block_facts(block: LearnedBlockLike) -> BlockFacts:
    return BlockFacts(block.id, block.kind, block.block, block.operation, block.origin_file)


@dataclass(frozen=True)
class WeekCounts:
    start: float  # Monday 00:00 UTC, seconds since the epoch
    applied: int = 0
    kept: int = 0
    modified: int = 0
    reverted: int = 0


@dataclass(frozen=True)
class PatternTrend:
    key: str
    label: str
    keep_rates: tuple[float | None, ...]  # per week; None before the pattern was first used
    retentions: tuple[float | None, ...]  # per week; None in weeks without an outcome
    applied: int
    kept: int
    modified: int
    reverted: int
    keep_rate: float
    retention: float | None
    state: str


@dataclass(frozen=True)
class TopBlock:
    id: str
    label: str
    origin: str
    applied: int
    kept: int
    modified: int
    reverted: int
    keep_rate: float
    last_used: float | None


@dataclass(frozen=True)
class PatternReport:
    generated_at: float
    weeks: tuple[WeekCounts, ...]
    patterns: tuple[PatternTrend, ...]
    top_blocks: tuple[TopBlock, ...]
    totals: Mapping[str, int]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values (the ``onex/patternReport`` answer's ``report``)."""
        return {
            "generatedAt": self.generated_at,
            "weeks": [_camel_keys(asdict(w)) for w in self.weeks],
            "patterns": [_camel_keys(asdict(p)) for p in self.patterns],
            "topBlocks": [_camel_keys(asdict(b)) for b in self.top_blocks],
            "totals": dict(self.totals),
        }


def _camel_keys(record: dict[str, Any]) -> dict[str, Any]:
    """``keep_rates`` -> ``keepRates``: the editors' JSON spelling."""
    return {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), k): v for k, v in record.items()}


def week_start(at: float) -> float:
    """The Monday 00:00 UTC that starts the week of ``at``."""
    return math.floor((at - FIRST_MONDAY) / WEEK) * WEEK + FIRST_MONDAY


def prior_of(key: str) -> float:
    return LEARNED_PRIOR if is_learned_key(key) else DEFAULT_BUILTIN_PRIOR


def block_label(facts: BlockFacts) -> str:
    """``handler crud.create · handler_create_user.py``: what a reader recognises."""
    kind = f"{facts.kind} {facts.block}" if facts.block else facts.kind
    return f"{kind} · {PurePath(facts.origin).name}" if facts.origin else kind


def pattern_label(key: str, blocks: Mapping[str, BlockFacts]) -> str:
    if not is_learned_key(key):
        return key
    block_id = key[len(LEARNED_PREFIX) :]
    facts = blocks.get(block_id)
    return f"learned {block_label(facts)}" if facts else f"learned {block_id[:8]}"


def build_report(
    events: Iterable[Mapping[str, Any]], blocks: Sequence[BlockFacts], now: float
) -> PatternReport:
    """The report of ``events`` (any order; non-feedback events are ignored) about the
    learned ``blocks``, with weeks up to the one of ``now`` (at most ``MAX_WEEKS``)."""
    usable = sorted(_feedback_events(events), key=lambda e: float(e["at"]))
    by_id = {b.id: b for b in blocks}
    final: dict[str, PatternStats] = {}
    for event in usable:
        apply_event(final, event)
    starts = _week_starts(usable, now)
    chosen = _chosen_patterns(final)
    weeks, trends = _weekly(usable, starts, chosen)
    patterns = tuple(
        _trend(key, final[key], trends[key], pattern_label(key, by_id)) for key in chosen
    )
    return PatternReport(
        generated_at=now,
        weeks=weeks,
        patterns=patterns,
        top_blocks=_top_blocks(final, by_id),
        totals=_totals(final, len(blocks)),
    )


def _feedback_events(events: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    for event in events:
        at = event.get("at")
        usable_time = isinstance(at, int | float) and math.isfinite(at)
        feedback = event.get("type") in FEEDBACK_EVENTS and isinstance(event.get("pattern"), str)
        if usable_time and feedback:
            yield event


def _week_starts(events: Sequence[Mapping[str, Any]], now: float) -> list[float]:
    if not events:
        return []
    last = week_start(max(now, float(events[-1]["at"])))
    first = max(week_start(float(events[0]["at"])), last - (MAX_WEEKS - 1) * WEEK)
    return [first + i * WEEK for i in range(round((last - first) / WEEK) + 1)]


def _chosen_patterns(final: Mapping[str, PatternStats]) -> list[str]:
    """The patterns worth a line: used at least once, most used first."""
    used = [k for k, r in final.items() if not is_family_key(k) and (r.applied or r.outcomes)]
    used.sort(key=lambda k: (-final[k].applied, -final[k].outcomes, k))
    return used[:MAX_PATTERNS]


@dataclass
class _Series:
    keep_rates: list[float | None]
    retentions: list[float | None]


def _weekly(
    events: Sequence[Mapping[str, Any]], starts: Sequence[float], chosen: Sequence[str]
) -> tuple[tuple[WeekCounts, ...], dict[str, _Series]]:
    """Fold week by week: the counts of each week and each chosen pattern's series."""
    running: dict[str, PatternStats] = {}
    series = {key: _Series([], []) for key in chosen}
    weeks = []
    position = 0
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else math.inf
        in_week = []
        while position < len(events) and float(events[position]["at"]) < end:
            if events[position]["pattern"] in series:  # only the lines drawn need folding
                apply_event(running, events[position])
            in_week.append(events[position])
            position += 1
        if start == starts[0]:
            in_week = [e for e in in_week if float(e["at"]) >= start]  # older: folded only
        weeks.append(_week_counts(start, in_week))
        for key, line in series.items():
            line.keep_rates.append(_keep_rate(running.get(key), key))
            line.retentions.append(_mean_retention(in_week, key))
    return tuple(weeks), series


def _keep_rate(record: PatternStats | None, key: str) -> float | None:
    """The keep rate so far; ``None`` until the pattern was first used."""
    if record is None or not (record.applied or record.outcomes):
        return None
    return record.keep_estimate(prior_of(key))


def _week_counts(start: float, events: Sequence[Mapping[str, Any]]) -> WeekCounts:
    outcomes = [e.get("outcome") for e in events if e.get("type") == "outcome"]
    return WeekCounts(
        start=start,
        applied=sum(e.get("type") == "applied" for e in events),
        kept=outcomes.count("kept"),
        modified=outcomes.count("modified"),
        reverted=outcomes.count("reverted"),
    )


def _mean_retention(events: Sequence[Mapping[str, Any]], key: str) -> float | None:
    values = [
        float(e.get("retention", 0.0))
        for e in events
        if e.get("type") == "outcome" and e.get("pattern") == key
    ]
    return round(sum(values) / len(values), 4) if values else None


def _trend(key: str, record: PatternStats, series: _Series, label: str) -> PatternTrend:
    prior = prior_of(key)
    return PatternTrend(
        key=key,
        label=label,
        keep_rates=tuple(series.keep_rates),
        retentions=tuple(series.retentions),
        applied=record.applied,
        kept=record.kept,
        modified=record.modified,
        reverted=record.reverted,
        keep_rate=record.keep_estimate(prior),
        retention=record.mean_retention if record.outcomes else None,
        state=record.lifecycle(prior),
    )


def _top_blocks(
    final: Mapping[str, PatternStats], blocks: Mapping[str, BlockFacts]
) -> tuple[TopBlock, ...]:
    """The learned blocks applied most (then kept most); blocks never applied are left out."""
    used = [
        (facts, final[learned_key(i)]) for i, facts in blocks.items() if learned_key(i) in final
    ]
    used = [(facts, record) for facts, record in used if record.applied or record.outcomes]
    used.sort(key=lambda pair: (-pair[1].applied, -pair[1].kept, pair[0].id))
    return tuple(
        TopBlock(
            id=facts.id,
            label=block_label(facts),
            origin=facts.origin,
            applied=record.applied,
            kept=record.kept,
            modified=record.modified,
            reverted=record.reverted,
            keep_rate=record.keep_estimate(LEARNED_PRIOR),
            last_used=record.last_used or None,
        )
        for facts, record in used[:TOP_BLOCKS]
    )


def _totals(final: Mapping[str, PatternStats], learned_blocks: int) -> dict[str, int]:
    records = [r for k, r in final.items() if not is_family_key(k)]
    return {
        "learnedBlocks": learned_blocks,
        "patterns": sum(1 for r in records if r.applied or r.outcomes),
        "shown": sum(r.shown for r in records),
        "applied": sum(r.applied for r in records),
        **{name: sum(getattr(r, name) for r in records) for name in OUTCOMES},
    }
