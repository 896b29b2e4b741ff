"""Forget a learned block, or its whole family, from the editor: a code action on a
handler that came from a learned block, and the ``onex.forgetPattern`` command."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp import layout
from onex_lsp.feedback.stats import family_key
from onex_lsp.lsp.suggestions import FORGET_COMMAND, FORGET_KIND

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

log = logging.getLogger(__name__)


def forget_actions(ls: OnexLanguageServer, uri: str) -> list[lsp.CodeAction]:
    """For each followed handler of ``uri`` that a learned block wrote: forget that block,
    or its family (the block, the blocks it came from and those derived from them)."""
    actions = []
    for pattern, family in ls.feedback.learned_in(uri):
        short = pattern.removeprefix(layout.LEARNED_PREFIX)[:8]
        record = ls.feedback.stats().get(family_key(family))
        history = f" ({record.summary()})" if record is not None and record.summary() else ""
        for title, whole in (
            (f"Forget the learned block {short} this handler came from", False),
            (f"Forget the learned block {short} and its whole family{history}", True),
        ):
            command = lsp.Command(title=title, command=FORGET_COMMAND, arguments=[pattern, whole])
            actions.append(lsp.CodeAction(title=title, kind=FORGET_KIND, command=command))
    return actions


async def forget_pattern(ls: OnexLanguageServer, key: Any, family: Any = False) -> dict[str, Any]:
    """Stop offering the learned block ``key`` (``learned:<id>`` or the id), or its family."""
    key = str(key)
    if not layout.is_learned_key(key):
        key = layout.learned_key(key)
    forgotten = await ls.learning.forget(key, bool(family))
    log.info("forgot %d learned block(s): %s", len(forgotten), ", ".join(i[:8] for i in forgotten))
    return {"forgotten": forgotten}
