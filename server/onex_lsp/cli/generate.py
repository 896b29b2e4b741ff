"""``onex-lsp generate CONTRACT``: write the node package a contract describes."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from onex_lsp.contract.files import read_contract
from onex_lsp.contract.model import ContractIssue
from onex_lsp.generation.existing import blocking, reconcile
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import GeneratedPackage, plan_package
from onex_lsp.generation.record import record_path, with_record
from onex_lsp.identifiers import IdentifierError
from onex_lsp.positions import human_location
from onex_lsp.workspace_fs import UnsafePathError, read_texts, write_tree

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BAD_CONTRACT = 2


def _out(stream: TextIO, text: str = "") -> None:
    stream.write(text + "\n")


def report_issues(path: Path, issues: Sequence[ContractIssue], err: TextIO) -> None:
    for issue in issues:
        where = human_location(str(path), issue.range.start)
        _out(err, f"{where}: {issue.severity.value}[{issue.code}]: {issue.message}")


def describe_plan(package: GeneratedPackage, out: TextIO) -> None:
    contract = package.contract
    _out(
        out,
        f"{contract.path}: {contract.kind.upper_name} node '{contract.name}' "
        f"({contract.dialect.value} contract), {len(package.choices)} operation(s)",
    )
    for summary in package.detection.patterns:
        _out(
            out, f"  pattern {summary.pattern.label:<15} {summary.confidence:.2f}  {summary.reason}"
        )
    for choice in package.choices:
        _out(
            out,
            f"  {choice.operation:<28} {choice.block:<26} {choice.confidence:.2f}  {choice.reason}",
        )


def location(path: Path, out_dir: Path | None) -> Location:
    """Beside the contract (or around it, when it sits in its package); ``--out`` elsewhere.

    Files are written only under the root: the output folder, else the current folder when
    the contract is inside it, else the contract's own folder.
    """
    contract = path.resolve()
    if out_dir is not None:
        out = out_dir.resolve()
        return Location(contract, out, out)
    cwd = Path.cwd().resolve()
    root = cwd if cwd == contract.parent or cwd in contract.parents else contract.parent.parent
    return Location(contract, root)


def generate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    path: Path = args.contract
    result = read_contract(path)
    report_issues(path, result.issues, err)
    if result.contract is None or result.errors or not result.generatable:
        reason = (
            f"the contract has {len(result.errors)} error(s)"
            if result.errors
            else ("see the information above")
        )
        _out(err, f"{path}: not generated: {reason}")
        return EXIT_BAD_CONTRACT
    where = location(path, args.out)
    try:
        package = plan_package(result.contract, where, args.threshold)
    except IdentifierError as exc:
        _out(err, f"{path}: not generated: {exc}")
        return EXIT_BAD_CONTRACT
    describe_plan(package, out)
    for note in package.plan.notes:
        level = "warning" if note.warning else "info"
        _out(
            err,
            f"{human_location(str(path), note.range.start)}: {level}[{note.code}]: {note.message}",
        )
    return _write(package, where, args, out, err)


def _write(
    package: GeneratedPackage, where: Location, args: argparse.Namespace, out: TextIO, err: TextIO
) -> int:
    root = Path(where.root)
    folder = root / str(package.plan.package)
    existing = read_texts(root, list(package.files))
    plan = reconcile(package.files, existing, force=args.force)
    record = record_path(package.plan)
    plan = with_record(package, plan, args.threshold, read_texts(root, [record])[record])
    in_the_way = blocking(package.plan.code_paths(), plan)
    if in_the_way:
        _out(err, f"error: {len(in_the_way)} file(s) already hold your code (--force overwrites):")
        for rel in in_the_way:
            _out(err, f"  {root / rel}")
        return EXIT_ERROR
    if args.dry_run:
        _out(out, f"would write {len(plan.writes)} file(s) to {folder}/ (dry run)")
        for rel in sorted(plan.writes):
            _out(out, f"  {rel}{'  (replaces a stub)' if rel in plan.replace else ''}")
        return EXIT_OK
    try:
        written = write_tree(root, plan.writes, overwrite=True)
    except (UnsafePathError, OSError) as exc:
        _out(err, f"error: {exc}")
        return EXIT_ERROR
    _out(out, f"wrote {len(written.written)} file(s) to {folder}/")
    for file in written.written:
        _out(out, f"  {file}")
    for rel in plan.kept:
        _out(out, f"  kept {root / rel} (it holds your code)")
    if not package.formatted:
        _out(err, "note: ruff was not found, so the generated code was not reformatted")
    return EXIT_OK
