"""The pattern report: its math on synthetic journal events, its sparklines, its HTML (with
hostile learned text), and ``onex-lsp patterns report`` as users run it."""

from __future__ import annotations

import calendar
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from onex_lsp.feedback.report import BlockFacts, build_report, week_start
from onex_lsp.feedback.report_html import render_html
from onex_lsp.feedback.report_text import printable, render_text, sparkline

DAY = 86_400.0
MONDAY = float(calendar.timegm((2026, 11, 2, 0, 0, 0)))  # a Monday, 00:00 UTC
NONCE = "n0nce-for-tests"


def applied(at: float, pattern: str) -> dict[str, Any]:
    return {"type": "applied", "at": at, "pattern": pattern, "family": ""}


def outcome(at: float, pattern: str, result: str, retention: float) -> dict[str, Any]:
    return {"type": "outcome", "at": at, "pattern": pattern, "outcome": result,
            "retention": retention}  # fmt: skip


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (MONDAY, MONDAY),
        (MONDAY + 6 * DAY + 86_399, MONDAY),  # Sunday 23:59:59
        (MONDAY + 7 * DAY, MONDAY + 7 * DAY),
        (MONDAY - 1, MONDAY - 7 * DAY),
        (MONDAY + 3.5 * DAY, MONDAY),
    ],
)
def test_weeks_start_on_monday_utc(at: float, expected: float) -> None:
    assert week_start(at) == expected


CREATE = "builtin:crud.create"
LEARNED = "learned:b1"
EVENTS = [
    applied(MONDAY + DAY, CREATE),
    outcome(MONDAY + DAY + 600, CREATE, "kept", 0.9),
    applied(MONDAY + 8 * DAY, CREATE),
    outcome(MONDAY + 8 * DAY + 600, CREATE, "reverted", 0.1),
    applied(MONDAY + 9 * DAY, LEARNED),
    outcome(MONDAY + 9 * DAY + 600, LEARNED, "modified", 0.6),
    {"type": "shown", "at": MONDAY + 9 * DAY, "pattern": CREATE},
    {"type": "learned", "at": MONDAY, "block_id": "b1"},  # not feedback: ignored
    {"type": "outcome", "at": "yesterday", "pattern": CREATE, "outcome": "kept"},  # bad time
]
BLOCKS = [BlockFacts("b1", "handler", "crud.create", "create_user", "/w/h/handler_create.py")]
NOW = MONDAY + 15 * DAY  # the third week, with no events


@pytest.mark.parametrize(
    ("week", "counts"),
    [
        (0, {"applied": 1, "kept": 1, "modified": 0, "reverted": 0}),
        (1, {"applied": 2, "kept": 0, "modified": 1, "reverted": 1}),
        (2, {"applied": 0, "kept": 0, "modified": 0, "reverted": 0}),  # up to now
    ],
)
def test_outcomes_are_counted_per_week(week: int, counts: dict[str, int]) -> None:
    report = build_report(EVENTS, BLOCKS, NOW)
    assert len(report.weeks) == 3
    chosen = report.weeks[week]
    assert chosen.start == MONDAY + week * 7 * DAY
    assert {name: getattr(chosen, name) for name in counts} == counts


@pytest.mark.parametrize(
    ("key", "keep_rates", "retentions"),
    [
        # prior 0.85 with the weight of 8: one keep -> 7.8/9, then a revert -> 7.8/10
        (CREATE, (0.8667, 0.78, 0.78), (0.9, 0.1, None)),
        # a learned block's prior 0.8; a modified outcome counts half: 6.9/9; unused at first
        (LEARNED, (None, 0.7667, 0.7667), (None, 0.6, None)),
    ],
)
def test_keep_rate_is_cumulative_and_retention_is_per_week(
    key: str, keep_rates: tuple[float | None, ...], retentions: tuple[float | None, ...]
) -> None:
    trends = {t.key: t for t in build_report(EVENTS, BLOCKS, NOW).patterns}
    assert trends[key].keep_rates == keep_rates
    assert trends[key].retentions == retentions
    assert trends[key].keep_rate == keep_rates[-1]


def test_totals_top_blocks_and_labels() -> None:
    report = build_report(EVENTS, BLOCKS, NOW)
    assert dict(report.totals) == {
        "learnedBlocks": 1, "patterns": 2, "shown": 1, "applied": 3, "kept": 1,
        "modified": 1, "reverted": 1,
    }  # fmt: skip
    (top,) = report.top_blocks
    assert (top.id, top.applied, top.modified, top.label) == (
        "b1", 1, 1, "handler crud.create · handler_create.py",
    )  # fmt: skip
    labels = [t.label for t in report.patterns]
    assert labels == [CREATE, "learned handler crud.create · handler_create.py"]  # most used first


def test_older_events_count_in_the_rates_but_not_in_the_weeks_shown() -> None:
    old = [applied(MONDAY - 400 * DAY, CREATE), outcome(MONDAY - 400 * DAY, CREATE, "kept", 1.0)]
    report = build_report([*old, *EVENTS], BLOCKS, NOW)
    assert len(report.weeks) == 26 and report.weeks[-1].start == MONDAY + 14 * DAY
    assert sum(w.kept for w in report.weeks) == 1  # the old keep is outside the window
    (create,) = [t for t in report.patterns if t.key == CREATE]
    assert create.kept == 2 and create.keep_rates[0] == 0.8667  # ... but counts in the rate


