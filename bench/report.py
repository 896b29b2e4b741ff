"""Raw samples in, the table out: one row per figure of issue #11, with its target, a
verdict and the peers' figure for the same request; as text for the terminal and as
Markdown for the README (regenerated from ``results/latest.json``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from measure import percentile, summary

Row = dict[str, Any]
README_BEGIN = "<!-- bench:begin -->"
README_END = "<!-- bench:end -->"
DEBOUNCE_MS = 300  # onex.diagnosticsDelayMs's default: learned options refresh after it


def _ms(samples: list[float] | dict[str, Any]) -> str:
    """p50/p95/max of wall ms; with the CPU ms (the server's per request, or this
    process's per call) when they were measured."""
    wall = samples["wall"] if isinstance(samples, dict) else samples
    s = summary(wall)
    text = f"p50 {s['p50']:.1f} / p95 {s['p95']:.1f} / max {s['max']:.1f} ms (n={s['n']})"
    if isinstance(samples, dict) and "server_cpu_ms" in samples:
        text += f"; server CPU {samples['server_cpu_ms']:.1f} ms/request"
    elif isinstance(samples, dict) and "cpu" in samples:
        text += f"; CPU p50 {summary(samples['cpu'])['p50']:.1f} ms"
    return text


def _p95(samples: list[float] | dict[str, Any]) -> float:
    return percentile(samples["wall"] if isinstance(samples, dict) else samples, 0.95)


def _row(figure: str, value: str, target: str, ok: bool | None, peers: str = "") -> Row:
    verdict = "-" if ok is None else ("ok" if ok else "MISS")
    return {"figure": figure, "value": value, "target": target, "verdict": verdict, "peers": peers}


def _peer_p95(peers: dict[str, Any], key: str) -> str:
    parts = []
    for name, result in peers.items():
        if key in result:
            parts.append(f"{name} {_p95(result[key]):.1f}")
    return "p95 ms: " + ", ".join(parts) if parts else ""


def _floor(raw: dict[str, Any]) -> list[Row]:
    session = raw.get("store20") or {}
    if "floor" not in session:
        return []
    return [
        _row(
            "empty request round trip (floor), onex-lsp",
            _ms(session["floor"]),
            "-",
            None,
            _peer_p95(raw.get("peers", {}), "floor"),
        )
    ]


def _code_action_rows(raw: dict[str, Any]) -> list[Row]:
    rows = []
    peers = _peer_p95(raw.get("peers", {}), "code_action")
    for key in ("store20", "store100"):
        session = raw.get(key)
        if session and "code_action" in session:
            p95 = _p95(session["code_action"])
            figure = f"codeAction on a contract, {session['blocks']:,} blocks"
            offered = session.get("actions")
            value = _ms(session["code_action"])
            if offered:
                value += f"; {offered['offered']} actions, {offered['learned']} with learned blocks"
            rows.append(_row(figure, value, "p95 <= 10 ms", p95 <= 10, peers))
        if session and "code_action_after_edit" in session:
            samples = session["code_action_after_edit"]
            figure = f"codeAction on a contract after each edit of its description, {session['blocks']:,} blocks"
            note = ""
            if "learned_after_edit" in session:
                ready = summary(session["learned_after_edit"])
                note = f"it answers with the learned options ready; the new ones are current after p50 {ready['p50']:.0f} / max {ready['max']:.0f} ms (debounce {DEBOUNCE_MS} ms, new queries embedded)"
            rows.append(_row(figure, _ms(samples), "p95 <= 10 ms", _p95(samples) <= 10, note))
    return rows


def _resolve_rows(raw: dict[str, Any]) -> list[Row]:
    session = raw.get("store20") or {}
    if "resolve_again" not in session:
        return []
    first = [session["resolve_first"], *raw.get("first_resolves", [])]
    blocks = f"{session['blocks']:,} blocks"
    rows = []
    for label, samples in (
        ("first call in a new server", first),
        ("repeated, same action", session["resolve_again"]),
        ("after a contract edit (new package)", session["resolve_after_edit"]),
    ):
        ok = percentile(samples, 0.95) <= 100
        rows.append(
            _row(
                f"codeAction/resolve generate node, {label}, {blocks}",
                _ms(samples),
                "p95 <= 100 ms",
                ok,
            )
        )
    return rows


def _learning_rows(raw: dict[str, Any]) -> list[Row]:
    session = raw.get("store20") or {}
    rows = []
    if "code_action_learning" in session:
        idle = _p95(session["code_action_idle"])
        busy = percentile(session["code_action_learning"], 0.95)
        learned = summary(session["save_to_learned"])
        value = (
            f"{busy / idle:.2f}x (p95 {busy:.1f} ms learning vs {idle:.1f} ms idle, "
            f"n={len(session['code_action_learning'])}; save -> learned p50 {learned['p50']:.0f} ms)"
        )
        rows.append(
            _row(
                "codeAction p95 while a 1,000-line accepted file is learned on save",
                value,
                "<= 1.5x idle",
                busy / idle <= 1.5,
            )
        )
    return rows


def _local_rows(raw: dict[str, Any]) -> list[Row]:
    rows = []
    if "extraction" in raw:
        e = raw["extraction"]
        p95 = _p95(e["blocks_from_source"])
        note = f"extract_blocks {_ms(e['extract_blocks'])}; ast.parse (floor) {_ms(e['ast.parse'])}"
        rows.append(
            _row(
                f"extraction of a {e['lines']:,}-line file ({Path(e['file']).name})",
                _ms(e["blocks_from_source"]),
                "<= 50 ms",
                p95 <= 50,
                note,
            )
        )
    if "retention" in raw:
        r = raw["retention"]
        p95 = _p95(r["retention"])
        note = (
            f"with hashing the current text's tokens first (a checkpoint): {_ms(r['checkpoint'])}"
        )
        rows.append(
            _row(
                f"retention of a {r['tokens']:,}-token handler",
                _ms(r["retention"]),
                "<= 1 ms",
                p95 <= 1,
                note,
            )
        )
    return rows


def _init_rows(raw: dict[str, Any]) -> list[Row]:
    if "init" not in raw:
        return []
    onex = summary(raw["init"]["onex"])["p50"]
    # Spawned in turns with onex-lsp when the run did so (same load), else the peers row.
    bare_samples = raw["init"].get("bare") or raw["peers"]["bare pygls"]["initialize"]
    bare = summary(bare_samples)["p50"]
    peers = ", ".join(
        f"{name} {summary(r['initialize'])['p50']:.0f}"
        for name, r in raw.get("peers", {}).items()
        if "initialize" in r
    )
    value = f"{onex / bare:.2f}x ({onex:.0f} ms vs bare pygls {bare:.0f} ms, medians of {len(raw['init']['onex'])} spawns in turns)"
    return [
        _row(
            "initialize answered after spawn",
            value,
            "<= 1.2x bare pygls",
            onex / bare <= 1.2,
            f"p50 ms in the peers section: {peers}" if peers else "",
        )
    ]


def _learn_rows(raw: dict[str, Any]) -> list[Row]:
    rows = []
    for result in raw.get("learn", []):
        value = (
            f"{result['files_per_s']:.0f} files/s ({result['files']:,} files in {result['seconds']:.1f} s, "
            f"{result['crashes']} crashes, {result['skipped']} skipped, peak RSS {result['peak_mb']:.0f} MB)"
        )
        ok = result["files_per_s"] >= 200 and result["crashes"] == 0
        rows.append(
            _row(
                f"onex-lsp learn over omnibase-core ({result['embedder']})",
                value,
                ">= 200 files/s, 0 crashes",
                ok,
            )
        )
    return rows


def _model_rows(raw: dict[str, Any]) -> list[Row]:
    model = raw.get("model")
    if not model:
        return []
    ready = [m["ready"] for m in model["minilm"]]
    added = (
        summary([m["rss"] for m in model["minilm"]])["p50"]
        - summary([m["rss"] for m in model["hashing"]])["p50"]
    )
    p50 = summary(ready)["p50"]
    value = f"{p50 / 1000:.2f} s p50 (max {max(ready) / 1000:.2f} s, n={len(ready)}), +{added:.0f} MB RSS"
    rows = [
        _row(
            "embedding model ready after initialized (cache warm)",
            value,
            "<= 2 s, <= 150 MB",
            p50 <= 2000 and added <= 150,
        )
    ]
    if model.get("cold"):
        cold = model["cold"]
        rows.append(
            _row(
                "embedding model ready, first start (empty model cache)",
                f"{cold['ready'] / 1000:.2f} s, RSS {cold['rss']:.0f} MB",
                "-",
                None,
            )
        )
    return rows


def _stats_rows(raw: dict[str, Any]) -> list[Row]:
    rows = []
    for key, result in sorted(raw.get("stats", {}).items(), key=lambda kv: int(kv[0])):
        seconds = summary(result["seconds"])
        peak = max(result["peak_mb"])
        value = f"{seconds['p50']:.2f} s p50 (max {seconds['max']:.2f} s), peak RSS {peak:.0f} MB"
        rows.append(
            _row(
                f"onex-lsp patterns stats, {int(key):,} blocks",
                value,
                "<= 1 s",
                seconds["p50"] <= 1,
            )
        )
    return rows


def _query_rows(raw: dict[str, Any]) -> list[Row]:
    q = raw.get("query")
    if not q:
        return []
    recall = sum(q["recall"]) / len(q["recall"])
    cold, warm = percentile(q["cold"], 0.95), percentile(q["warm"], 0.95)
    value = (
        f"p95 {cold:.1f} ms new text / {warm:.1f} ms cached text / {percentile(q['search'], 0.95):.1f} ms "
        f"index search; recall@5 {recall:.3f} (min {min(q['recall']):.1f}, {q['queries']} queries)"
    )
    note = f"handlers per filter min/median/max {q['filtered_sizes']}"
    return [
        _row(
            f"learned-block query, {q['blocks']:,} blocks",
            value,
            "<= 20 ms, recall >= 0.95",
            cold <= 20 and recall >= 0.95,
            note,
        )
    ]


def _rss_rows(raw: dict[str, Any]) -> list[Row]:
    parts = []
    if raw.get("model"):
        parts.append(f"idle {summary([m['rss'] for m in raw['model']['hashing']])['p50']:.0f}")
        parts.append(
            f"with the model {summary([m['rss'] for m in raw['model']['minilm']])['p50']:.0f}"
        )
    session = raw.get("store20") or {}
    if "rss_actions" in session:
        parts.append(f"with {session['blocks']:,} blocks {session['rss_actions']['rss']:.0f}")
    bursts = session.get("bursts", [])
    if bursts:
        after = ", ".join(f"{b['settled']['rss']:.0f}" for b in bursts)
        caught = max(b["caught_up_ms"] for b in bursts)
        parts.append(
            f"before bursts {session['rss_before_burst']['rss']:.0f}, after each 10 s burst of 1,000 didChange/s: {after} (backlog drained in <= {caught} ms)"
        )
        parts.append(
            f"peak {session['rss_end']['peak']:.0f}, extraction worker {session['rss_end']['workers']:.0f}"
        )
    if not parts:
        return []
    peers = ", ".join(
        f"{name} {r['rss']:.0f} -> {r['rss_after_burst']:.0f}"
        for name, r in raw.get("peers", {}).items()
        if "rss_after_burst" in r
    )
    note = f"one 10 s burst on a Python file, RSS before -> after: {peers}" if peers else ""
    return [_row("server RSS (MB)", "; ".join(parts), "report", None, note)]


def _install_rows(raw: dict[str, Any]) -> list[Row]:
    result = raw.get("install")
    if not result or "mb" not in result:
        return (
            []
            if not result
            else [
                _row("install size", f"failed: {result.get('error', '')[:200]}", "<= 400 MB", False)
            ]
        )
    biggest = ", ".join(f"{name} {mb}" for name, mb in result["biggest"])
    value = f"{result['mb']:.0f} MB ({result['python']}, pip install {result['install_s']:.0f} s)"
    return [
        _row(
            "install size of a fresh default venv",
            value,
            "<= 400 MB",
            result["mb"] <= 400,
            f"biggest MB: {biggest}",
        )
    ]


SECTIONS: list[Callable[[dict[str, Any]], list[Row]]] = [
    _floor, _code_action_rows, _resolve_rows, _learning_rows, _local_rows, _init_rows,
    _learn_rows, _model_rows, _stats_rows, _query_rows, _rss_rows, _install_rows,
]  # fmt: skip


def rows(raw: dict[str, Any]) -> list[Row]:
    return [row for section in SECTIONS for row in section(raw)]


def header(results: dict[str, Any]) -> str:
    m = results["machine"]
    return (
        f"{m['date']}, onex-lsp {m['commit']}, mode {results['mode']}: {m['cores']} cores ({m['cpu']}), "
        f"{m['memory_gb']} GB, Python {m['python']}; load average {m['load_at_start']} at start, "
        f"{results.get('load_at_end', '?')} at end"
    )


def store_lines(results: dict[str, Any]) -> list[str]:
    """How each store was built (this run or an earlier one: they are cached)."""
    lines = []
    for info in results["raw"].get("stores", {}).values():
        when = "built in this run" if info.get("built_now") else f"cached, built {info['built_at']}"
        lines.append(
            f"store of {info['blocks']:,} blocks ({info['files_used']:,} corpus files, {info['disk_mb']} MB): "
            f"{info['total_s']:.0f} s to build (learning with MiniLM "
            f"{info['extract_journal_s'] + info['minilm_index_s']:.0f} s, the hashing index {info['hashing_index_s']:.0f} s"
            f"{', from the smaller store' if info['seeded_from_files'] else ''}); {when}"
        )
    return lines


def print_table(results: dict[str, Any]) -> None:
    print("\n" + header(results))
    for line in store_lines(results):
        print(line)
    for row in results["rows"]:
        print(
            f"\n[{row['verdict']:>4}] {row['figure']}\n       {row['value']}\n       target: {row['target']}"
        )
        if row["peers"]:
            print(f"       {row['peers']}")


def markdown(results: dict[str, Any]) -> str:
    lines = [
        header(results),
        "",
        *[f"- {line}" for line in store_lines(results)],
        "",
        "| figure | measured | target | | peers / notes |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in results["rows"]:
        cells = [row["figure"], row["value"], row["target"], row["verdict"], row["peers"]]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def update_readme(readme: Path, results_file: Path) -> None:
    """Replace the table between the markers with the one from ``results_file``."""
    results = json.loads(results_file.read_text())
    text = readme.read_text()
    block = f"{README_BEGIN}\n{markdown(results)}\n{README_END}"
    pattern = re.compile(re.escape(README_BEGIN) + ".*?" + re.escape(README_END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"no {README_BEGIN} ... {README_END} markers in {readme}")
    readme.write_text(pattern.sub(lambda _: block, text))
