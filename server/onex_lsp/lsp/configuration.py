"""Settings from the client: initializationOptions, then ``workspace/configuration``.

Later configuration overlays the initial options key by key (a client that answers
``{}`` changes nothing). Settings read only at start (the store, the embedder) cannot
change under a running server: the user is told a restart applies them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp.settings import parse_settings, restart_required

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

log = logging.getLogger(__name__)


def apply_settings(ls: OnexLanguageServer, raw: Any, *, initial: bool = False) -> None:
    """Settings from initializationOptions (``initial``) or later configuration."""
    if isinstance(raw, dict) and isinstance(raw.get("onex"), dict):
        raw = raw["onex"]
    if initial:
        ls.initial_settings = raw if isinstance(raw, dict) else {}
    elif isinstance(raw, dict):
        raw = overlay(ls.initial_settings, raw)
    settings, problems = parse_settings(raw)
    changed = restart_required(ls.settings, settings) if ls.started else ()
    ls.settings = settings
    for problem in problems:
        log.warning("%s", problem)
    if problems:
        ls.notify_user(lsp.MessageType.Warning, "ONEX settings: " + "; ".join(problems))
    if changed:
        ls.notify_user(
            lsp.MessageType.Warning,
            f"ONEX: {', '.join(changed)} changed; restart the server to apply it "
            "(VS Code: ONEX: Restart Server; Neovim: :Onex restart).",
        )
    ls.feedback.configure(settings.feedback)


def overlay(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = overlay(merged[key], value)
        else:
            merged[key] = value
    return merged


async def pull(ls: OnexLanguageServer) -> None:
    """Ask the client for the ``onex`` section (when it answers configuration requests)."""
    if not ls.support.configuration:
        return
    try:
        result = await ls.workspace_configuration_async(
            lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="onex")])
        )
    except Exception as exc:
        log.warning("workspace/configuration failed: %s", exc)
        return
    if result and isinstance(result[0], dict):
        apply_settings(ls, result[0])


async def changed(ls: OnexLanguageServer, pushed: Any) -> None:
    """``workspace/didChangeConfiguration``: the pushed section, or pull it."""
    if isinstance(pushed, dict) and isinstance(pushed.get("onex"), dict):
        apply_settings(ls, pushed["onex"])
    else:
        await pull(ls)
