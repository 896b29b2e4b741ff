"""The pattern report as one self-contained HTML page: inline SVG charts, one ``<style>``
element, no script, no external resource (users may be offline).

The same page is written by ``onex-lsp patterns report --html`` and shown by VS Code's
report webview (the server renders it; the editor shows it with scripts disabled), so
the charts are drawn once. Its Content-Security-Policy allows only that style element
(by nonce): nothing else can load or run even if a learned text got through. Every
learned text (labels, file names, ids) is escaped.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Sequence

from onex_lsp.feedback.report import PatternReport, PatternTrend, TopBlock, WeekCounts

_NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")
CHART_WIDTH, CHART_HEIGHT = 640, 160
MAX_SLOT = 56.0  # the widest a week's bar (and its gap) gets
TREND_WIDTH, TREND_HEIGHT, TREND_PAD = 240, 40, 4
STACK = ("kept", "modified", "reverted")

_STYLE = """
body { font-family: var(--vscode-font-family, system-ui, sans-serif); margin: 1.5em;
  color: var(--vscode-foreground, #1f2328); background: var(--vscode-editor-background, #fff); }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
.totals span { display: inline-block; margin-right: 1.4em; }
.totals b { font-size: 1.3em; }
table { border-collapse: collapse; } td, th { padding: 3px 10px; text-align: left; }
th { border-bottom: 1px solid #8888; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.kept { fill: #2da44e; } .modified { fill: #d29922; } .reverted { fill: #cf222e; }
.applied { fill: #8888; }
.legend .kept, .legend .modified, .legend .reverted { display: inline-block; width: 10px;
  height: 10px; margin: 0 4px 0 12px; }
.legend .kept { background: #2da44e; } .legend .modified { background: #d29922; }
.legend .reverted { background: #cf222e; }
.keep-line { fill: none; stroke: #0969da; stroke-width: 2; }
.keep-dot { fill: #0969da; } .retention-dot { fill: #8250df; opacity: 0.8; }
.axis { stroke: #8888; stroke-width: 1; } .label { fill: currentColor; font-size: 10px; }
.muted { opacity: 0.7; }
"""


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def _day(at: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(at))


def _weekly_chart(weeks: Sequence[WeekCounts]) -> str:
    """Stacked bars per week: kept, modified, reverted outcomes."""
    top = max((w.kept + w.modified + w.reverted for w in weeks), default=0) or 1
    slot = min(CHART_WIDTH / max(len(weeks), 1), MAX_SLOT)  # a few weeks: narrow bars
    plot = CHART_HEIGHT - 20
    parts = [f'<line class="axis" x1="0" y1="{plot}" x2="{CHART_WIDTH}" y2="{plot}"/>']
    for index, week in enumerate(weeks):
        x, base = index * slot + slot * 0.15, float(plot)
        for name in STACK:
            count = getattr(week, name)
            height = plot * count / top
            if count:
                base -= height
                parts.append(
                    f'<rect class="{name}" x="{x:.1f}" y="{base:.1f}" width="{slot * 0.7:.1f}" '
                    f'height="{height:.1f}"><title>{_day(week.start)}: {count} {name}</title>'
                    "</rect>"
                )
        if index % max(1, len(weeks) // 6) == 0:
            parts.append(
                f'<text class="label" x="{x:.1f}" y="{CHART_HEIGHT - 5}">'
                f"{_day(week.start)[5:]}</text>"
            )
    return _svg(CHART_WIDTH, CHART_HEIGHT, parts, "outcomes per week")


def _trend_chart(trend: PatternTrend) -> str:
    """The keep rate by week (blue, a line from 0 to 1) and each week's mean retention
    (violet dots)."""
    count = len(trend.keep_rates)
    step = (TREND_WIDTH - 2 * TREND_PAD) / max(count - 1, 1)

    def x(index: int) -> float:
        return TREND_WIDTH / 2 if count == 1 else TREND_PAD + index * step

    def y(value: float) -> float:
        return 4 + (TREND_HEIGHT - 8) * (1 - min(max(value, 0.0), 1.0))

    kept = [(x(i), y(v), v) for i, v in enumerate(trend.keep_rates) if v is not None]
    parts = [f'<line class="axis" x1="0" y1="{y(0.5):.1f}" x2="{TREND_WIDTH}" y2="{y(0.5):.1f}"/>']
    if len(kept) > 1:
        points = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in kept)
        parts.append(f'<polyline class="keep-line" points="{points}"/>')
    parts += [
        f'<circle class="keep-dot" cx="{px:.1f}" cy="{py:.1f}" r="2">'
        f"<title>keep rate {value:.2f}</title></circle>"
        for px, py, value in kept
    ]
    parts += [
        f'<circle class="retention-dot" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3">'
        f"<title>retention {v:.2f}</title></circle>"
        for i, v in enumerate(trend.retentions)
        if v is not None
    ]
    return _svg(TREND_WIDTH, TREND_HEIGHT, parts, f"keep rate of {trend.label}")


def _svg(width: int, height: int, parts: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_escape(title)}">'
        + "".join(parts)
        + "</svg>"
    )


def _outcome_bar(block: TopBlock) -> str:
    total = block.kept + block.modified + block.reverted
    parts, x = [], 0.0
    for name in STACK:
        width = 120 * getattr(block, name) / total if total else 0.0
        if width:
            parts.append(
                f'<rect class="{name}" x="{x:.1f}" y="2" width="{width:.1f}" height="12"/>'
            )
            x += width
    return _svg(120, 16, parts, f"{block.kept} kept, {block.modified} modified")


def _totals(report: PatternReport) -> str:
    names = [
        ("learnedBlocks", "learned blocks"), ("patterns", "patterns used"), ("shown", "shown"),
        ("applied", "applied"), ("kept", "kept"), ("modified", "modified"),
        ("reverted", "reverted"),
    ]  # fmt: skip
    cells = "".join(
        f"<span><b>{int(report.totals.get(key, 0))}</b> {label}</span>" for key, label in names
    )
    return f'<p class="totals">{cells}</p>'


def _pattern_rows(report: PatternReport) -> str:
    rows = []
    for trend in report.patterns:
        retention = f"{trend.retention:.2f}" if trend.retention is not None else "-"
        rows.append(
            f"<tr><td>{_escape(trend.label)}</td><td class=num>{trend.keep_rate:.2f}</td>"
            f"<td>{_trend_chart(trend)}</td><td class=num>{retention}</td>"
            f"<td class=num>{trend.applied}</td><td>{_escape(trend.state)}</td></tr>"
        )
    head = (
        "<tr><th>Pattern</th><th>Keep rate</th><th>By week: keep rate (blue), retention "
        "(violet)</th><th>Retention</th><th>Applied</th><th>State</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _block_rows(report: PatternReport) -> str:
    if not report.top_blocks:
        return '<p class="muted">No learned block has been applied yet.</p>'
    rows = [
        f'<tr><td title="{_escape(b.origin)}">{_escape(b.label)}</td>'
        f"<td><code>{_escape(b.id[:8])}</code></td><td class=num>{b.applied}</td>"
        f"<td>{_outcome_bar(b)}</td><td class=num>{b.keep_rate:.2f}</td></tr>"
        for b in report.top_blocks
    ]
    head = "<tr><th>Block</th><th>Id</th><th>Applied</th><th>Outcomes</th><th>Keep rate</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _body(report: PatternReport) -> str:
    if not report.weeks:
        return (
            '<p class="muted">No feedback recorded yet: apply a suggestion and keep editing; '
            "the report fills in as the server measures what you kept.</p>"
        )
    legend = (
        '<p class="legend"><span class="kept"></span>kept<span class="modified"></span>'
        'modified<span class="reverted"></span>reverted</p>'
    )
    return (
        f"<h2>Outcomes per week</h2>{legend}{_weekly_chart(report.weeks)}"
        f"<h2>Patterns</h2>{_pattern_rows(report)}"
        f"<h2>Top learned blocks</h2>{_block_rows(report)}"
    )


def render_html(report: PatternReport, nonce: str) -> str:
    """The whole page; ``nonce`` (8 to 64 URL-safe characters, fresh per page) is the only
    thing the page's CSP lets style it."""
    if not _NONCE.fullmatch(nonce):
        raise ValueError("the CSP nonce must be 8 to 64 URL-safe characters")
    policy = f"default-src 'none'; style-src 'nonce-{nonce}'; img-src data:"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>ONEX pattern report</title><style nonce="{nonce}">{_STYLE}</style></head>'
        f"<body><h1>ONEX pattern report</h1>"
        f'<p class="muted">Generated {_escape(_day(report.generated_at))} (UTC)</p>'
        f"{_totals(report)}{_body(report)}</body></html>\n"
    )
