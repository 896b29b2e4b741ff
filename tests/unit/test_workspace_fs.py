"""Writes stay inside the workspace, are atomic, and never clobber a file unasked."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from onex_lsp.workspace_fs import (
    FileExistsConflict,
    UnsafePathError,
    atomic_write,
    confined_path,
    confined_paths,
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


def _layout(tmp_path: Path) -> Path:
    """A root (reached through a linked parent) holding a real folder, a link to a folder
    inside, a link to a file inside, a link out, a dangling link and a link to a link out."""
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    real = tmp_path / "real" / "root"
    (real / "handlers").mkdir(parents=True)
    (real / "handlers" / "h.py").write_text("")
    os.symlink(tmp_path / "real", tmp_path / "via")
    root = tmp_path / "via" / "root"
    os.symlink(real / "handlers", real / "inside")
    os.symlink(real / "handlers" / "h.py", real / "file_link.py")
    os.symlink(outside, real / "out")
    os.symlink(tmp_path / "nowhere", real / "dangling")
    os.symlink(real / "out", real / "out_again")
    return root


@pytest.mark.parametrize(
    "rel",
    ["handlers/h.py", "handlers/new.py", "new/deeper/x.py", "inside/h.py", "inside/new/x.py",
     "file_link.py", "out/x.py", "out/deep/x.py", "dangling/x.py", "out_again/deep",
     "handlers", "inside"],
)  # fmt: skip
def test_confinement_resolves_like_the_filesystem(tmp_path: Path, rel: str) -> None:
    """Only the parts below the root are walked, yet every path resolves exactly as
    ``Path.resolve`` says, and is refused exactly when that lands outside the root."""
    root = _layout(tmp_path)
    expected = (root / rel).resolve()
    if root.resolve() in expected.parents or expected == root.resolve():
        assert confined_paths(root, [rel]) == {rel: expected}
        assert confined_path(root, rel) == expected
    else:
        with pytest.raises(UnsafePathError):
            confined_paths(root, [rel])


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


def test_written_files_get_the_usual_mode_and_existing_files_keep_theirs(tmp_path: Path) -> None:
    """Generated code is the user's: readable like any file they create (umask), not
    private like the temporary file it is written through; a script stays executable."""
    umask = os.umask(0o022)
    os.umask(umask)
    new = tmp_path / "node_x" / "node.py"
    atomic_write(new, "x = 1\n")
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o750)
    atomic_write(script, "#!/bin/sh\necho hi\n")
    assert stat.S_IMODE(script.stat().st_mode) == 0o750
