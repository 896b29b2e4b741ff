"""A generated package and the contract changes the update tests make to it."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from onex_lsp.cli.generate import generate
from onex_lsp.cli.main import build_parser
from onex_lsp.cli.update import update
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "contracts" / "user_management_effect.yaml"
PACKAGE = "node_user_management_effect"


def entry(operation: str) -> str:
    """A handler_routing entry of the user_management contract."""
    return (
        f"    - operation: {operation}\n"
        "      handler:\n"
        f"        name: handle_{operation}\n"
        f"        module: {PACKAGE}.handlers.handler_{operation}\n"
    )


def add_operation(text: str, operation: str) -> str:
    return text + entry(operation)


def remove_operation(text: str, operation: str) -> str:
    assert entry(operation) in text
    return text.replace(entry(operation), "")


def rename_operation(text: str, old: str, new: str) -> str:
    return text.replace(entry(old), entry(new))


def run_cli(command: str, *args: str) -> tuple[int, str, str]:
    """``onex-lsp generate|update ...`` in this process: (status, stdout, stderr)."""
    parsed = build_parser().parse_args([command, *args])
    out, err = io.StringIO(), io.StringIO()
    status = (generate if command == "generate" else update)(parsed, out, err)
    return status, out.getvalue(), err.getvalue()


def generated_package(workspace: Path, example: Path = EXAMPLE) -> Path:
    """Generate the example's package in place in ``workspace``, as a user does."""
    folder = workspace / ("node_" + example.stem)
    folder.mkdir(parents=True)
    shutil.copy(example, folder / "contract.yaml")
    status, _, err = run_cli("generate", str(folder / "contract.yaml"))
    assert status == 0, err
    return folder


def edit_contract(package: Path, *changes: tuple[str, ...]) -> None:
    """Apply (``add``|``remove``|``rename``, names...) changes to the package's contract."""
    path = package / "contract.yaml"
    text = path.read_text()
    for change in changes:
        kind, *names = change
        if kind == "add":
            text = add_operation(text, names[0])
        elif kind == "remove":
            text = remove_operation(text, names[0])
        else:
            text = rename_operation(text, names[0], names[1])
    path.write_text(text)


def insert_line(path: Path, after: str, line: str) -> None:
    """Add the user's ``line`` after the first line containing ``after``."""
    lines = path.read_text().splitlines(keepends=True)
    index = next(i for i, text in enumerate(lines) if after in text)
    lines.insert(index + 1, line + "\n")
    path.write_text("".join(lines))
