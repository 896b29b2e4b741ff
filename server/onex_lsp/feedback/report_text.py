"""The pattern report for a terminal: totals, weekly outcomes and one line per pattern
with unicode sparklines (``▁▂▃▄▅▆▇█``), so a trend reads at a glance without a browser.

Rates (keep rate, retention) share one fixed scale, 0 to 1, so two patterns' lines compare;
counts are scaled to their largest week. A week without data is a space.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from onex_lsp.feedback.report import PatternReport

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None], low: float = 0.0, high: float = 1.0) -> str:
    """One bar per value between ``low`` and ``high`` (clamped); ``None`` is a space."""
    span = high - low
    bars = []
    for value in values:
        if value is None:
            bars.append(" ")
            continue
        share = 0.0 if span <= 0 else (min(max(value, low), high) - low) / span
        bars.append(BARS[min(int(share * len(BARS)), len(BARS) - 1)])
    return "".join(bars)


def count_sparkline(counts: Sequence[int]) -> str:
    """Weekly counts scaled to the largest; a week with none is the lowest bar."""
    return sparkline([float(c) for c in counts], 0.0, float(max(counts, default=0) or 1))


def printable(text: str) -> str:
    """Learned text (file names, ids) without control characters: nothing a terminal
    would interpret."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _day(at: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(at))


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


def _heading(report: PatternReport) -> list[str]:
    totals = report.totals
    lines = [
        f"pattern report: {totals['learnedBlocks']} learned block(s), "
        f"{totals['patterns']} pattern(s) used"
    ]
    if report.weeks:
        first, last = report.weeks[0].start, report.weeks[-1].start
        lines.append(f"weeks: {len(report.weeks)} ({_day(first)} to the week of {_day(last)})")
    lines.append(
        f"shown {totals['shown']} · applied {totals['applied']} · kept {totals['kept']}"
        f" · modified {totals['modified']} · reverted {totals['reverted']}"
    )
    return lines


def _weekly_lines(report: PatternReport) -> list[str]:
    weeks = report.weeks
    rows = [["PER WEEK", "TREND", "TOTAL"]]
    for name in ("applied", "kept", "modified", "reverted"):
        counts = [getattr(w, name) for w in weeks]
        rows.append([name, count_sparkline(counts), str(sum(counts))])
    return _table(rows)


def _pattern_lines(report: PatternReport) -> list[str]:
    rows = [["PATTERN", "KEEP", "KEEP RATE BY WEEK", "RETENTION", "BY WEEK", "USED", "STATE"]]
    for trend in report.patterns:
        retention = f"{trend.retention:.2f}" if trend.retention is not None else "-"
        keep = f"{trend.keep_rate:.2f}"
        lines = [sparkline(trend.keep_rates), retention, sparkline(trend.retentions)]
        rows.append([printable(trend.label), keep, *lines, str(trend.applied), trend.state])
    return _table(rows)


def _top_lines(report: PatternReport) -> list[str]:
    rows = [["TOP LEARNED BLOCKS", "ID", "USED", "KEPT", "MODIFIED", "REVERTED", "KEEP"]]
    for block in report.top_blocks:
        counts = [block.applied, block.kept, block.modified, block.reverted]
        name = [printable(block.label), printable(block.id[:8])]
        rows.append([*name, *map(str, counts), f"{block.keep_rate:.2f}"])
    return _table(rows)


def render_text(report: PatternReport) -> str:
    """The terminal summary (``onex-lsp patterns report``)."""
    lines = _heading(report)
    if not report.weeks:
        lines.append("no feedback recorded yet: apply a suggestion and keep editing")
        return "\n".join(lines) + "\n"
    lines += ["", *_weekly_lines(report), "", *_pattern_lines(report)]
    if report.top_blocks:
        lines += ["", *_top_lines(report)]
    else:
        lines += ["", "no learned block applied yet"]
    return "\n".join(lines) + "\n"
