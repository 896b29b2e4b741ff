"""The learning pipeline's figures (issue #11), one table per figure.

Usage: python bench/bench_learning.py [--repeats N] [--file PY] [--corpus DIR] [--minilm]
                                      [--skip-learn] [--pythonpath DIR]

1. extraction of a 1,000-line file: the former six libcst visitors vs the one-pass
   extraction (with ``ast.parse`` and ``libcst.parse_module`` as floors);
2. ``onex-lsp learn`` over omnibase-core's installed source: files/s, peak RSS (hashing,
   and MiniLM with ``--minilm``); ``--pythonpath`` runs another checkout's server code;
3. retention of a 3,000-token handler: rapidfuzz vs the former pure-Python Levenshtein;
4. ``format_sources`` per example contract: the former temp-folder call vs now (cold
   cache, warm cache), and render + format, what ``codeAction/resolve`` does.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import libcst

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from onex_lsp.contract.reader import load_contract  # noqa: E402
from onex_lsp.feedback.tracker import retention  # noqa: E402
from onex_lsp.generation.formatting import CACHE, format_sources  # noqa: E402
from onex_lsp.learning.blocks import blocks_from_source  # noqa: E402
from onex_lsp.learning.extraction import extract_blocks  # noqa: E402
from tests.unit import extraction_reference  # noqa: E402
from tests.unit.test_feedback import reference_retention  # noqa: E402
from tests.unit.test_formatting import reference_format, rendered  # noqa: E402

CORPUS = ROOT / ".venv312" / "lib" / "python3.12" / "site-packages" / "omnibase_core"
THOUSAND_LINES = CORPUS / "mixins" / "mixin_health_check.py"


def timed(function: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    for row in [header, ["-" * w for w in widths], *rows]:
        print(
            "  ".join(
                str(cell).rjust(w) if i else str(cell).ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )


def bench_extraction(path: Path, repeats: int) -> None:
    source = path.read_text(encoding="utf-8")
    rows = []
    for name, function in [
        ("ast.parse (floor)", lambda: ast.parse(source)),
        ("libcst.parse_module (floor)", lambda: libcst.parse_module(source)),
        ("before: six libcst visitors", lambda: extraction_reference.extract_blocks(source)),
        ("now: extract_blocks", lambda: extract_blocks(source)),
        ("now: blocks_from_source (+ templates)", lambda: blocks_from_source(source, str(path))),
    ]:
        median, p95 = timed(function, repeats)
        rows.append([name, f"{median:.1f}", f"{p95:.1f}"])
    same = extract_blocks(source) == extraction_reference.extract_blocks(source)
    lines = source.count("\n")
    table(
        f"extraction of {path.name} ({lines} lines; same blocks as before: {same})",
        ["step", "median ms", "p95 ms"],
        rows,
    )


def bench_learn(corpus: Path, embedder: str, pythonpath: str | None) -> list[str]:
    from measure import learn_command, python_files

    files = python_files(corpus)
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    with tempfile.TemporaryDirectory() as data:
        command = learn_command(corpus, data, embedder)
        started = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
        elapsed = time.perf_counter() - started
    crashes = proc.stderr.count("Traceback") + (proc.returncode != 0)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary = proc.stdout.splitlines()[0] if proc.stdout else proc.stderr[-300:]
    learned = re.search(r"learned (\d+)", summary)
    return [
        embedder,
        str(files),
        f"{elapsed:.1f}",
        f"{files / elapsed:.0f}",
        f"{peak:.0f}",
        str(crashes),
        learned.group(1) if learned else "?",
    ]


def handler_tokens(count: int) -> tuple[str, ...]:
    words = [
        "request",
        "payload",
        "(",
        ")",
        ":",
        "return",
        "repository",
        ".",
        "create",
        "=",
        "if",
        "raise",
    ]
    rng = random.Random(11)
    return tuple(rng.choice(words) for _ in range(count))


def bench_retention(repeats: int) -> None:
    inserted = handler_tokens(3000)
    edited = list(inserted)
    rng = random.Random(7)
    for _ in range(300):  # a user's edits: 10% of the tokens changed, added or removed
        at = rng.randrange(len(edited))
        edited[at : at + 1] = rng.choice([[], ["value"], [edited[at], "x"]])
    current = tuple(edited)
    now = timed(lambda: retention(inserted, current), repeats)
    before = timed(lambda: reference_retention(inserted, current), 1)
    assert retention(inserted, current) == reference_retention(inserted, current)
    table(
        f"retention of a 3,000-token handler (value {retention(inserted, current)})",
        ["implementation", "median ms", "p95 ms"],
        [
            ["before: pure-Python Levenshtein", f"{before[0]:.1f}", f"{before[1]:.1f}"],
            ["now: rapidfuzz", f"{now[0]:.3f}", f"{now[1]:.3f}"],
        ],
    )


def bench_formatting(repeats: int) -> None:
    rows = []
    contracts = [
        *sorted((ROOT / "examples" / "contracts").glob("*.yaml")),
        ROOT / "tests" / "fixtures" / "long_names_effect.yaml",
    ]
    for path in contracts:
        contract = load_contract(path.read_text(), str(path)).contract
        assert contract is not None
        files = rendered(contract)

        def cold(files: dict[str, str] = files) -> None:
            CACHE.clear()
            format_sources(files)

        def resolve(contract: object = contract) -> None:
            format_sources(rendered(contract))  # type: ignore[arg-type]

        before = timed(lambda files=files: reference_format(files), repeats)
        now_cold = timed(cold, repeats)
        now_warm = timed(lambda files=files: format_sources(files), repeats)
        resolve_cold = timed(lambda: (CACHE.clear(), resolve()), repeats)
        resolve_warm = timed(resolve, repeats)
        rows.append(
            [
                path.stem,
                str(len(files)),
                *(
                    f"{m:.1f}/{p:.1f}"
                    for m, p in (before, now_cold, now_warm, resolve_cold, resolve_warm)
                ),
            ]
        )
    table(
        "format_sources per example (median/p95 ms; resolve = render + format)",
        ["contract", "files", "before", "now cold", "now warm", "resolve cold", "resolve warm"],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--file", type=Path, default=THOUSAND_LINES)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--minilm", action="store_true", help="also learn with MiniLM")
    parser.add_argument("--skip-learn", action="store_true")
    parser.add_argument("--pythonpath", help="run `learn` with another checkout's server/")
    args = parser.parse_args()
    if args.file.exists():
        bench_extraction(args.file, args.repeats)
    else:
        print(f"\n(no {args.file}: build the framework venv, or pass --file)")
    if not args.skip_learn and args.corpus.is_dir():
        rows = [bench_learn(args.corpus, "hashing", args.pythonpath)]
        if args.minilm:
            rows.append(bench_learn(args.corpus, "minilm", args.pythonpath))
        table(
            "onex-lsp learn over omnibase-core",
            ["embedder", "files", "seconds", "files/s", "peak RSS MB", "crashes", "learned"],
            rows,
        )
    bench_retention(args.repeats)
    bench_formatting(max(3, args.repeats // 4))


if __name__ == "__main__":
    main()
