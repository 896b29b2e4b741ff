"""Format generated Python with ruff, so output is ``ruff format``-clean for any name length.

Templates are written in ruff's style already; ruff only re-wraps lines whose length
depends on contract names. Without a ruff executable the sources are returned as
rendered (still valid Python) and the caller is told.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def ruff_executable() -> str | None:
    beside = Path(sys.executable).parent / "ruff"
    if beside.exists():
        return str(beside)
    return shutil.which("ruff")


def format_sources(files: dict[str, str]) -> tuple[dict[str, str], bool]:
    """Return ``files`` with every ``.py`` formatted, and whether ruff ran."""
    ruff = ruff_executable()
    python = {rel: text for rel, text in files.items() if rel.endswith(".py") and text}
    if ruff is None or not python:
        return files, False
    with tempfile.TemporaryDirectory(prefix="onex-lsp-fmt-") as tmp:
        root = Path(tmp)
        for rel, text in python.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        proc = subprocess.run(
            [ruff, "format", "--isolated", "--quiet", "--target-version", "py312", "."],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if proc.returncode != 0:
            log.warning(
                "ruff format failed; keeping unformatted output: %s",
                proc.stderr.strip(),
            )
            return files, False
        formatted = dict(files)
        for rel in python:
            formatted[rel] = (root / rel).read_text(encoding="utf-8")
    return formatted, True
