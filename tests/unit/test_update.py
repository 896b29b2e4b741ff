"""``onex-lsp update``: a generated package follows its contract, keeping the user's lines."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from onex_lsp.generation.record import TEMPLATE_VERSION, parse_record, sha256
from onex_lsp.layout import GENERATION_RECORD
from tests.conftest import ROOT
from tests.update_helpers import (
    EXAMPLE,
    edit_contract,
    generated_package,
    insert_line,
    run_cli,
)

USER_LINE = "    # my audit hook: keep me"  # inside handle_create_user, after its docstring


def _update(package: Path, *args: str) -> tuple[int, str, str]:
    return run_cli("update", str(package / "contract.yaml"), *args)


def test_generate_writes_a_record_that_rebuilds_the_base(tmp_path: Path) -> None:
    package = generated_package(tmp_path)
    record = parse_record((package / GENERATION_RECORD).read_text())
    assert record.contract_text == (package / "contract.yaml").read_text()
    assert record.dialect == "strict" and record.template_version == TEMPLATE_VERSION
    assert record.operations["create_user"].block == "crud.create"
    assert record.operations["create_user"].module == "handlers/handler_create_user.py"
    assert record.files["node.py"] == (sha256((package / "node.py").read_text()), "node")
    assert record.base["node.py"] == (package / "node.py").read_text()  # the exact base


def test_nothing_changed_means_nothing_to_do(tmp_path: Path) -> None:
    package = generated_package(tmp_path)
    status, out, _ = _update(package)
    assert status == 0 and "no contract drift" in out and "nothing to change" in out


def test_added_operation_merges_cleanly_and_keeps_edits_elsewhere(tmp_path: Path) -> None:
    package = generated_package(tmp_path)
    handler = package / "handlers" / "handler_create_user.py"
    insert_line(handler, '"""Create a user record', USER_LINE)
    edit_contract(package, ("add", "find_user"))
    status, out, err = _update(package)
    assert status == 0, err
    assert "1 operation added" in out and "added: find_user" in out
    assert "conflict" not in err
    assert USER_LINE in handler.read_text()
    assert "async def handle_find_user(" in (package / "handlers/handler_find_user.py").read_text()
    node = (package / "node.py").read_text()
    assert "from .handlers.handler_find_user import handle_find_user" in node
    assert '"find_user"' in (package / "models/model_user_management_input.py").read_text()
    record = parse_record((package / GENERATION_RECORD).read_text())
    assert "find_user" in record.operations  # the record follows the update
    assert _update(package)[1].count("nothing to change") == 1  # and a second run is a no-op


def test_removed_operation_keeps_its_handler_with_a_warning(tmp_path: Path) -> None:
    package = generated_package(tmp_path)
    handler = package / "handlers" / "handler_delete_user.py"
    before = handler.read_text()
    edit_contract(package, ("remove", "delete_user"))
    status, out, _ = _update(package)
    assert status == 0 and "1 operation removed" in out
    text = handler.read_text()
    assert text.startswith("# onex-lsp update: the contract no longer has 'delete_user'")
    assert text.endswith(before)  # nothing of it is lost
    assert "handle_delete_user" not in (package / "node.py").read_text()  # no longer routed


def test_renamed_operation_moves_its_handler_with_the_users_edit(tmp_path: Path) -> None:
    package = generated_package(tmp_path)
    old = package / "handlers" / "handler_list_users.py"
    insert_line(old, "records = await repository.query(filters)", "    records.sort(key=str)")
    edit_contract(package, ("rename", "list_users", "search_users"))
    status, out, err = _update(package)
    assert status == 0, err
    assert "renamed: list_users → search_users" in out
    new = package / "handlers" / "handler_search_users.py"
    assert not old.exists()
    text = new.read_text()
    assert "async def handle_search_users(" in text and "records.sort(key=str)" in text
    assert 'operation="search_users"' in text
    assert (
        "from .handlers.handler_search_users import handle_search_users"
        in (package / "node.py").read_text()
    )


