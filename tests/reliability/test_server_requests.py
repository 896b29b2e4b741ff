"""The crashes and hangs issue #12 found, each replayed through the real server over stdio.

Every request is bounded (``lsp_runner.HANG_SECONDS``); an InternalError answer, an
"internal error" in the server's log or a dead server process fails the test.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.conftest import MINIMAL_EFFECT
from tests.e2e.lsp_client import uri
from tests.reliability.lsp_runner import (
    HANG_SECONDS,
    OPTIONS,
    FuzzCounts,
    LspRunner,
    close_text,
    open_text,
    python_files_of,
    unparsable,
)
from tests.reliability.test_store_outages import BlackHole

RESERVED = ["self", "cls", "executor", "repository", "container", "request",
            "any", "none", "true", "false"]  # fmt: skip
GENERATE = "source.onex.generateNode"
REFACTOR_GENERATE = "refactor.onex.generateNode"  # the same action where Ctrl+. looks
GENERATE_OFFERS = [GENERATE, REFACTOR_GENERATE]


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LspRunner]:
    started = LspRunner(tmp_path_factory.mktemp("requests-workspace"), FuzzCounts())
    yield started
    started.stop()


def _no_internal_errors(runner: LspRunner) -> None:
    assert runner.alive()
    assert runner.internal_error_logs() == []
    assert runner.counts.internal_errors == runner.counts.hangs == 0


async def _actions(runner: LspRunner, doc: str, diagnostics: list[lsp.Diagnostic]) -> list[Any]:
    origin = lsp.Position(line=0, character=0)
    params = lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(uri=doc),
        lsp.Range(start=origin, end=origin),
        lsp.CodeActionContext(diagnostics, trigger_kind=lsp.CodeActionTriggerKind.Invoked),
    )
    answer = await runner.request(
        "codeAction", runner.client.text_document_code_action_async(params)
    )
    return list(answer or [])


async def _command(runner: LspRunner, name: str, *arguments: Any) -> Any:
    params = lsp.ExecuteCommandParams(command=name, arguments=list(arguments))
    return await runner.request(name, runner.client.workspace_execute_command_async(params))


def _contract(runner: LspRunner, name: str, text: str) -> Path:
    path = runner.workspace / name / "contract.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


async def _open(runner: LspRunner, path: Path) -> tuple[str, list[lsp.Diagnostic]]:
    doc = open_text(runner.client, path, path.read_text(), "yaml")
    return doc, await runner.diagnostics_for(doc, 1)


def test_add_handler_for_an_operation_not_in_the_contract_answers_and_shutdown_works(
    tmp_path: Path,
) -> None:
    own = LspRunner(tmp_path, FuzzCounts())
    path = _contract(own, "node_user_management_effect", MINIMAL_EFFECT)

    async def scenario() -> Any:
        doc, _ = await _open(own, path)
        return await _command(own, "onex.addHandler", doc, "no_such_operation", None)

    try:
        assert own.call(scenario()) == {"written": []}
        (message,) = own.client.messages
        assert message.type == lsp.MessageType.Error
        assert "no operation 'no_such_operation'" in message.message
        _no_internal_errors(own)
    finally:
        own.stop()  # shutdown answers: raises if it fails or hangs
    assert not own.alive()


def test_commands_on_an_unopened_file_with_invalid_utf8_answer(runner: LspRunner) -> None:
    path = runner.workspace / "binary" / "contract.yaml"
    path.parent.mkdir()
    path.write_bytes(b"name: \xff\xfe\x00broken\nnode_type: EFFECT_GENERIC\n\x80\x81")
    doc = uri(path)
    data = {"type": "generateNode", "uri": doc, "suggestionId": "x", "variant": None}

    async def scenario() -> list[Any]:
        client, origin = runner.client, lsp.Position(line=0, character=0)
        return [
            await _command(runner, "onex.generateNode", doc, None, None),
            await _command(runner, "onex.addHandler", doc, "create_user", None),
            await _command(runner, "onex.showDetectedPatterns", doc),
            await _actions(runner, doc, []),
            await runner.request(
                "hover",
                client.text_document_hover_async(
                    lsp.HoverParams(lsp.TextDocumentIdentifier(uri=doc), origin)
                ),
            ),
            await runner.request(
                "resolve",
                client.code_action_resolve_async(lsp.CodeAction(title="x", data=data)),
            ),
        ]

    generated, added, shown, actions, _, resolved = runner.call(scenario())
    assert generated == added == {"written": []}
    assert "error" in shown and actions == [] and resolved.edit is None
    assert not (path.parent / "node.py").exists()
    _no_internal_errors(runner)


@pytest.mark.parametrize("name", RESERVED)
@pytest.mark.parametrize("role", ["node", "operation"])
def test_reserved_names_get_a_diagnostic_or_a_package_that_parses(
    runner: LspRunner, role: str, name: str
) -> None:
    text = (
        MINIMAL_EFFECT.replace("name: user_management", f"name: {name}")
        if role == "node"
        else MINIMAL_EFFECT.replace("create_user", name)
    )
    path = _contract(runner, f"reserved_{role}_{name}", text)

    async def scenario() -> tuple[list[lsp.Diagnostic], dict[str, str] | None]:
        doc, diagnostics = await _open(runner, path)
        try:
            offered = [
                a for a in await _actions(runner, doc, diagnostics) if a.kind in GENERATE_OFFERS
            ]
            if not offered:
                return diagnostics, None
            resolved = await runner.request(
                "resolve", runner.client.code_action_resolve_async(offered[0])
            )
            return diagnostics, python_files_of(resolved.edit)
        finally:
            close_text(runner.client, doc)

    diagnostics, files = runner.call(scenario())
    if files is None:  # not generated: a located warning says why
        (blocking,) = [d for d in diagnostics if d.severity != lsp.DiagnosticSeverity.Hint]
        assert blocking.range.start.line in (0, 7) and name in blocking.message
    else:
        assert files and unparsable(files) == []
    _no_internal_errors(runner)


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("input_model: ModelUserManagementInput", "input_model: pkg.ModelEffectInput",
         "shadows-framework"),
        ("output_model: ModelUserManagementOutput", "output_model: x.ModelONEXContainer",
         "shadows-framework"),
        ("output_model: ModelUserManagementOutput", "output_model: ModelUserManagementInput",
         "same-model-twice"),
    ],
)  # fmt: skip
def test_framework_class_names_as_models_are_a_diagnostic_not_a_package(
    runner: LspRunner, old: str, new: str, code: str
) -> None:
    path = _contract(runner, f"models_{code}_{len(new)}", MINIMAL_EFFECT.replace(old, new))

    async def scenario() -> tuple[list[lsp.Diagnostic], list[Any]]:
        doc, diagnostics = await _open(runner, path)
        try:
            return diagnostics, await _actions(runner, doc, diagnostics)
        finally:
            close_text(runner.client, doc)

    diagnostics, actions = runner.call(scenario())
    (diagnostic,) = diagnostics
    assert diagnostic.code == code and diagnostic.range.start.line in (4, 5)
    assert [a for a in actions if a.kind in GENERATE_OFFERS] == []
    _no_internal_errors(runner)


def _ten_thousand_operations() -> str:
    head = MINIMAL_EFFECT.split("  handlers:\n")[0] + "  handlers:\n"
    return head + "".join(f"    - {{operation: op{i}}}\n" for i in range(10_000))


def test_ten_thousand_operations_never_block_the_loop(runner: LspRunner) -> None:
    """While the big contract is read (in a worker thread), a small one still gets its
    hover; then its code actions answer within the budget, with a warning and no offer."""
    big = _contract(runner, "big", _ten_thousand_operations())
    small = _contract(runner, "small", MINIMAL_EFFECT)

    async def scenario() -> tuple[float, list[lsp.Diagnostic], list[Any]]:
        client = runner.client
        small_doc, _ = await _open(runner, small)
        big_doc = open_text(client, big, big.read_text(), "yaml")
        started = time.monotonic()
        await runner.request(
            "hover",
            client.text_document_hover_async(
                lsp.HoverParams(lsp.TextDocumentIdentifier(uri=small_doc), lsp.Position(0, 2))
            ),
        )
        during = time.monotonic() - started
        diagnostics = await _wait_published(runner, big_doc, 60)
        return during, diagnostics, await _actions(runner, big_doc, diagnostics)

    during, diagnostics, actions = runner.call(scenario())
    assert during < HANG_SECONDS
    assert [d.code for d in diagnostics] == ["too-many-operations"]
    assert [a for a in actions if a.kind in GENERATE_OFFERS] == []
    _no_internal_errors(runner)


async def _wait_published(runner: LspRunner, doc: str, timeout: float) -> list[lsp.Diagnostic]:
    """Diagnostics of a document too big for the usual budget (they come from a thread)."""
    deadline = time.monotonic() + timeout
    while doc not in runner.published:
        assert time.monotonic() < deadline, "no diagnostics"
        await asyncio.sleep(0.05)
    return runner.published[doc][1]


def _replying(answer: Any) -> Callable[[LanguageClient], None]:
    def setup(client: LanguageClient) -> None:
        client.protocol.fm.features[lsp.WORKSPACE_CONFIGURATION] = lambda params: answer

    return setup


def _started(client: LanguageClient) -> bool:
    return any("pattern library:" in m.message for m in client.log_messages)


@pytest.mark.parametrize("answer", [None, "nonsense", [None], [[1]]])
def test_a_null_configuration_reply_leaves_learning_on(tmp_path: Path, answer: Any) -> None:
    own = LspRunner(tmp_path, FuzzCounts(), setup=_replying(answer))
    try:
        deadline = time.monotonic() + 30
        while not _started(own.client):
            assert time.monotonic() < deadline, "learning never started"
            time.sleep(0.05)
        path = _contract(own, "node_user_management_effect", MINIMAL_EFFECT)
        own.call(_open(own, path))
        _no_internal_errors(own)
    finally:
        own.stop()


def test_a_black_holed_store_keeps_code_actions_fast(tmp_path: Path) -> None:
    """A store URL that accepts connections and never answers: every code action still
    answers within the budget (the store is reopened in the background, never per request)."""
    hole = BlackHole()
    options = {"onex": {**OPTIONS["onex"], "store": {"url": f"http://127.0.0.1:{hole.port}"}}}
    own = LspRunner(tmp_path, FuzzCounts(), options=options)
    path = _contract(own, "contracts", MINIMAL_EFFECT)

    async def scenario() -> float:
        doc, diagnostics = await _open(own, path)
        slowest = 0.0
        for _ in range(10):
            started = time.monotonic()
            # the whole menu (no `only`) lists generate once, under its refactor kind
            assert [a.kind for a in await _actions(own, doc, diagnostics)] == [REFACTOR_GENERATE]
            slowest = max(slowest, time.monotonic() - started)
        return slowest

    try:
        assert own.call(scenario()) < 2.0
        assert hole.accepted <= 12  # reopened with backoff, not per request
        _no_internal_errors(own)
    finally:
        own.stop()
        hole.close()
