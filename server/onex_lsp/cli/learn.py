"""``onex-lsp learn PATH...``: bootstrap the pattern library from a code base.

It says first what it will read (how many Python files, under which of the given
paths, into which data directory) and asks (``--yes`` for scripts). Files are parsed in
worker processes, journalled one transaction per batch, embedded and indexed every few
batches; files that do not parse are reported ``file:line:col`` and skipped.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from onex_lsp.cli.confirm import add_yes_option, confirm
from onex_lsp.cli.library_args import EXIT_UNUSABLE, library_options, open_from_args, unusable
from onex_lsp.learning.blocks import LearnOutcome
from onex_lsp.learning.journal import JournalUnavailable
from onex_lsp.learning.library import PatternLibrary, default_data_dir
from onex_lsp.learning.worker import extract_file, process_pool

_BATCH_FILES = 100  # files journalled per transaction
INDEX_EVERY = 1000  # files between two embed-and-index passes
_POOL_FROM = 32  # fewer files are parsed in this process: starting workers costs ~1 s
_SKIP_DIRS = {".git", ".hg", "__pycache__", "node_modules", ".venv", "venv", ".tox", ".mypy_cache"}


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    learn = commands.add_parser(
        "learn", help="learn pattern blocks from existing code",
        description="Bootstrap the pattern library from a code base "
        "(files that do not parse are reported and skipped).",
    )  # fmt: skip
    learn.add_argument("paths", nargs="+", type=Path, help="files or folders of Python code")
    learn.add_argument(
        "--jobs", type=int, default=min(os.cpu_count() or 1, 8),
        help="worker processes that parse files (default: one per core, at most 8)",
    )  # fmt: skip
    add_yes_option(learn)
    library_options(learn)


def python_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.endswith(".egg-info"))
            for name in sorted(files):
                if name.endswith(".py"):
                    yield Path(folder) / name


def _summary(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """(the files, what the user is told before anything is read)."""
    files: list[str] = []
    lines = []
    for path in args.paths:
        found = [str(p) for p in python_files([path])]
        files += found
        lines.append(f"  {path}: {len(found)} Python file(s)")
    data = args.data_dir or default_data_dir(None)
    head = f"about to learn from {len(files)} Python file(s) into {data}:"
    note = (
        "learned blocks keep their functions and classes and the imports those use; they "
        "are offered when you generate code later"
    )
    return files, [head, *lines, note]


def _progress(err: TextIO, done: int, total: int, started: float) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / max(time.perf_counter() - started, 1e-9)
    line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files, {rate:.0f}/s"
    if err.isatty() or done == total or done % 100 == 0:
        err.write(line if err.isatty() else line.lstrip("\r") + "\n")
        err.flush()


@dataclass
class _LearnTotals:
    new: int = 0
    seen: int = 0
    skipped: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)


def _extracted(files: list[str], jobs: int) -> Iterator[tuple[str, LearnOutcome | str]]:
    """Each file's blocks, in file order; parsed in ``jobs`` worker processes when the
    run is big enough to pay for starting them."""
    if jobs < 2 or len(files) < _POOL_FROM:
        yield from map(extract_file, files)
        return
    with process_pool(jobs) as pool:
        yield from pool.map(extract_file, files, chunksize=8)


def _journal_batch(
    library: PatternLibrary,
    batch: list[tuple[str, LearnOutcome]],
    totals: _LearnTotals,
    err: TextIO,
) -> None:
    for report in library.journal_outcomes(batch):
        if report.error:
            err.write(f"\n{report.error} (skipped)\n")
            totals.skipped += 1
        totals.new += len(report.learned)
        totals.seen += report.seen
        totals.by_kind.update(b.kind for b in report.learned)
    batch.clear()


def learn(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    """Say what will be read and ask; then extract in worker processes, journal one
    transaction per batch of files, embed and index every few batches (``sync``)."""
    files, summary = _summary(args)
    stop = confirm(summary, "learn from them?", args, stdin, err)
    if stop is not None:
        return stop
    library = open_from_args(args, err)
    try:
        if unusable(library, err):
            return EXIT_UNUSABLE
        totals, elapsed = _learn_files(library, files, args.jobs, err)
    except JournalUnavailable as exc:
        err.write(f"onex-lsp: learning stopped, the journal became unavailable: {exc}\n")
        return EXIT_UNUSABLE
    finally:
        library.close()
    out.write(
        f"learned {totals.new} new block(s) ({totals.seen} found) from "
        f"{len(files) - totals.skipped} file(s); {totals.skipped} skipped; {elapsed:.1f} s "
        f"({len(files) / max(elapsed, 1e-9):.0f} files/s)\n"
    )
    for kind, count in sorted(totals.by_kind.items()):
        out.write(f"  {kind:<22} {count}\n")
    out.write(f"data: {library.data_dir}\n")
    return 0


def _learn_files(
    library: PatternLibrary, files: list[str], jobs: int, err: TextIO
) -> tuple[_LearnTotals, float]:
    started = time.perf_counter()
    totals = _LearnTotals()
    batch: list[tuple[str, LearnOutcome]] = []
    for index, (path, outcome) in enumerate(_extracted(files, jobs), 1):
        if isinstance(outcome, str):
            err.write(f"\n{path}: skipped: {outcome}\n")
            totals.skipped += 1
        else:
            batch.append((path, outcome))
        if len(batch) >= _BATCH_FILES:
            _journal_batch(library, batch, totals, err)
        if index % INDEX_EVERY == 0:
            _journal_batch(library, batch, totals, err)
            library.sync()
        _progress(err, index, len(files), started)
    _journal_batch(library, batch, totals, err)
    library.sync()
    return totals, time.perf_counter() - started