def test_changed_handler_name_and_module_carry_the_users_code(tmp_path: Path) -> None:
    package = generated_package(tmp_path)
    insert_line(package / "handlers/handler_create_user.py", '"""Create a user record', USER_LINE)
    contract = package / "contract.yaml"
    contract.write_text(
        contract.read_text()
        .replace("name: handle_create_user", "name: handle_register_user")
        .replace("handlers.handler_create_user\n", "handlers.handler_register\n")
    )
    status, out, err = _update(package)
    assert status == 0, err
    assert "handler 'create_user': handle_create_user (handlers/handler_create_user.py) → " \
        "handle_register_user (handlers/handler_register.py)" in out  # fmt: skip
    moved = (package / "handlers/handler_register.py").read_text()
    assert "async def handle_register_user(" in moved and USER_LINE in moved
    assert not (package / "handlers/handler_create_user.py").exists()
    assert "import handle_register_user" in (package / "node.py").read_text()


def test_changed_handler_class_in_the_class_layout_renames_it_in_place(tmp_path: Path) -> None:
    """A core-packaged contract: its default handler class is the node's entry point."""
    source = ROOT / "tests/fixtures/real/core/nodes/node_compliance_evidence_effect"
    package = tmp_path / source.name
    shutil.copytree(source, package)
    assert run_cli("generate", str(package / "contract.yaml"))[0] == 0
    insert_line(package / "handler.py", '"""Handles ', "    # mine")
    contract = package / "contract.yaml"
    contract.write_text(
        contract.read_text().replace(":NodeComplianceEvidenceEffect", ":NodeEvidenceWriter")
    )
    status, out, err = _update(package)
    assert status == 0 and "conflict" not in err, err
    assert "NodeComplianceEvidenceEffect (handler.py) → NodeEvidenceWriter (handler.py)" in out
    text = (package / "handler.py").read_text()
    assert "class NodeEvidenceWriter:\n" in text and "    # mine\n" in text
    assert "from .handler import NodeEvidenceWriter" in (package / "__init__.py").read_text()


def test_changed_model_path_moves_the_model_with_the_users_fields(tmp_path: Path) -> None:
    package = generated_package(tmp_path)
    model = package / "models/model_user_management_input.py"
    insert_line(model, "items: list", "    trace_id: str | None = None")
    contract = package / "contract.yaml"
    contract.write_text(
        contract.read_text().replace(
            "models.model_user_management_input.", "models.model_account_request."
        )
    )
    status, out, err = _update(package)
    assert status == 0, err
    assert "model input: models/model_user_management_input.py:ModelUserManagementInput → " \
        "models/model_account_request.py:ModelUserManagementInput" in out  # fmt: skip
    moved = (package / "models/model_account_request.py").read_text()
    assert "trace_id: str | None = None" in moved
    assert "from .models.model_account_request import" in (package / "node.py").read_text()


def test_same_region_edits_get_conflict_markers_reported_by_line(tmp_path: Path) -> None:
    package = generated_package(tmp_path)
    node = package / "node.py"
    node.write_text(
        node.read_text().replace('    "list_users",\n)', '    "list_users",  # mine\n)')
    )
    edit_contract(package, ("add", "find_user"))
    status, _, err = _update(package)
    assert status == 0
    text = node.read_text()
    start = text.index("<<<<<<< yours\n")
    block = text[start : text.index(">>>>>>> onex-lsp update", start)]
    assert '"list_users",  # mine' in block and '"find_user",' in block  # both sides kept
    line = text[:start].count("\n") + 1
    assert f"{node}:{line}:1: conflict:" in err


