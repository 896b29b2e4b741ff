"""``onex/exportPatterns``: one learned block, or its family, in the ``patterns export``
format, for the pattern library view's "Export" and "Show" (the block's own text when its
origin file is gone). The editor writes the file the user picks: the server writes
nothing outside the workspace.

    params {"id": block id or "learned:<id>", "family": bool}
    answer {"text": the JSON lines, "blocks": [block records], "problem": str | null}
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from onex_lsp import layout
from onex_lsp.feedback.stats import FEEDBACK_EVENTS
from onex_lsp.learning.export_format import events_of, export_lines, selected_blocks

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer


def _field(params: Any, name: str) -> Any:
    """A field of the request's params: pygls hands them over as a dict or an object."""
    return params.get(name) if isinstance(params, Mapping) else getattr(params, name, None)


def _arguments(params: Any) -> tuple[str, bool] | None:
    block_id = _field(params, "id")
    if not isinstance(block_id, str):
        return None
    return block_id.removeprefix(layout.LEARNED_PREFIX), _field(params, "family") is True


async def export_patterns(ls: OnexLanguageServer, params: Any) -> dict[str, Any]:
    arguments = _arguments(params)
    if arguments is None:
        return {"text": "", "blocks": [], "problem": 'expected {"id": <block id>, "family": bool}'}
    block_id, family = arguments
    learning = ls.learning
    blocks = selected_blocks(await asyncio.to_thread(learning.learned_blocks), block_id, family)
    if not blocks:
        return {"text": "", "blocks": [], "problem": f"no learned block {block_id[:8]}"}
    events = events_of(blocks, await asyncio.to_thread(learning.journal_events, FEEDBACK_EVENTS))
    return {
        "text": "".join(export_lines(blocks, events)),
        "blocks": [json.loads(b.to_json()) for b in blocks],
        "problem": None,
    }
