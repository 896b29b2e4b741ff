"""Workspace-confined, atomic file writes: the one place generated files touch disk.

Every path is resolved against a root and refused if it would land outside it
(``..``, absolute paths, symlinks pointing out). Each file is written to a temporary
sibling, flushed, fsync'd and renamed over the target, so a crash never leaves a
half-written file; existing files are never overwritten unless asked.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
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
    target = _resolve_below(resolved_root, pure.parts)
    if target != resolved_root and resolved_root not in target.parents:
        raise UnsafePathError(f"{relative!r} resolves outside {resolved_root}")
    return target


def _resolve_below(real_root: Path, parts: tuple[str, ...]) -> Path:
    """``real_root / parts`` resolved, where ``real_root`` is already resolved: only the
    parts below it are looked at (``Path.resolve`` would walk the whole path again, for
    every file of a package). A symbolic link among them is resolved in full; an absent
    part ends the walk, as nothing below it exists."""
    current = real_root
    for index, part in enumerate(parts):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except OSError:
            return current.joinpath(*parts[index + 1 :])
        if stat.S_ISLNK(mode):
            return current.joinpath(*parts[index + 1 :]).resolve()
    return current


def _read_umask() -> int:
    """The process's umask, read once at import (setting it is process-wide: not a thing
    to do while other threads may be creating files)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def _mode_for(path: Path) -> int:
    """An existing file keeps its mode (an executable script stays executable); a new one
    gets what ``open()`` would give it, not mkstemp's private 0600."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_UMASK


def confined_paths(
    root: Path, relatives: Iterable[str], workspace: Sequence[Path] = ()
) -> dict[str, Path]:
    """Each of ``relatives`` under ``root``, resolved; ``UnsafePathError`` when one resolves
    outside ``root``, or ``root`` itself outside every ``workspace`` folder (when there are
    any). The one check for every file the server writes or proposes to the editor."""
    assert_off_loop(f"resolving {root}")
    resolved_root = root.resolve()
    folders = [folder.resolve() for folder in workspace]
    if folders and not any(f == resolved_root or f in resolved_root.parents for f in folders):
        raise UnsafePathError(f"{root} resolves to {resolved_root}, outside the workspace")
    return {rel: _confined(resolved_root, rel) for rel in relatives}


def atomic_write(path: Path, text: str) -> None:
    assert_off_loop(f"writing {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))
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
