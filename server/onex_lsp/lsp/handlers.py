"""The LSP methods the server answers: each translates the message and calls the owner of
the work (documents, code actions, commands, the learning and feedback sessions).

The code action, command and hover modules (and through them the generator: Jinja2,
the templates) are imported by their first request, or by the warm-up the
server starts once ``initialized`` arrives: the ``serve`` path imports only what
``initialize`` needs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types as lsp

from onex_lsp import __version__
from onex_lsp.lsp import configuration, documents, learned_offers
from onex_lsp.lsp.capabilities import client_support
from onex_lsp.lsp.convert import uri_to_path
from onex_lsp.lsp.feedback_session import follow_changes
from onex_lsp.lsp.server import OnexLanguageServer
from onex_lsp.lsp.suggestions import APPLIED, CODE_ACTION_KINDS

log = logging.getLogger(__name__)


def initialize(ls: OnexLanguageServer, params: lsp.InitializeParams) -> None:
    ls.support = client_support(params.capabilities)
    configuration.apply_settings(ls, params.initialization_options, initial=True)


async def initialized(ls: OnexLanguageServer, params: lsp.InitializedParams) -> None:
    ls.log_handler.flush_pending()
    log.info("onex-lsp %s ready (client support: %s)", __version__, ls.support)
    ls.warm_up(load_features)
    await configuration.pull(ls)
    await ls.start_sessions()


async def shutdown(ls: OnexLanguageServer, params: None) -> None:
    await ls.stop_sessions()


async def did_change_configuration(
    ls: OnexLanguageServer, params: lsp.DidChangeConfigurationParams
) -> None:
    await configuration.changed(ls, params.settings)
    documents.publish_all(ls)


def did_open(ls: OnexLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
    documents.publish(ls, params.text_document.uri)
    learned_offers.schedule(ls, params.text_document.uri, 0.0)
    ls.feedback.did_open(params.text_document.uri, params.text_document.text)


def did_change(ls: OnexLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    documents.schedule(ls, uri)
    learned_offers.schedule(ls, uri)
    current = ls.workspace.get_text_document(uri).source
    codec = ls.workspace.position_codec
    follow_changes(ls.feedback, uri, params.content_changes, codec, current)


async def did_save(ls: OnexLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    documents.publish(ls, uri)
    await learn_on_save(ls, uri)
    await documents.framework_check(ls, uri)


async def learn_on_save(ls: OnexLanguageServer, uri: str) -> None:
    """A saved file of an applied suggestion teaches the library its blocks."""
    path = uri_to_path(uri)
    if path is None or path.suffix != ".py" or not ls.settings.learning:
        return
    if not ls.learning.available or uri not in ls.workspace.text_documents:
        return
    resolved = await asyncio.to_thread(path.resolve)
    if ls.learning.accepted_suggestion(resolved) is None:
        return
    text = ls.workspace.get_text_document(uri).source
    await ls.learning.learn_saved(path, text, ls.feedback.pattern_in(uri))


def did_close(ls: OnexLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
    documents.close(ls, params.text_document.uri)
    ls.offers.forget(params.text_document.uri)
    ls.feedback.did_close(params.text_document.uri)


def did_delete_files(ls: OnexLanguageServer, params: lsp.DeleteFilesParams) -> None:
    ls.feedback.files_deleted([f.uri for f in params.files])


def did_rename_files(ls: OnexLanguageServer, params: lsp.RenameFilesParams) -> None:
    ls.feedback.files_renamed([(f.old_uri, f.new_uri) for f in params.files])


async def text_document_hover(ls: OnexLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
    from onex_lsp.lsp import hover

    return await hover.hover(ls, params)


async def code_action(ls: OnexLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    from onex_lsp.lsp import code_actions

    return await code_actions.provide(ls, params)


async def code_action_resolve(ls: OnexLanguageServer, action: lsp.CodeAction) -> lsp.CodeAction:
    from onex_lsp.lsp import code_actions

    return await code_actions.resolve(ls, action)


async def generate_node(
    ls: OnexLanguageServer, uri: str, suggestion_id: str | None = None, variant: Any = None
) -> dict[str, Any]:
    from onex_lsp.lsp import commands

    return await commands.generate_node(ls, uri, suggestion_id, variant)


async def add_handler(
    ls: OnexLanguageServer, uri: str, operation: str, suggestion_id: str | None = None
) -> dict[str, Any]:
    from onex_lsp.lsp import commands

    return await commands.add_handler(ls, uri, operation, suggestion_id)


def suggestion_applied(ls: OnexLanguageServer, suggestion_id: str, *rest: Any) -> dict[str, Any]:
    from onex_lsp.lsp import commands

    return commands.suggestion_applied(ls, suggestion_id, *rest)


async def show_detected_patterns(ls: OnexLanguageServer, uri: str) -> dict[str, Any]:
    from onex_lsp.lsp import commands

    return await commands.show_detected_patterns(ls, uri)


def load_features() -> None:
    """Blocking, in a worker thread once initialized (~0.5 s): the code action, command
    and hover modules (with them the generator, Jinja2, YAML), the compiled templates and
    inflect's engine, so that the first requests do not wait for them."""
    from onex_lsp.contract import reader  # noqa: F401
    from onex_lsp.lsp import code_actions, commands, hover, package_checks  # noqa: F401
    from onex_lsp.lsp.generation_jobs import prepare_generation

    prepare_generation()


_PYTHON_FILES = lsp.FileOperationRegistrationOptions(
    filters=[lsp.FileOperationFilter(pattern=lsp.FileOperationPattern(glob="**/*.py"))]
)
FEATURES: list[tuple[str, Any, Any]] = [
    (lsp.INITIALIZE, initialize, None),
    (lsp.INITIALIZED, initialized, None),
    (lsp.SHUTDOWN, shutdown, None),
    (lsp.WORKSPACE_DID_CHANGE_CONFIGURATION, did_change_configuration, None),
    (lsp.TEXT_DOCUMENT_DID_OPEN, did_open, None),
    (lsp.TEXT_DOCUMENT_DID_CHANGE, did_change, None),
    (lsp.TEXT_DOCUMENT_DID_SAVE, did_save, None),
    (lsp.TEXT_DOCUMENT_DID_CLOSE, did_close, None),
    (lsp.WORKSPACE_DID_DELETE_FILES, did_delete_files, _PYTHON_FILES),
    (lsp.WORKSPACE_DID_RENAME_FILES, did_rename_files, _PYTHON_FILES),
    (lsp.TEXT_DOCUMENT_HOVER, text_document_hover, None),
    (
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        code_action,
        lsp.CodeActionOptions(code_action_kinds=CODE_ACTION_KINDS, resolve_provider=True),
    ),
    (lsp.CODE_ACTION_RESOLVE, code_action_resolve, None),
]
COMMANDS: list[tuple[str, Any]] = [
    ("onex.generateNode", generate_node),
    ("onex.addHandler", add_handler),
    (APPLIED, suggestion_applied),
    ("onex.showDetectedPatterns", show_detected_patterns),
]
