"""``onex-lsp update CONTRACT``: bring a generated package up to its contract now, by a
three-way merge per file that keeps every line you wrote (see generation/update.py)."""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path
from typing import TextIO

from onex_lsp.cli.generate import EXIT_BAD_CONTRACT, EXIT_ERROR, EXIT_OK, location, report_issues
from onex_lsp.contract.files import read_contract
from onex_lsp.generation.ranking import DEFAULT_THRESHOLD
from onex_lsp.generation.update import NodeUpdate, plan_update, record_of
from onex_lsp.identifiers import IdentifierError
from onex_lsp.workspace_fs import UnsafePathError, confined_path, read_texts, write_tree


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    up = commands.add_parser(
        "update",
        help="update a generated node package to its changed contract, keeping your code",
        description="Three-way merge of the package generated from the old contract, your "
        "files and what the contract generates now. Conflicts get inline markers.",
    )
    up.add_argument("contract", type=Path, help="path to the ONEX contract (YAML)")
    up.add_argument("--out", type=Path, default=None, help="the folder given to generate --out")
    up.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    up.add_argument("--diff", action="store_true", help="print a unified diff of every change")
    up.add_argument(
        "--threshold", type=float, default=DEFAULT_THRESHOLD,
        help="confidence below which a new operation gets a TODO stub",
    )  # fmt: skip


def _out(stream: TextIO, text: str = "") -> None:
    stream.write(text + "\n")


def update(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    path: Path = args.contract
    result = read_contract(path)
    report_issues(path, result.issues, err)
    if result.contract is None or not result.generatable:
        _out(err, f"{path}: not updated: the contract has {len(result.errors)} error(s)")
        return EXIT_BAD_CONTRACT
    where = location(path, args.out)
    root = Path(where.root)
    record = record_of(result.contract, where)
    record_text = read_texts(root, [record])[record]
    try:
        found = plan_update(
            result.contract, where, args.threshold, record_text, lambda p: read_texts(root, p)
        )
    except IdentifierError as exc:
        _out(err, f"{path}: not updated: {exc}")
        return EXIT_BAD_CONTRACT
    if record_text is None and found.found_files == 0:
        _out(err, f"{path}: no package to update at {root / found.package} (generate it first)")
        return EXIT_ERROR
    describe(found, root, out, err)
    if args.diff:
        out.write(unified_diff(found))
    if args.dry_run:
        _out(out, "dry run: nothing written")
        return EXIT_OK
    if not found.changes and not found.deletes and found.record_text == found.record_old:
        return EXIT_OK
    try:
        write_tree(root, found.writes(), overwrite=True)
        for rel in found.removals():
            confined_path(root, rel).unlink(missing_ok=True)
    except (UnsafePathError, OSError) as exc:
        _out(err, f"error: {exc}")
        return EXIT_ERROR
    _out(out, f"updated {root / found.package}/ ({len(found.changes)} file(s) changed)")
    return EXIT_OK


def describe(found: NodeUpdate, root: Path, out: TextIO, err: TextIO) -> None:
    drift = found.drift
    _out(out, f"{root / found.package}: {drift.summary() if drift.any else 'no contract drift'}")
    for line in drift.details():
        _out(out, f"  {line}")
    if found.best_effort:
        _out(err, f"note: {found.best_effort}; merged as a best effort: only additions, "
                  "nothing of yours changed or removed")  # fmt: skip
    for change in found.changes:
        verb = "create" if change.old is None else "merge"
        if change.moved_from:
            verb = f"move {change.moved_from} →"
        extra = f" ({change.note})" if change.note else ""
        _out(out, f"  {verb} {change.path}{extra}")
    for rel, _ in found.deletes:
        _out(out, f"  delete {rel} (generated, never edited, no longer generated)")
    for rel, why in found.kept:
        _out(out, f"  keep {rel} ({why})")
    for conflicted, number in found.conflicts():
        where = f"{root / conflicted}:{number + 1}:1"
        _out(err, f"{where}: conflict: your lines and the contract's both changed here")
    if not found.changes and not found.deletes:
        _out(out, "  nothing to change")


def unified_diff(found: NodeUpdate) -> str:
    chunks: list[str] = []
    for change in found.changes:
        old = change.moved_from or change.path
        before = "/dev/null" if change.old is None and not change.moved_from else f"a/{old}"
        source = change.moved_text if change.moved_from else (change.old or "")
        chunks += difflib.unified_diff(
            source.splitlines(keepends=True), _ended(change.new).splitlines(keepends=True),
            before, f"b/{change.path}",
        )  # fmt: skip
    for rel, text in found.deletes:
        chunks += difflib.unified_diff(
            _ended(text).splitlines(keepends=True), [], f"a/{rel}", "/dev/null"
        )
    return "".join(chunks)


def _ended(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"
