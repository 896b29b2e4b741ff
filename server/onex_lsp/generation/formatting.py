"""Format generated Python with ruff, so output is ``ruff format``-clean for any name length.

Templates are written in ruff's style already; ruff only re-wraps lines whose length
depends on contract names. Without a ruff executable the sources are returned as
rendered (still valid Python) and the caller is told.

Latency (``codeAction/resolve`` formats a whole package): formatted texts are cached by
content, so re-resolving a contract, or files that do not depend on its names, cost
nothing; what is left goes to one ruff process: stdin for a single file, else one batched
call over files in a work folder made once per process (no temporary folder per call, no
ruff cache written).
"""

from __future__ import annotations

import atexit
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

log = logging.getLogger(__name__)
_RUFF_FORMAT = ["format", "--isolated", "--quiet", "--no-cache", "--target-version", "py312"]
_CACHE_SIZE = 512


def ruff_executable() -> str | None:
    beside = Path(sys.executable).parent / "ruff"
    if beside.exists():
        return str(beside)
    return shutil.which("ruff")


class _FormattedCache:
    """Rendered text -> formatted text, least recently used first out."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> str | None:
        with self._lock:
            found = self._items.get(text)
            if found is not None:
                self._items.move_to_end(text)
            return found

    def put(self, text: str, formatted: str) -> None:
        with self._lock:
            self._items[text] = formatted
            self._items.move_to_end(text)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


CACHE = _FormattedCache(_CACHE_SIZE)
_WORK_LOCK = threading.Lock()
_work_dir: Path | None = None


def _work_folder() -> Path:
    """One folder per process for batched calls, removed at exit."""
    global _work_dir
    if _work_dir is None or not _work_dir.is_dir():
        _work_dir = Path(tempfile.mkdtemp(prefix="onex-lsp-fmt-"))
        atexit.register(shutil.rmtree, _work_dir, True)
    return _work_dir


def _run(ruff: str, args: list[str], stdin: str | None = None) -> str | None:
    proc = subprocess.run(
        [ruff, *_RUFF_FORMAT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        log.warning("ruff format failed; keeping unformatted output: %s", proc.stderr.strip())
        return None
    return proc.stdout


def _format_batch(ruff: str, todo: dict[str, str]) -> dict[str, str] | None:
    """Formatted texts of ``todo`` from one ruff process."""
    if len(todo) == 1:
        ((rel, text),) = todo.items()
        out = _run(ruff, ["--stdin-filename", Path(rel).name, "-"], text)
        return None if out is None else {rel: out}
    with _WORK_LOCK:
        folder = _work_folder()
        paths = {rel: folder / f"f{index}.py" for index, rel in enumerate(todo)}
        try:
            for rel, path in paths.items():
                path.write_text(todo[rel], encoding="utf-8")
            if _run(ruff, [str(path) for path in paths.values()]) is None:
                return None
            return {rel: path.read_text(encoding="utf-8") for rel, path in paths.items()}
        finally:
            for path in paths.values():
                path.unlink(missing_ok=True)


def format_sources(files: dict[str, str]) -> tuple[dict[str, str], bool]:
    """Return ``files`` with every ``.py`` formatted, and whether ruff ran."""
    ruff = ruff_executable()
    python = {rel: text for rel, text in files.items() if rel.endswith(".py") and text}
    if ruff is None or not python:
        return files, False
    formatted = dict(files)
    todo: dict[str, str] = {}
    for rel, text in python.items():
        cached = CACHE.get(text)
        if cached is None:
            todo[rel] = text
        else:
            formatted[rel] = cached
    if todo:
        done = _format_batch(ruff, todo)
        if done is None:
            return files, False
        for rel, text in done.items():
            CACHE.put(todo[rel], text)
            formatted[rel] = text
    return formatted, True
