"""Workspace-confined, atomic file writes: the one place generated files touch disk.

Every path is resolved against a root and refused if it would land outside it
(``..``, absolute paths, symlinks pointing out). Each file is written to a temporary
sibling, flushed, fsync'd and renamed over the target, so a crash never leaves a
half-written file; existing files are never overwritten unless asked.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from onex_lsp.loop_guard import assert_off_loop


class UnsafePathError(ValueError):
    """A path that would escape the root it must stay in."""


class FileExistsConflict(FileExistsError):
    """Files that exist already and would be overwritten."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__(", ".join(str(p) for p in paths))
        self.paths = paths


def confined_path(root: Path, relative: str) -> Path:
    """``root / relative``, refusing anything that resolves outside ``root``."""
    assert_off_loop(f"resolving {relative}")
    return _confined(root.resolve(), relative)


def _confined(resolved_root: Path, relative: str) -> Path:
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in relative:
        raise UnsafePathError(f"{relative!r} is not a plain relative path")
    target = (resolved_root / Path(*pure.parts)).resolve()
    if target != resolved_root and resolved_root not in target.parents:
        raise UnsafePathError(f"{relative!r} resolves outside {resolved_root}")
    return target


def atomic_write(path: Path, text: str) -> None:
    assert_off_loop(f"writing {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def read_texts(root: Path, relatives: list[str]) -> dict[str, str | None]:
    """The current text of each path under ``root`` (None: absent or unreadable as text)."""
    assert_off_loop(f"reading {len(relatives)} file(s) under {root}")
    texts: dict[str, str | None] = {}
    resolved_root = root.resolve()
    for rel in relatives:
        try:
            texts[rel] = _confined(resolved_root, rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, UnsafePathError):
            texts[rel] = None
    return texts


@dataclass(frozen=True)
class WriteResult:
    written: tuple[Path, ...]


def write_tree(root: Path, files: dict[str, str], *, overwrite: bool = False) -> WriteResult:
    """Write ``files`` (relative POSIX path -> text) under ``root``.

    All paths are checked, and existing files detected, before anything is written:
    a refused write leaves the disk untouched.
    """
    targets = {rel: confined_path(root, rel) for rel in files}
    if not overwrite:
        existing = [p for p in targets.values() if p.exists()]
        if existing:
            raise FileExistsConflict(existing)
    written: list[Path] = []
    for rel, target in targets.items():
        atomic_write(target, files[rel])
        written.append(target)
    return WriteResult(tuple(written))
