"""The LSP methods the server answers: each translates the message and calls the owner of
the work (documents, code actions, commands, the learning and feedback sessions).

The feature modules (and through them the generator, Jinja2, the templates, the pattern
library) are imported by the first request that needs them, in the event loop's default
executor once ``initialized`` arrives: the ``serve`` path imports only what
``initialize`` needs, so editors get their answer at once.
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
from onex_lsp.lsp.suggestions import (
    ADD_HANDLER_COMMAND,
    APPLIED,
    CODE_ACTION_KINDS,
    DETECTED_PATTERNS_COMMAND,
    EXPORT_PATTERNS_REQUEST,
    FORGET_COMMAND,
    GENERATE_COMMAND,
    OPEN_COMMAND,
    PATTERN_LIBRARY_REQUEST,
    PATTERN_REPORT_REQUEST,
    UPDATE_COMMAND,
)

log = logging.getLogger(__name__)


def initialize(ls: OnexLanguageServer, params: lsp.InitializeParams) -> None:
    ls.support = client_support(params.capabilities)
    configuration.apply_settings(ls, params.initialization_options, initial=True)


async def initialized(ls: OnexLanguageServer, params: lsp.InitializedParams) -> None:
    ls.log_handler.flush_pending()
    log.info("onex-lsp %s ready (client support: %s)", __version__, ls.support)
    ls.status.publish()
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
    ls.status.publish()  # learning may have been switched


def did_open(ls: OnexLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
    documents.publish(ls, params.text_document.uri)
    learned_offers.schedule(ls, params.text_document.uri, 0.0)
    ls.feedback.did_open(params.text_document.uri, params.text_document.text)
    ls.conflicts.check(ls, params.text_document.uri)


def did_change(ls: OnexLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    documents.schedule(ls, uri)
    learned_offers.schedule(ls, uri)
    current = ls.workspace.get_text_document(uri).source
    codec = ls.workspace.position_codec
    follow_changes(ls.feedback, uri, params.content_changes, codec, current)
    ls.conflicts.check(ls, uri)


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
    text = ls.workspace.get_text_document(uri).source  # as saved, before later changes
    resolved = await asyncio.to_thread(path.resolve)
    if ls.learning.accepted_suggestion(resolved) is None:
        return
    with ls.status.busy("learning"):
        links = await ls.learning.learn_saved(path, text, ls.feedback.saved(uri, text))
    ls.feedback.derived(uri, links)


def did_close(ls: OnexLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
    documents.close(ls, params.text_document.uri)
    ls.conflicts.closed(params.text_document.uri)
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


async def update_node(ls: OnexLanguageServer, argument: Any = None) -> dict[str, Any]:
    from onex_lsp.lsp import contract_lenses, update_actions

    result = await update_actions.update_node(ls, argument)
    contract_lenses.refresh(ls)  # "Update node" goes, or says what still differs
    return result


async def suggestion_applied(
    ls: OnexLanguageServer, suggestion_id: str, *rest: Any
) -> dict[str, Any]:
    from onex_lsp.lsp import commands, contract_lenses, generation_report

    result = commands.suggestion_applied(ls, suggestion_id, *rest)
    report = ls.reports.take(str(suggestion_id))
    if report is not None:  # a generate action's edit: open the node, say what was written
        await generation_report.announce(ls, report)
        contract_lenses.refresh(ls)
    return result


async def code_lens(ls: OnexLanguageServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
    from onex_lsp.lsp import contract_lenses

    return await contract_lenses.code_lenses(ls, params.text_document.uri)


async def open_node(ls: OnexLanguageServer, uri: str) -> dict[str, Any]:
    from onex_lsp.lsp import contract_lenses

    return await contract_lenses.open_node(ls, uri)


async def pattern_library_request(ls: OnexLanguageServer, params: Any) -> dict[str, Any]:
    from onex_lsp.lsp import pattern_library

    return await pattern_library.pattern_library(ls)


async def pattern_report_request(ls: OnexLanguageServer, params: Any) -> dict[str, Any]:
    from onex_lsp.lsp import pattern_report

    return await pattern_report.pattern_report(ls)


async def export_patterns_request(ls: OnexLanguageServer, params: Any) -> dict[str, Any]:
    from onex_lsp.lsp import pattern_export

    return await pattern_export.export_patterns(ls, params)


async def show_detected_patterns(ls: OnexLanguageServer, uri: str) -> dict[str, Any]:
    from onex_lsp.lsp import commands

    return await commands.show_detected_patterns(ls, uri)


async def forget_pattern(ls: OnexLanguageServer, key: Any, family: Any = False) -> dict[str, Any]:
    from onex_lsp.lsp import forget

    return await forget.forget_pattern(ls, key, family)


def load_features() -> None:
    """Blocking, in a worker thread once initialized (~0.5 s): the code action, command,
    lens and hover modules (with them the generator, Jinja2, YAML), the compiled templates
    and inflect's engine, so that the first requests do not wait for them."""
    from onex_lsp.contract import reader  # noqa: F401
    from onex_lsp.lsp import (  # noqa: F401
        code_actions,
        commands,
        contract_lenses,
        hover,
        package_checks,
    )
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
    (lsp.TEXT_DOCUMENT_CODE_LENS, code_lens, lsp.CodeLensOptions(resolve_provider=False)),
    (PATTERN_LIBRARY_REQUEST, pattern_library_request, None),
    (PATTERN_REPORT_REQUEST, pattern_report_request, None),
    (EXPORT_PATTERNS_REQUEST, export_patterns_request, None),
]
COMMANDS: list[tuple[str, Any]] = [
    (GENERATE_COMMAND, generate_node),
    (ADD_HANDLER_COMMAND, add_handler),
    (UPDATE_COMMAND, update_node),
    (APPLIED, suggestion_applied),
    (DETECTED_PATTERNS_COMMAND, show_detected_patterns),
    (FORGET_COMMAND, forget_pattern),
    (OPEN_COMMAND, open_node),
]
