"""What ``onex-lsp serve`` imports before it answers ``initialize``.

Editors wait for that answer (issue #11: at most 1.2x a bare pygls server). The serve
path must import the server alone: the generator, the pattern library, libcst, the
embedding and vector-store libraries load after ``initialized`` (or on first use).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Loaded later: each costs from tens of milliseconds (yaml) to a second (inflect).
HEAVY = (
    "libcst",
    "jinja2",
    "yaml",
    "inflect",
    "typeguard",
    "rapidfuzz",
    "numpy",
    "onnxruntime",
    "tokenizers",
    "qdrant_edge",
    "qdrant_client",
    "platformdirs",
    "onex_lsp.learning.library",
    "onex_lsp.generation.pipeline",
    "onex_lsp.contract.reader",
    "onex_lsp.lsp.code_actions",
    "onex_lsp.cli.patterns",
    "onex_lsp.cli.generate",
)


def _message(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_serve_answers_initialize_without_the_heavy_modules(tmp_path: Path) -> None:
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "processId": None,
            "rootUri": tmp_path.as_uri(),
            "capabilities": {},
            "initializationOptions": {"onex": {"store": {"path": str(tmp_path / "data")}}},
        },
    }
    stdin = _message(initialize) + _message({"jsonrpc": "2.0", "method": "exit"})
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "onex_lsp", "serve"],
        input=stdin,
        capture_output=True,
        timeout=120,
        env={**os.environ, "ONEX_LSP_DATA_DIR": str(tmp_path / "data")},
    )
    assert b'"capabilities"' in proc.stdout, proc.stderr.decode()[-2000:]
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in proc.stderr.decode().splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "onex_lsp.lsp.server" in imported
    loaded = {h for h in HEAVY if any(m == h or m.startswith(h + ".") for m in imported)}
    assert loaded == set()