def test_no_feedback_is_an_empty_report_that_says_so() -> None:
    report = build_report([], [], NOW)
    assert report.weeks == () and report.patterns == ()
    assert "no feedback recorded yet" in render_text(report)
    assert "No feedback recorded yet" in render_html(report, NONCE)


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ([0.0, 0.5, 1.0], "▁▅█"),
        ([0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875], "▁▂▃▄▅▆▇█"),
        ([None, 0.99, None], " █ "),
        ([-3.0, 7.0], "▁█"),  # clamped to the scale
        ([], ""),
    ],
)
def test_sparklines(values: list[float | None], line: str) -> None:
    assert sparkline(values) == line


def test_the_terminal_summary_draws_a_line_per_pattern() -> None:
    text = render_text(build_report(EVENTS, BLOCKS, NOW))
    assert "applied 3 · kept 1 · modified 1 · reverted 1" in text
    create_line = next(line for line in text.splitlines() if line.startswith(CREATE))
    # keep rate 0.87, 0.78, 0.78 (the 0..1 scale in eighths); retention 0.9, 0.1, no outcome
    cells = create_line.split()
    assert cells[1:4] == ["0.78", "▇▇▇", "0.50"] and cells[4] == "█▁"
    assert "handler crud.create · handler_create.py  b1" in text


HOSTILE = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "</style><style>body{display:none}",
    "' onload='alert(1)",
    "<svg onload=alert(1)>",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_learned_text_is_escaped_in_the_html(hostile: str) -> None:
    blocks = [BlockFacts("b1", hostile, hostile, hostile, f"/w/{hostile}/{hostile}.py")]
    events = [applied(MONDAY, LEARNED), outcome(MONDAY, LEARNED, "kept", 1.0),
              applied(MONDAY, hostile), outcome(MONDAY, hostile, "kept", 1.0)]  # fmt: skip
    page = render_html(build_report(events, blocks, NOW), NONCE)
    assert hostile not in page
    parsed = _Elements()
    parsed.feed(page)
    assert parsed.tags <= SAFE_TAGS, parsed.tags - SAFE_TAGS
    assert not [name for name in parsed.attributes if name.startswith("on")]
    assert parsed.styles == 1


SAFE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "span", "b", "table",
    "tr", "th", "td", "code", "svg", "rect", "line", "text", "polyline", "circle",
}  # fmt: skip


class _Elements(HTMLParser):
    """The elements and attribute names of a page, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)
        self.styles += tag == "style"


def test_the_page_is_self_contained_and_locked_down() -> None:
    page = render_html(build_report(EVENTS, BLOCKS, NOW), NONCE)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy and policy.group(1) == (
        f"default-src 'none'; style-src 'nonce-{NONCE}'; img-src data:"
    )
    # the only URL is the SVG namespace: nothing to fetch offline
    assert set(re.findall(r"https?://[^\"' ]+", page)) == {"http://www.w3.org/2000/svg"}
    assert "<script" not in page and 'style="' not in page  # the CSP would block inline styles
    with pytest.raises(ValueError):
        render_html(build_report(EVENTS, BLOCKS, NOW), "x'; script-src *")


def test_terminal_text_has_no_control_characters() -> None:
    assert printable("handler\x1b[2J\x07.py") == "handler?[2J?.py"
    blocks = [BlockFacts("b1", "handler", None, None, "/w/evil\x1b]0;pwned\x07.py")]
    events = [applied(MONDAY, LEARNED)]
    assert "\x1b" not in render_text(build_report(events, blocks, NOW))


def _journal_with_feedback(data: Path) -> None:
    from onex_lsp.learning.journal import Journal
    from onex_lsp.learning.learned_block import LearnedBlock

    journal = Journal(data / "journal.sqlite3")
    journal.add_blocks([
        LearnedBlock("b1", "fp", "handler", "crud.create", "effect", "create_user", None, True,
                     "", "", "/w/<b>/handler_create_user.py", (1, 0, 3, 0), 0.0, "")
    ])  # fmt: skip
    for pattern, result in [(CREATE, "kept"), (LEARNED, "kept"), (LEARNED, "reverted")]:
        journal.record("applied", None, {"pattern": pattern, "family": ""})
        journal.record("outcome", None, {"pattern": pattern, "outcome": result, "retention": 0.9})


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "onex_lsp", "patterns", "--data-dir", str(data), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_patterns_report_in_a_terminal_and_as_a_page(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _journal_with_feedback(data)
    shown = _cli(data, "report")
    assert shown.returncode == 0, shown.stderr
    assert "applied 3 · kept 2 · modified 0 · reverted 1" in shown.stdout
    assert "learned handler crud.create · handler_create_user.py" in shown.stdout
    page = tmp_path / "out" / "report.html"
    written = _cli(data, "report", "--html", str(page))
    assert written.returncode == 0 and f"wrote the pattern report to {page}" in written.stdout
    text = page.read_text()
    assert "<svg" in text and "&lt;b&gt;" in text and "<b>/" not in text
    assert [p.name for p in page.parent.iterdir()] == ["report.html"]  # no temporary left
    blocked = _cli(data, "report", "--html", str(tmp_path / "out"))  # a directory
    assert blocked.returncode == 1 and "cannot write" in blocked.stderr
    assert "Traceback" not in blocked.stderr


def test_the_json_answer_uses_the_editors_spelling() -> None:
    answer = build_report(EVENTS, BLOCKS, NOW).to_json()
    create = next(p for p in answer["patterns"] if p["key"] == CREATE)
    assert list(create["keepRates"]) == [0.8667, 0.78, 0.78] and create["keepRate"] == 0.78
    assert answer["topBlocks"][0]["lastUsed"] == MONDAY + 9 * DAY
    assert answer["weeks"][1] == {"start": MONDAY + 7 * DAY, "applied": 2, "kept": 0,
                                  "modified": 1, "reverted": 1}  # fmt: skip