def test_template_upgrade_brings_new_template_lines_into_untouched_code(tmp_path: Path) -> None:
    """An older template rendered the node without a line the current one writes: the
    record holds that older base, the user edited elsewhere, the update adds the line."""
    package = generated_package(tmp_path)
    node = package / "node.py"
    current = node.read_text()
    template_line = '        """Route one request to its handler."""\n'
    older = current.replace(template_line, "")
    path = package / GENERATION_RECORD
    data = json.loads(path.read_text())
    record = parse_record(path.read_text())
    base = {**record.base, "node.py": older}
    data["template_version"] = TEMPLATE_VERSION - 1
    data["files"]["node.py"]["sha256"] = sha256(older)
    import base64
    import zlib

    data["base"] = base64.b64encode(zlib.compress(json.dumps(base).encode())).decode()
    path.write_text(json.dumps(data))
    mine = older.replace("import time\n", "import time  # mine\n")
    node.write_text(mine)
    status, out, err = _update(package)
    assert status == 0, err
    assert f"templates v{TEMPLATE_VERSION - 1} → v{TEMPLATE_VERSION}" in out
    assert node.read_text() == current.replace("import time\n", "import time  # mine\n")


def test_files_onex_lsp_never_generated_are_not_touched(tmp_path: Path) -> None:
    package = generated_package(tmp_path)
    mine = package / "handlers" / "handler_find_user.py"
    mine.write_text("async def handle_find_user(request, repository):\n    return None\n")
    edit_contract(package, ("add", "find_user"))
    status, out, _ = _update(package)
    assert status == 0
    assert "keep" in out and "onex-lsp did not generate it" in out
    assert mine.read_text().startswith("async def handle_find_user(request, repository):")


def test_without_a_record_only_additions_are_made(tmp_path: Path) -> None:
    package = generated_package(tmp_path)
    (package / GENERATION_RECORD).unlink()
    insert_line(package / "handlers/handler_create_user.py", '"""Create a user record', USER_LINE)
    edit_contract(package, ("add", "find_user"), ("remove", "delete_user"))
    status, _, err = _update(package)
    assert status == 0
    assert "no generation record" in err and "only additions" in err
    assert USER_LINE in (package / "handlers/handler_create_user.py").read_text()
    node = (package / "node.py").read_text()
    assert "handle_find_user" in node and "handle_delete_user" in node  # nothing removed
    assert (package / GENERATION_RECORD).is_file()  # the next update has an exact base


def test_dry_run_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path) -> None:
    package = generated_package(tmp_path)
    edit_contract(package, ("add", "find_user"))
    before = {p: p.read_text() for p in package.rglob("*") if p.is_file()}
    proc = subprocess.run(
        [sys.executable, "-m", "onex_lsp", "update", f"{package.name}/contract.yaml",
         "--dry-run", "--diff"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "--- /dev/null\n+++ b/node_user_management_effect/handlers/handler_find_user.py" in (
        proc.stdout
    )
    assert "+from .handlers.handler_find_user import handle_find_user" in proc.stdout
    assert "dry run: nothing written" in proc.stdout
    assert {p: p.read_text() for p in package.rglob("*") if p.is_file()} == before


def test_update_without_a_package_says_generate_first(tmp_path: Path) -> None:
    folder = tmp_path / "node_user_management_effect"
    folder.mkdir()
    contract = folder / "contract.yaml"
    contract.write_text(EXAMPLE.read_text())
    status, _, err = run_cli("update", str(contract))
    assert status == 1 and "generate it first" in err


def test_a_damaged_record_falls_back_to_additions_only(tmp_path: Path) -> None:
    package = generated_package(tmp_path)
    (package / GENERATION_RECORD).write_text("{not json")
    insert_line(package / "handlers/handler_create_user.py", '"""Create a user record', USER_LINE)
    edit_contract(package, ("add", "find_user"))
    status, _, err = _update(package)
    assert status == 0
    assert "unreadable generation record" in err and "only additions" in err
    assert USER_LINE in (package / "handlers/handler_create_user.py").read_text()
    assert "handle_find_user" in (package / "node.py").read_text()
    parse_record((package / GENERATION_RECORD).read_text())  # replaced by a good one
