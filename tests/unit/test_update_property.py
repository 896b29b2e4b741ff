"""Property: whatever lines the user edits and however the contract changes, an update
keeps every line the user wrote (in its file, or the file it moved to; a conflict block
keeps the user's side too)."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import plan_package
from onex_lsp.generation.record import build_record, parse_record, record_path
from onex_lsp.generation.update import plan_update
from tests.update_helpers import EXAMPLE, PACKAGE, add_operation, remove_operation, rename_operation

ROOT = PurePosixPath("/workspace")
CONTRACT = ROOT / PACKAGE / "contract.yaml"
WHERE = Location(CONTRACT, ROOT)
OPERATIONS = ["create_user", "get_user", "update_user", "delete_user", "list_users"]
NEW_NAMES = ["find_user", "count_users", "search_users", "archive_user", "send_welcome"]


def _generated() -> tuple[str, dict[str, str]]:
    text = EXAMPLE.read_text()
    contract = load_contract(text, str(CONTRACT)).contract
    assert contract is not None
    generated = plan_package(contract, WHERE)
    files = dict(generated.files)
    files[record_path(generated.plan)] = build_record(generated, generated.files, 0.7)
    return text, files


TEXT, FILES = _generated()
PYTHON = sorted(p for p in FILES if p.endswith(".py"))


@st.composite
def contract_changes(draw: st.DrawFn) -> str:
    text, present = TEXT, list(OPERATIONS)
    unused = list(NEW_NAMES)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["add", "remove", "rename"]))
        if kind == "add" and unused:
            name = unused.pop(draw(st.integers(0, len(unused) - 1)))
            text, present = add_operation(text, name), [*present, name]
        elif kind == "remove" and len(present) > 1:
            name = present.pop(draw(st.integers(0, len(present) - 1)))
            text = remove_operation(text, name)
        elif kind == "rename" and unused:
            old = present[draw(st.integers(0, len(present) - 1))]
            new = unused.pop(draw(st.integers(0, len(unused) - 1)))
            text = rename_operation(text, old, new)
            present = [new if p == old else p for p in present]
    return text


@st.composite
def user_edits(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The package with random lines inserted or replaced; the user's lines per file."""
    files = dict(FILES)
    mine: dict[str, list[str]] = {}
    for n in range(draw(st.integers(1, 8))):
        path = draw(st.sampled_from(PYTHON))
        lines = files[path].splitlines(keepends=True)
        at = draw(st.integers(0, len(lines)))
        indent = draw(st.sampled_from(["", "    ", "        "]))
        line = f"{indent}# user line {n}\n"
        if draw(st.booleans()) and at < len(lines) and "# user line" not in lines[at]:
            lines[at] = line  # replaces a generated line (an earlier user line stays)
        else:
            lines.insert(at, line)
        files[path] = "".join(lines)
        mine.setdefault(path, []).append(line.rstrip("\n"))
    return files, mine


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=user_edits(), new_text=contract_changes())
def test_every_user_line_survives_an_update(
    edits: tuple[dict[str, str], dict[str, list[str]]], new_text: str
) -> None:
    files, mine = edits
    contract = load_contract(new_text, str(CONTRACT)).contract
    assert contract is not None
    record = record_path(plan_package(contract, WHERE).plan)
    update = plan_update(
        contract, WHERE, 0.7, files[record], lambda paths: {p: files.get(p) for p in paths}
    )
    after = dict(files)
    for path in update.removals():
        after.pop(path)
    after.update(update.writes())
    moved = {c.moved_from: c.path for c in update.changes if c.moved_from}
    for path, lines in mine.items():
        final = after[moved.get(path, path)]
        for line in lines:
            assert line in final.splitlines(), (path, line)
    parse_record(after[record])  # the next update has its base
