"""Tests that count what the journal asks SQLite: every statement its connections run."""

from __future__ import annotations

import sqlite3

import pytest

from onex_lsp.learning import journal as journal_module


def traced_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements (with their values) every journal connection opened from now on runs
    in this process, appended as they run."""
    statements: list[str] = []
    connect = sqlite3.connect

    def traced(*args: object, **kwargs: object) -> sqlite3.Connection:
        db = connect(*args, **kwargs)  # type: ignore[arg-type]
        db.set_trace_callback(statements.append)
        return db

    monkeypatch.setattr(journal_module.sqlite3, "connect", traced)
    return statements
