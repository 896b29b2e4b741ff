"""Update a node package to its contract as it is now, keeping every line the user wrote.

A three-way merge per file, as copier's ``update`` does: base = what the generator wrote
from the old contract (the generation record's texts, or re-rendered from its contract),
ours = the user's file now, theirs = what the generator writes from the contract now.
Clean merges apply; where both sides changed the same lines the file gets conflict
markers, the user's lines first. Handlers of removed operations stay, with a comment
saying nothing routes to them; a renamed operation's handler module moves to its new
path with the user's edits; files the generator never wrote are not touched. Pure: the
caller passes a reader and writes the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath, PurePosixPath

from onex_lsp.contract.model import Contract
from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.drift import merge_additions
from onex_lsp.generation.merge import merge_text
from onex_lsp.generation.node_drift import Drift, node_drift, renames
from onex_lsp.generation.package_plan import Location, plan_layout
from onex_lsp.generation.pipeline import GeneratedPackage, plan_package
from onex_lsp.generation.record import (
    GenerationRecord,
    RecordError,
    build_record,
    file_roles,
    parse_record,
    record_path,
    sha256,
    to_root,
)

Reader = Callable[[list[str]], Mapping[str, str | None]]
REMOVED_MARK = "# onex-lsp update:"


@dataclass(frozen=True)
class FileChange:
    path: str  # relative to the root: where the new text goes
    old: str | None  # the text there now (None: a new file)
    new: str
    moved_from: str | None = None  # a renamed operation's handler module, carried here
    moved_text: str = ""  # the moved file's text before
    conflicts: tuple[int, ...] = ()  # 0-based lines of the ``<<<<<<<`` markers
    note: str = ""


@dataclass(frozen=True)
class NodeUpdate:
    root: PurePath
    package: PurePosixPath
    changes: tuple[FileChange, ...]
    deletes: tuple[tuple[str, str], ...]  # (path, text): generated, untouched, now unused
    kept: tuple[tuple[str, str], ...]  # (path, why it is left as it is)
    drift: Drift
    record_path: str
    record_text: str
    record_old: str | None
    best_effort: str = ""  # why the merge base is a guess ("" when it is exact)
    operations: tuple[str, ...] = field(default=())
    found_files: int = 0  # how many of the package's files exist

    def conflicts(self) -> list[tuple[str, int]]:
        return [(c.path, line) for c in self.changes for line in c.conflicts]

    def writes(self) -> dict[str, str]:
        """Every file to write, the new record included."""
        return {**{c.path: c.new for c in self.changes}, self.record_path: self.record_text}

    def removals(self) -> list[str]:
        moved = [c.moved_from for c in self.changes if c.moved_from is not None]
        return moved + [path for path, _ in self.deletes]


def read_record(text: str | None) -> tuple[GenerationRecord | None, str]:
    """The record, or why there is none to merge from."""
    if text is None:
        return None, "the package has no generation record (generated before records existed)"
    try:
        return parse_record(text), ""
    except RecordError as exc:
        return None, str(exc)


def _kept_blocks(fresh: GeneratedPackage, blocks: Mapping[str, str]) -> dict[str, str]:
    """The recorded blocks that differ from what detection picks now (the others render
    the same without forcing, with their detection reason)."""
    return {
        c.operation: blocks[c.operation]
        for c in fresh.choices
        if c.operation in blocks and blocks[c.operation] != c.block
    }


def theirs_package(
    contract: Contract, where: Location, threshold: float, record: GenerationRecord | None
) -> GeneratedPackage:
    """What the generator writes from the contract now, each operation keeping the block
    it was generated with (a renamed one: its old name's)."""
    fresh = plan_package(contract, where, threshold)
    if record is None:
        return fresh
    blocks = {op: rec.block for op, rec in record.operations.items()}
    for old, new in renames(record, fresh.choices):
        blocks[new] = blocks[old]
    forced = _kept_blocks(fresh, blocks)
    return plan_package(contract, where, threshold, blocks=forced) if forced else fresh


def base_files(
    record: GenerationRecord, where: Location, theirs: GeneratedPackage
) -> dict[str, str | None]:
    """Root-relative path -> the text generated from the old contract (None: unknown)."""
    plan = theirs.plan
    base: dict[str, str | None] = {to_root(plan, p): record.base.get(p) for p in record.files}
    if all(text is not None for text in base.values()):
        return base
    old = load_contract(record.contract_text, str(where.contract)).contract
    if old is None:
        return base
    fresh = plan_package(old, where, record.threshold)
    blocks = _kept_blocks(fresh, {op: rec.block for op, rec in record.operations.items()})
    rendered = (
        plan_package(old, where, record.threshold, blocks=blocks).files if blocks else fresh.files
    )
    for rel, (digest, _) in record.files.items():
        path = to_root(plan, rel)
        if base[path] is None and sha256(rendered.get(path, "")) == digest:
            base[path] = rendered[path]
    return base


def _moves(
    record: GenerationRecord, theirs: GeneratedPackage, base: Mapping[str, str | None],
    existing: Mapping[str, str | None],
) -> dict[str, str]:  # fmt: skip
    """Old path -> new path of files that kept their role (a renamed operation's handler,
    a model whose module changed): the user's edits move with them."""
    renamed = dict(renames(record, theirs.choices))
    new_by_role = {role: path for path, role in file_roles(theirs.plan).items()}
    moves = {}
    for rel, (_, role) in record.files.items():
        path = to_root(theirs.plan, rel)
        if path in theirs.files or existing.get(path) is None:
            continue
        if role.startswith("handler:"):
            role = "handler:" + ",".join(renamed.get(op, op) for op in role[8:].split(","))
        target = new_by_role.get(role)
        if target is not None and target not in base and existing.get(target) is None:
            moves[path] = target
    return moves


def _warning(path: str, role: str) -> str:
    if role.startswith("handler:"):
        ops = ", ".join(f"'{op}'" for op in role[8:].split(","))
        return (
            f"{REMOVED_MARK} the contract no longer has {ops}: nothing routes here.\n"
            "# Kept because you may need this code; delete the file when you do not.\n"
        )
    return f"{REMOVED_MARK} the contract no longer generates this file; delete it when unused.\n"


def _left_behind(
    path: str, role: str, base: str | None, ours: str
) -> tuple[FileChange | None, bool]:
    """A generated file the contract no longer wants: (its change, whether to delete it)."""
    if not role.startswith("handler:") and base == ours:
        return None, True  # generated, never edited: nothing of the user's to keep
    if ours.startswith(REMOVED_MARK) or PurePosixPath(path).suffix not in (".py", ".yaml"):
        return None, False
    return FileChange(path, ours, _warning(path, role) + ours, note="no longer generated"), False


def _merged(path: str, base: str | None, ours: str, theirs: str) -> FileChange | None:
    if base is None:  # no exact base: only what the new text adds
        inserts, skipped = merge_additions(ours, theirs)
        lines = ours.splitlines(keepends=True)
        for line, text in sorted(inserts, reverse=True):
            lines[line:line] = [text]
        new = "".join(lines)
        note = f"{skipped} other difference(s) left to you (no exact base)" if skipped else ""
        return FileChange(path, ours, new, note=note) if new != ours or note else None
    merged = merge_text(base, ours, theirs)
    if merged.text == ours:
        return None
    return FileChange(path, ours, merged.text, conflicts=merged.conflicts)


@dataclass
class _Work:
    changes: list[FileChange] = field(default_factory=list)
    deletes: list[tuple[str, str]] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)


