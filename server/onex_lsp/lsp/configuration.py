"""Settings from the client: initializationOptions, then ``workspace/configuration``.

Later configuration overlays the initial options key by key (a client that answers
``{}`` or ``null`` changes nothing). Settings read only at start (the store, the
embedder) cannot change under a running server: the user is told a restart applies them.

Trust: the server cannot tell which scope (user, workspace, folder) a value came from.
What it can know is the channel: initializationOptions are built by the editor
integration when it starts the server (VS Code's extension from configuration that
Restricted Mode filters, restarting the server when trust is granted; the Neovim plugin
from the user's own setup), while ``workspace/configuration`` answers and pushes may
merge folder files (``.vscode/settings.json`` readers, project-local configs). So the
restricted settings (``settings.RESTRICTED_KEYS``: a program to run, a pattern library
or store to open) are taken from initializationOptions only; a later value is ignored
with a message.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp.settings import keep_restricted, parse_settings, restart_required

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

log = logging.getLogger(__name__)
CONFIGURATION_TIMEOUT = 10.0  # seconds a client may take to answer before we go on


def apply_settings(ls: OnexLanguageServer, raw: Any, *, initial: bool = False) -> None:
    """Settings from initializationOptions (``initial``) or later configuration."""
    if isinstance(raw, dict) and isinstance(raw.get("onex"), dict):
        raw = raw["onex"]
    if initial:
        ls.initial_settings = raw if isinstance(raw, dict) else {}
    elif isinstance(raw, dict):
        raw = overlay(ls.initial_settings, raw)
    settings, problems = parse_settings(raw)
    ignored: tuple[str, ...] = ()
    if not initial:
        settings, ignored = keep_restricted(parse_settings(ls.initial_settings)[0], settings)
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
    if ignored:
        ls.notify_user(
            lsp.MessageType.Warning,
            f"ONEX: {', '.join(ignored)} ignored: settings that run a program or open a "
            "pattern library are read when the server starts, from your user (or a trusted "
            "workspace's) settings; restart the server to apply a change.",
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
        result = await asyncio.wait_for(
            ls.workspace_configuration_async(
                lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="onex")])
            ),
            CONFIGURATION_TIMEOUT,
        )
    except Exception as exc:  # a client that errs or never answers keeps what it has
        log.warning("workspace/configuration failed: %r", exc)
        return
    if result and isinstance(result[0], dict):
        apply_settings(ls, result[0])


async def changed(ls: OnexLanguageServer, pushed: Any) -> None:
    """``workspace/didChangeConfiguration``: the pushed section, or pull it."""
    if isinstance(pushed, dict) and isinstance(pushed.get("onex"), dict):
        apply_settings(ls, pushed["onex"])
    else:
        await pull(ls)
