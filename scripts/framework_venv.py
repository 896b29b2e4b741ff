"""Build (once) the Python 3.12 venv with omnibase-core that generated packages run in.

Used by ``make demo`` and by the test suite. Prints the venv's python path.
The venv is reused while its marker matches the requirements below.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

REQUIREMENTS = [
    "omnibase-core>=0.47,<0.48",
    "pytest>=8",
    "pytest-asyncio>=1.0",
    "mypy>=1.10",
    "ruff>=0.6",
]
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VENV = ROOT / ".venv312"


def _works(python: str) -> bool:
    """pyenv shims exist for versions that are not active: ask the interpreter itself."""
    try:
        proc = subprocess.run(
            [python, "-c", "import sys, venv; print(sys.version_info[:2] == (3, 12))"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except OSError:
        return False
    return proc.returncode == 0 and proc.stdout.strip() == "True"


def find_python312() -> str | None:
    explicit = os.environ.get("ONEX_LSP_PYTHON312")
    if explicit:
        return explicit
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    candidates = sorted(glob.glob(f"{pyenv_root}/versions/3.12.*/bin/python3.12"), reverse=True)
    on_path = shutil.which("python3.12")
    if on_path:
        candidates.append(on_path)
    return next((c for c in candidates if _works(c)), None)


def ensure_venv(venv: Path = DEFAULT_VENV) -> Path:
    python = venv / "bin" / "python"
    marker = venv / ".onex-lsp-requirements"
    wanted = "\n".join(REQUIREMENTS)
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    base = find_python312()
    if base is None:
        raise SystemExit(
            "Python 3.12 not found: install it (e.g. pyenv install 3.12) or set ONEX_LSP_PYTHON312"
        )
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *REQUIREMENTS,
        ],
        check=True,
    )
    marker.write_text(wanted)
    return python


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_VENV
    sys.stdout.write(f"{ensure_venv(target)}\n")
