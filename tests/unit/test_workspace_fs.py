"""Writes stay inside the workspace, are atomic, and never clobber a file unasked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from onex_lsp.workspace_fs import (
    FileExistsConflict,
    UnsafePathError,
    confined_path,
    write_tree,
)


@pytest.mark.parametrize("rel", ["../x.py", "/etc/passwd", "a/../../x", "", "a\\..\\x"])
def test_escaping_paths_are_refused(tmp_path: Path, rel: str) -> None:
    with pytest.raises(UnsafePathError):
        confined_path(tmp_path, rel)


def test_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "link")
    with pytest.raises(UnsafePathError):
        confined_path(root, "link/x.py")


def test_existing_files_are_never_overwritten_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    (tmp_path / "b.py").write_text("mine")
    with pytest.raises(FileExistsConflict) as info:
        write_tree(tmp_path, {"a.py": "new", "b.py": "theirs"})
    assert info.value.paths == [tmp_path / "b.py"]
    assert not (tmp_path / "a.py").exists()
    assert (tmp_path / "b.py").read_text() == "mine"


def test_overwrite_when_asked_leaves_no_temp_files(tmp_path: Path) -> None:
    (tmp_path / "b.py").write_text("mine")
    write_tree(tmp_path, {"pkg/a.py": "new", "b.py": "theirs"}, overwrite=True)
    assert (tmp_path / "b.py").read_text() == "theirs"
    assert (tmp_path / "pkg" / "a.py").read_text() == "new"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.name.startswith(".")) == []
