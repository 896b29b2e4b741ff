"""Rebuild tests/fixtures/real/ from the framework itself (run after an omnibase-core upgrade).

- core/: every YAML file with a top-level ``node_type:`` inside the installed
  omnibase-core wheel (its packaged nodes and runtime contracts), at its path in the wheel;
- scaffold/<kind>/: what ``onex init invoice-ledger`` + ``onex new node invoice-ledger
  --type <kind>`` write, for the four kinds.

Usage: python scripts/refresh_real_fixtures.py   (uses the .venv312 framework venv)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "tests" / "fixtures" / "real"
KINDS = ("effect", "compute", "reducer", "orchestrator")
_NODE_TYPE = re.compile(r"^node_type:", re.MULTILINE)


def framework_python() -> Path:
    sys.path.insert(0, str(ROOT / "scripts"))
    from framework_venv import ensure_venv

    return Path(ensure_venv())


def copy_core(python: Path) -> int:
    where = "import omnibase_core, os; print(os.path.dirname(omnibase_core.__file__))"
    found = subprocess.run(
        [str(python), "-c", where], capture_output=True, text=True, check=True
    ).stdout.strip()
    core = Path(found)
    shutil.rmtree(TARGET / "core", ignore_errors=True)
    count = 0
    for path in sorted(core.rglob("*.yaml")):
        if _NODE_TYPE.search(path.read_text(encoding="utf-8")):
            dest = TARGET / "core" / path.relative_to(core)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
            count += 1
    return count


def scaffold(python: Path) -> None:
    onex = python.parent / "onex"
    shutil.rmtree(TARGET / "scaffold", ignore_errors=True)
    for kind in KINDS:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            init = [str(onex), "init", "invoice-ledger", "--path", "."]
            subprocess.run(init, cwd=work, check=True)
            project = work / "invoice-ledger"
            new = [str(onex), "new", "node", "invoice-ledger", "--type", kind]
            subprocess.run(new, cwd=project, check=True)
            shutil.copytree(project, TARGET / "scaffold" / kind / "invoice-ledger")


if __name__ == "__main__":
    python = framework_python()
    sys.stdout.write(f"core: {copy_core(python)} contract files\n")
    scaffold(python)
    sys.stdout.write(f"scaffold: {', '.join(KINDS)}\n")
