"""The wheel ships the templates and the console script, so installed copies work."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_wheel_contains_templates_and_entry_point(tmp_path: Path) -> None:
    # Build from a clean copy: a stale build/ folder in the checkout must not leak in.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT, source, symlinks=True,
        ignore=shutil.ignore_patterns(".git", ".venv*", "build", "node_modules", "out", "*.egg-info"),
    )  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(source), "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("onex_lsp-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {
        Path(*Path(n).parts[2:]).as_posix() for n in names if n.startswith("onex_lsp/templates/")
    }
    expected = {
        p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*.j2")
    }
    assert shipped == expected
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "onex-lsp = onex_lsp.cli.main:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