def _generated_files(
    theirs: dict[str, str], base: Mapping[str, str | None], existing: Mapping[str, str | None],
    moves: Mapping[str, str], work: _Work, exact: bool,
) -> None:  # fmt: skip
    sources = {new: old for old, new in moves.items()}
    for path, text in theirs.items():
        ours = existing.get(path)
        if path in sources:
            old = sources[path]
            merged = merge_text(base.get(old) or "", existing[old] or "", text)
            work.changes.append(
                FileChange(path, None, merged.text, old, existing[old] or "", merged.conflicts)
            )
        elif ours is None:
            if path in base and base[path] == text:
                work.kept.append((path, "you deleted it; not recreated"))
            else:
                work.changes.append(FileChange(path, None, text))
        elif path in base or not exact:
            change = _merged(path, base.get(path), ours, text)
            work.changes += [change] if change else []
        elif ours != text:
            work.kept.append((path, "onex-lsp did not generate it"))


def plan_update(
    contract: Contract, where: Location, threshold: float, record_text: str | None, read: Reader
) -> NodeUpdate:
    """Everything an update changes; ``read`` returns the current text of root-relative
    paths (None: absent)."""
    record, why = read_record(record_text)
    theirs = theirs_package(contract, where, threshold, record)
    plan = theirs.plan
    base = base_files(record, where, theirs) if record else {}
    files = dict(theirs.files)
    roles = {to_root(plan, p): role for p, (_, role) in (record.files if record else {}).items()}
    for rec in (record.operations if record else {}).values():
        path = to_root(plan, rec.module)
        if rec.learned and path in files and base.get(path):
            files[path] = base[path] or ""  # a learned block stays as it was generated
    existing = read(sorted(set(files) | set(base)))
    moves = _moves(record, theirs, base, existing) if record else {}
    work = _Work()
    _generated_files(files, base, existing, moves, work, exact=record is not None)
    for path in base:
        ours = existing.get(path)
        if path in files or path in moves or ours is None:
            continue
        change, delete = _left_behind(path, roles.get(path, ""), base[path], ours)
        work.changes += [change] if change else []
        work.deletes += [(path, ours)] if delete else []
    not_ours = {path for path, why in work.kept if why.startswith("onex-lsp did not")}
    learned = {
        op: r.learned for op, r in (record.operations if record else {}).items() if r.learned
    }
    recorded = {p: t for p, t in files.items() if p not in not_ours}
    drift = node_drift(record, contract.text, plan, theirs.choices) if record else Drift()
    return NodeUpdate(
        root=plan.root, package=plan.package, changes=tuple(work.changes),
        deletes=tuple(work.deletes), kept=tuple(work.kept), drift=drift,
        record_path=record_path(plan),
        record_text=build_record(theirs, recorded, threshold, learned),
        record_old=record_text, best_effort=why,
        operations=tuple(c.operation for c in theirs.choices),
        found_files=sum(1 for text in existing.values() if text is not None),
    )  # fmt: skip


def record_of(contract: Contract, where: Location) -> str:
    """Root-relative path of the generation record of the package ``contract`` describes."""
    return record_path(plan_layout(contract, where))
