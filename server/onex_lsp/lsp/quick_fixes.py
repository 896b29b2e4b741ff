"""Quick fixes that insert what a diagnostic says is missing (``data["insert"]``, e.g. a
``contract_version`` block), at the start of the line the diagnostic points to.

Replacements (``data["replacement"]``: a "did you mean" key, a usable identifier) are
``code_actions.replacement_fixes``; this module adds the insertions beside them.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types as lsp

QUICKFIX = "quickfix"


def insertion_fixes(uri: str, diagnostics: Sequence[lsp.Diagnostic]) -> list[lsp.CodeAction]:
    """One "Add 'field'" action per missing field, however many diagnostics name it."""
    fixes: dict[str, lsp.CodeAction] = {}
    for diagnostic in diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        text, field = data.get("insert"), data.get("field")
        if not isinstance(text, str) or not isinstance(field, str):
            continue
        if field in fixes:
            fixes[field].diagnostics = [*(fixes[field].diagnostics or []), diagnostic]
            continue
        at = lsp.Position(line=diagnostic.range.start.line, character=0)
        edit = lsp.TextEdit(range=lsp.Range(start=at, end=at), new_text=text)
        fixes[field] = lsp.CodeAction(
            title=f"Add '{field}'",
            kind=QUICKFIX,
            diagnostics=[diagnostic],
            is_preferred=True,
            edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
        )
    return list(fixes.values())
