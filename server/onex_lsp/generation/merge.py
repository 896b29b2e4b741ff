"""A three-way line merge: bring what changed from ``base`` to ``theirs`` into ``ours``.

``base`` is what the generator wrote (or would have written) before, ``ours`` the file as
the user has it now, ``theirs`` what the generator writes now. A change of ``theirs``
applies where the user left those base lines as they were; where the user changed them
too, it is a conflict and ``ours`` keeps its lines (the caller decides: skip, or mark).
A line the user wrote is never changed or lost.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class LineEdit:
    """Replace lines ``[start, end)`` of ``ours`` (0-based) by ``text`` (insert: start == end)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Conflict:
    """A change of ``theirs`` that falls on lines the user changed."""

    start: int  # the user's lines [start, end) it would have replaced
    end: int
    theirs: str


@dataclass(frozen=True)
class Merge:
    edits: tuple[LineEdit, ...]
    conflicts: tuple[Conflict, ...]

    def apply(self, ours: str) -> str:
        lines = ours.splitlines(keepends=True)
        for edit in sorted(self.edits, key=lambda e: (-e.start, -e.end)):
            lines[edit.start : edit.end] = [edit.text] if edit.text else []
        return "".join(lines)


def _base_to_ours(base: list[str], ours: list[str]) -> dict[int, int]:
    """Where each base line the user left unchanged is in ``ours``."""
    mapping: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(a=base, b=ours, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    return mapping


def _place(i1: int, i2: int, mapping: dict[int, int], base_len: int) -> tuple[int, int] | None:
    """The lines of ``ours`` that base lines ``[i1, i2)`` are, if the user left them alone;
    for an insertion, right after the (unchanged) base line it follows."""
    if i1 == i2:
        if i1 > 0:
            anchor = mapping.get(i1 - 1)
            return None if anchor is None else (anchor + 1, anchor + 1)
        first = mapping.get(0) if base_len else 0
        return None if first is None else (first, first)
    spots = [mapping.get(i) for i in range(i1, i2)]
    if None in spots:
        return None
    found = [s for s in spots if s is not None]
    if found != list(range(found[0], found[0] + len(found))):
        return None
    return found[0], found[-1] + 1


def merge3(base: str, ours: str, theirs: str) -> Merge:
    """The edits that bring ``theirs``' changes from ``base`` into ``ours``."""
    old = base.splitlines(keepends=True)
    mine = ours.splitlines(keepends=True)
    new = theirs.splitlines(keepends=True)
    mapping = _base_to_ours(old, mine)
    edits: list[LineEdit] = []
    conflicts: list[Conflict] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        text = "".join(new[j1:j2])
        place = _place(i1, i2, mapping, len(old))
        if place is None:
            near = mapping.get(i1 - 1, -1) + 1 if i1 > 0 else 0
            conflicts.append(Conflict(near, near, text))
        else:
            edits.append(LineEdit(place[0], place[1], text))
    return Merge(tuple(edits), tuple(conflicts))


CONFLICT_OURS = "<<<<<<< yours\n"
CONFLICT_SPLIT = "=======\n"
CONFLICT_THEIRS = ">>>>>>> onex-lsp update (generated from the contract now)\n"


@dataclass(frozen=True)
class MergedText:
    """A whole-file three-way merge; ``conflicts`` are the 0-based lines of each
    ``<<<<<<<`` marker in ``text``."""

    text: str
    conflicts: tuple[int, ...]


def _anchors(old: list[str], mine: list[str], new: list[str]) -> list[tuple[int, int, int]]:
    """Base lines both sides left as they were: (base, ours, theirs), increasing in all."""
    to_ours = _base_to_ours(old, mine)
    to_theirs = _base_to_ours(old, new)
    return [
        (i, to_ours[i], to_theirs[i]) for i in range(len(old)) if i in to_ours and i in to_theirs
    ]


def _ended(lines: list[str]) -> list[str]:
    """A final line without its newline gets one, so markers start on a line of their own."""
    return [*lines[:-1], lines[-1] + "\n"] if lines and not lines[-1].endswith("\n") else lines


def merge_text(base: str, ours: str, theirs: str) -> MergedText:
    """diff3: between lines all three share, take the side that changed; where both
    changed differently, keep both inside conflict markers (yours first)."""
    old = base.splitlines(keepends=True)
    mine = ours.splitlines(keepends=True)
    new = theirs.splitlines(keepends=True)
    out: list[str] = []
    conflicts: list[int] = []
    prev = (-1, -1, -1)
    for anchor in [*_anchors(old, mine, new), (len(old), len(mine), len(new))]:
        b = old[prev[0] + 1 : anchor[0]]
        o = mine[prev[1] + 1 : anchor[1]]
        t = new[prev[2] + 1 : anchor[2]]
        if o in (b, t):
            out += t
        elif t == b:
            out += o
        else:
            conflicts.append(len(out))
            out += [CONFLICT_OURS, *_ended(o), CONFLICT_SPLIT, *_ended(t), CONFLICT_THEIRS]
        if anchor[0] < len(old):
            out.append(mine[anchor[1]])
        prev = anchor
    return MergedText("".join(out), tuple(conflicts))
