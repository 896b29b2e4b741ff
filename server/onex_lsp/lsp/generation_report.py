"""After a node is generated: open its main module (``window/showDocument``) and say what
was written (``window/showMessage``: "15 files, 4 handlers: 3 CRUD, 1 stub"). A client
that announces ``experimental.onex.generatedNotification`` gets the typed notification
``onex/generated`` instead (the message, the package folder and its files), so that it can
offer "Show files" without reading the message's text.

A generate code action's edit is applied by the client, which then runs
``onex.suggestionApplied``: the report waits here, keyed by suggestion id, from
``codeAction/resolve`` until then. The server-side command announces at once.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from onex_lsp.lsp.convert import path_to_uri
from onex_lsp.settings import NotificationLevel

if TYPE_CHECKING:
    from onex_lsp.generation.pipeline import GeneratedPackage
    from onex_lsp.generation.ranking import HandlerChoice
    from onex_lsp.lsp.server import OnexLanguageServer


@dataclass(frozen=True)
class GenerationReport:
    main: Path  # the module to open: node.py, else the first handler
    message: str
    folder: Path  # the package
    files: tuple[Path, ...] = ()  # what was written, sorted


GENERATED_NOTIFICATION = "onex/generated"


def handler_summary(choices: Iterable[HandlerChoice]) -> str:
    """``4 handlers: 3 CRUD, 1 stub`` (families by count, then name)."""
    families: Counter[str] = Counter()
    for choice in choices:
        pattern = choice.pattern
        families[pattern.label if pattern is not None else choice.block] += 1
    total = sum(families.values())
    parts = ", ".join(
        f"{n} {name}" for name, n in sorted(families.items(), key=lambda i: (-i[1], i[0]))
    )
    noun = "handler" if total == 1 else "handlers"
    return f"{total} {noun}: {parts}" if parts else f"0 {noun}"


def report_of(generated: GeneratedPackage, files: Sequence[Path]) -> GenerationReport:
    plan = generated.plan
    root = Path(plan.root)
    main = plan.node.module.path if plan.node else plan.handlers[0].module.path
    noun = "file" if len(files) == 1 else "files"
    message = (
        f"Generated {plan.package.name}: {len(files)} {noun}, {handler_summary(generated.choices)}."
    )
    return GenerationReport(root / main, message, root / plan.package, tuple(sorted(files)))


class PendingReports:
    """Reports of resolved generate actions not yet applied (bounded, event-loop only)."""

    def __init__(self, capacity: int = 64) -> None:
        self._capacity = capacity
        self._pending: OrderedDict[str, GenerationReport] = OrderedDict()

    def expect(self, suggestion_id: str, report: GenerationReport) -> None:
        self._pending[suggestion_id] = report
        self._pending.move_to_end(suggestion_id)
        while len(self._pending) > self._capacity:
            self._pending.popitem(last=False)

    def take(self, suggestion_id: str) -> GenerationReport | None:
        return self._pending.pop(suggestion_id, None)


async def announce(ls: OnexLanguageServer, report: GenerationReport) -> None:
    """Open the main module, and say what was written (unless notifications are off)."""
    await ls.show(report.main)
    if ls.settings.notification_level is NotificationLevel.OFF:
        return
    if ls.support.generated_notification:
        ls.protocol.notify(GENERATED_NOTIFICATION, generated_payload(report))
    else:
        params = lsp.ShowMessageParams(type=lsp.MessageType.Info, message=report.message)
        ls.window_show_message(params)


def generated_payload(report: GenerationReport) -> dict[str, object]:
    return {
        "message": report.message,
        "folder": path_to_uri(report.folder),
        "main": path_to_uri(report.main),
        "files": [path_to_uri(path) for path in report.files],
    }
