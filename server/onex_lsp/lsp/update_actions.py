"""Update node: the source action, the quick fix on a ``node-drift`` diagnostic and the
``onex.updateNode`` command, over ``generation/update.py``.

The edit is a ``WorkspaceEdit`` with change annotations: files created (no confirmation),
your files merged, moved or deleted (``needsConfirmation``, so VS Code shows its refactor
preview), the generation record. Clients that cannot create files get the command, which
writes on the server side, atomically and inside the workspace only.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp.contract.files import read_contract
from onex_lsp.contract.model import Contract
from onex_lsp.generation.node_drift import contract_drift
from onex_lsp.generation.update import NodeUpdate, plan_update, record_of
from onex_lsp.lsp import generation_jobs as jobs
from onex_lsp.lsp import packages
from onex_lsp.lsp.convert import lines_edit, path_to_uri, uri_to_path
from onex_lsp.lsp.documents import parse_document, publish_all
from onex_lsp.lsp.package_actions import workbench
from onex_lsp.lsp.suggestions import UPDATE_COMMAND, UPDATE_NODE_KIND, applied_command
from onex_lsp.workspace_fs import UnsafePathError, confined_path, read_texts, write_tree

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

log = logging.getLogger(__name__)
DRIFT_CODE = "node-drift"
_NO_RECORD = "no generation record: additions only"


def offer_job(bench: jobs.Workbench, contract: Contract, path: Path) -> str | None:
    """Blocking: what an update would bring (``None``: no package, or nothing differs)."""
    where = bench.where(path)
    state = packages.package_state(contract, where)
    if not state.exists:
        return None
    record = record_of(contract, where)
    text = read_texts(Path(where.root), [record])[record]
    if text is None:
        return _NO_RECORD
    drift = contract_drift(contract, state.plan, text)
    return None if drift is not None and not drift.any else (drift.summary() if drift else "")


def update_job(
    bench: jobs.Workbench, contract: Contract, path: Path, open_texts: Mapping[Path, str]
) -> NodeUpdate:
    """Blocking: the update, with the editor's text of open files as the user's side."""
    where = bench.where(path)
    root = Path(where.root)

    def read(paths: list[str]) -> dict[str, str | None]:
        texts = read_texts(root, paths)
        for rel in paths:
            try:
                texts[rel] = open_texts.get(confined_path(root, rel), texts[rel])
            except UnsafePathError:
                continue
        return texts

    record = record_of(contract, where)
    return plan_update(contract, where, bench.threshold, read([record])[record], read)


def _title(summary: str) -> str:
    return f"Update node — {summary}" if summary else "Update node"


async def update_actions(
    ls: OnexLanguageServer, uri: str, path: Path, contract: Contract,
    diagnostics: Sequence[lsp.Diagnostic], source: bool, quickfix: bool,
) -> list[lsp.CodeAction]:  # fmt: skip
    summary = await asyncio.to_thread(offer_job, workbench(ls), contract, path)
    if summary is None:
        return []
    actions = []
    drifts = [d for d in diagnostics if d.code == DRIFT_CODE] if quickfix else []
    for kind, fixes in ([(UPDATE_NODE_KIND, None)] if source else []) + [
        ("quickfix", d) for d in drifts
    ]:
        suggestion_id = ls.suggestions.offer(kind, uri, _title(summary))
        data = {"type": "updateNode", "uri": uri, "suggestionId": suggestion_id}
        actions.append(
            lsp.CodeAction(
                title=_title(summary), kind=kind, data=data,
                diagnostics=[fixes] if fixes else None, is_preferred=fixes is not None,
            )
        )  # fmt: skip
    return actions


def _open_texts(ls: OnexLanguageServer) -> dict[Path, str]:
    texts = {}
    for doc_uri, document in ls.workspace.text_documents.items():
        found = uri_to_path(doc_uri)
        if found is not None:
            texts[found] = document.source
    return texts


async def _contract(ls: OnexLanguageServer, uri: str) -> tuple[Contract, Path] | None:
    """The valid contract of an open document, else of the file on disk."""
    parsed = await parse_document(ls, uri)
    result = parsed.result if parsed is not None else None
    path = uri_to_path(uri)
    if result is None and path is not None:
        result = await asyncio.to_thread(read_contract, path, strict_model=ls.settings.strict_model)
    if result is None or path is None or result.contract is None or not result.generatable:
        ls.notify_user(lsp.MessageType.Error, "The contract has errors; fix them before updating.")
        return None
    return result.contract, path


async def _computed(ls: OnexLanguageServer, uri: str) -> NodeUpdate | None:
    found = await _contract(ls, uri)
    if found is None:
        return None
    contract, path = found
    bench, texts = workbench(ls), _open_texts(ls)
    async with ls.reporting_progress(f"Updating the {contract.name} node"):
        resolved = await asyncio.to_thread(lambda: {p.resolve(): t for p, t in texts.items()})
        return await asyncio.to_thread(update_job, bench, contract, path, resolved)


def _operations_supported(ls: OnexLanguageServer, update: NodeUpdate) -> bool:
    workspace = ls.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    operations = set(edit.resource_operations or []) if edit else set()
    needed = {lsp.ResourceOperationKind.Create}
    if update.removals():
        needed |= {lsp.ResourceOperationKind.Rename, lsp.ResourceOperationKind.Delete}
    return ls.support.create_files and needed <= operations


async def resolve_update(
    ls: OnexLanguageServer, action: lsp.CodeAction, uri: str, suggestion_id: str
) -> None:
    update = await _computed(ls, uri)
    if update is None:
        return
    if not _operations_supported(ls, update):
        action.command = lsp.Command(
            title=action.title, command=UPDATE_COMMAND, arguments=[{"uri": uri}]
        )
        return
    workspace = ls.client_capabilities.workspace
    edit_caps = workspace.workspace_edit if workspace else None
    annotate = bool(edit_caps and edit_caps.change_annotation_support)
    action.edit = update_edit(update, annotate)
    action.command = applied_command(suggestion_id, uri)


async def update_node(ls: OnexLanguageServer, argument: Any) -> dict[str, Any]:
    """``onex.updateNode`` ``{uri}``: apply the update on the server side."""
    uri = argument.get("uri") if isinstance(argument, dict) else argument
    update = await _computed(ls, str(uri)) if isinstance(uri, str) else None
    if update is None:
        return {"written": [], "conflicts": []}
    root = Path(update.root)
    try:
        await asyncio.to_thread(apply_update, root, update)
    except (UnsafePathError, OSError) as exc:
        ls.notify_user(lsp.MessageType.Error, f"Node not updated: {exc}")
        return {"written": [], "conflicts": []}
    conflicts = [f"{root / path}:{line + 1}" for path, line in update.conflicts()]
    if conflicts:
        ls.notify_user(
            lsp.MessageType.Warning,
            f"Node updated with {len(conflicts)} conflict(s) to resolve: {', '.join(conflicts)}",
        )
    publish_all(ls)
    log.info("updated %s: %d file(s)", root / update.package, len(update.changes))
    return {
        "written": [str(root / c.path) for c in update.changes],
        "removed": [str(root / p) for p in update.removals()],
        "conflicts": conflicts,
    }


def apply_update(root: Path, update: NodeUpdate) -> None:
    """Blocking: write every changed file and the record (each atomically), then remove
    what moved or is no longer generated."""
    write_tree(root, update.writes(), overwrite=True)
    for rel in update.removals():
        confined_path(root, rel).unlink(missing_ok=True)


_ANNOTATIONS = {
    "create": ("Create the files the contract now needs", False),
    "merge": ("Merge the contract's changes into your files", True),
    "move": ("Move a renamed operation's handler, with your edits", True),
    "delete": ("Delete generated files you never edited that the contract no longer needs", True),
    "record": ("Update the generation record", False),
}


def _line_edits(
    old: str, new: str, annotation: str | None
) -> list[lsp.TextEdit | lsp.AnnotatedTextEdit]:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    edits: list[lsp.TextEdit | lsp.AnnotatedTextEdit] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        edit = lines_edit(i1, i2, "".join(b[j1:j2]))
        if annotation is None:
            edits.append(edit)
        else:
            edits.append(
                lsp.AnnotatedTextEdit(
                    range=edit.range, new_text=edit.new_text, annotation_id=annotation
                )
            )
    return edits


class _EditBuilder:
    """Document changes, each tagged with the change annotation it belongs to."""

    def __init__(self, root: Path, annotate: bool) -> None:
        self.root = root
        self.annotate = annotate
        self.used: set[str] = set()
        self.changes: list[lsp.TextDocumentEdit | lsp.CreateFile | lsp.RenameFile | lsp.DeleteFile]
        self.changes = []

    def tag(self, name: str) -> str | None:
        self.used.add(name)
        return name if self.annotate else None

    def uri(self, rel: str) -> str:
        return path_to_uri(self.root / rel)

    def edit(self, rel: str, old: str, new: str, annotation: str) -> None:
        document = lsp.OptionalVersionedTextDocumentIdentifier(uri=self.uri(rel), version=None)
        edits = _line_edits(old, new, self.tag(annotation))
        self.changes.append(lsp.TextDocumentEdit(text_document=document, edits=edits))

    def create(self, rel: str, text: str, annotation: str) -> None:
        options = lsp.CreateFileOptions(overwrite=False, ignore_if_exists=False)
        self.changes.append(
            lsp.CreateFile(uri=self.uri(rel), options=options, annotation_id=self.tag(annotation))
        )
        self.edit(rel, "", text, annotation)

    def annotations(self, conflicts: int) -> dict[str, lsp.ChangeAnnotation] | None:
        if not self.annotate:
            return None
        described = f"{conflicts} conflict(s) marked in your files" if conflicts else None
        return {
            key: lsp.ChangeAnnotation(
                label=label, needs_confirmation=confirm, description=described
            )
            for key, (label, confirm) in _ANNOTATIONS.items()
            if key in self.used
        }


def update_edit(update: NodeUpdate, annotate: bool) -> lsp.WorkspaceEdit:
    """The update as one edit: creates, moves, merges, the record, deletes."""
    build = _EditBuilder(Path(update.root), annotate)
    for change in update.changes:
        if change.moved_from is not None:
            build.changes.append(
                lsp.RenameFile(
                    old_uri=build.uri(change.moved_from), new_uri=build.uri(change.path),
                    annotation_id=build.tag("move"),
                )
            )  # fmt: skip
            build.edit(change.path, change.moved_text, change.new, "move")
        elif change.old is None:
            build.create(change.path, change.new, "create")
        else:
            build.edit(change.path, change.old, change.new, "merge")
    if update.record_old is None:
        build.create(update.record_path, update.record_text, "record")
    else:
        build.edit(update.record_path, update.record_old, update.record_text, "record")
    for rel, _ in update.deletes:
        build.changes.append(lsp.DeleteFile(uri=build.uri(rel), annotation_id=build.tag("delete")))
    return lsp.WorkspaceEdit(
        document_changes=build.changes,
        change_annotations=build.annotations(len(update.conflicts())),
    )
