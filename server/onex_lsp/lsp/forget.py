"""Forget a learned block, or its whole family, from the editor: a code action on a
handler that came from a learned block (followed now, or recorded in its package's
generation record), and the ``onex.forgetPattern`` command."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp import layout
from onex_lsp.feedback.stats import family_key
from onex_lsp.generation.record import learned_in_module
from onex_lsp.lsp.convert import uri_to_path
from onex_lsp.lsp.suggestions import FORGET_COMMAND, FORGET_KIND
from onex_lsp.workspace_fs import read_texts

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

log = logging.getLogger(__name__)
_RECORD_DEPTH = 4  # a handler module sits this close below its package's record


async def forget_actions(ls: OnexLanguageServer, uri: str) -> list[lsp.CodeAction]:
    """For each handler of ``uri`` that a learned block wrote — followed now, or named by
    its package's generation record (so after a restart too) — forget that block, or its
    family (the block, the blocks it came from and those derived from them)."""
    learned = dict(ls.feedback.learned_in(uri))
    path = uri_to_path(uri)
    if path is not None and path.suffix == ".py":
        try:
            recorded = await asyncio.to_thread(
                recorded_learned, ls.learning.family_of, path, ls.workspace_roots()
            )
        except Exception as exc:  # an unreadable record or journal: no action, no error
            log.warning("learned blocks of %s unknown: %s", path.name, exc)
            recorded = []
        for pattern, family in recorded:
            learned.setdefault(pattern, family)
    actions = []
    for pattern, family in learned.items():
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


def recorded_learned(
    family_of: Callable[[str], str | None], path: Path, roots: Sequence[Path]
) -> list[tuple[str, str]]:
    """Blocking: (learned key, family root) of the live learned blocks that the nearest
    generation record above ``path`` (within the workspace) says its handlers came from."""
    resolved = path.resolve()
    inside = [r.resolve() for r in roots]
    for folder in list(resolved.parents)[:_RECORD_DEPTH]:
        if not any(folder == r or r in folder.parents for r in inside):
            break
        text = read_texts(folder, [layout.GENERATION_RECORD])[layout.GENERATION_RECORD]
        if text is None:
            continue
        module = resolved.relative_to(folder).as_posix()
        found = [(i, family_of(i)) for i in learned_in_module(text, module)]
        return [(layout.learned_key(i), family) for i, family in found if family is not None]
    return []


async def forget_pattern(ls: OnexLanguageServer, key: Any, family: Any = False) -> dict[str, Any]:
    """Stop offering the learned block ``key`` (``learned:<id>`` or the id), or its family."""
    key = str(key)
    if not layout.is_learned_key(key):
        key = layout.learned_key(key)
    forgotten = await ls.learning.forget(key, bool(family))
    log.info("forgot %d learned block(s): %s", len(forgotten), ", ".join(i[:8] for i in forgotten))
    return {"forgotten": forgotten}
