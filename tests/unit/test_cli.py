"""The ``onex-lsp`` command line, run as users run it (a subprocess)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from onex_lsp import __version__
from tests.conftest import EXAMPLES, MINIMAL_EFFECT, ROOT


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onex_lsp", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_version_and_help(tmp_path: Path) -> None:
    assert run("--version", cwd=tmp_path).stdout.strip() == f"onex-lsp {__version__}"
    help_text = run("--help", cwd=tmp_path).stdout
    assert "generate" in help_text


def test_generate_writes_the_package_and_explains_the_patterns(tmp_path: Path) -> None:
    contract = ROOT / "examples" / "contracts" / "user_management_effect.yaml"
    proc = run("generate", str(contract), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    package = tmp_path / "out" / "node_user_management_effect"
    assert (package / "node.py").is_file()
    assert (package / "handlers" / "handler_create_user.py").is_file()
    assert (package / "contract.yaml").read_text() == contract.read_text()
    assert "pattern CRUD" in proc.stdout
    assert "create_user: verb 'create' → CRUD create" in proc.stdout
    assert f"{package}/node.py" in proc.stdout


def test_never_overwrites_your_code_without_force(tmp_path: Path) -> None:
    contract = EXAMPLES[0]
    assert run("generate", str(contract), "--out", "out", cwd=tmp_path).returncode == 0
    node = next((tmp_path / "out").glob("node_*/node.py"))
    node.write_text("ANSWER = 42  # my edits\n")
    proc = run("generate", str(contract), "--out", "out", cwd=tmp_path)
    assert proc.returncode == 1
    assert "already hold your code" in proc.stderr and "--force" in proc.stderr
    assert node.read_text() == "ANSWER = 42  # my edits\n"
    assert run("generate", str(contract), "--out", "out", "--force", cwd=tmp_path).returncode == 0
    assert "ANSWER" not in node.read_text()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    proc = run("generate", str(EXAMPLES[0]), "--dry-run", cwd=tmp_path)
    assert proc.returncode == 0
    assert "dry run" in proc.stdout
    assert list(tmp_path.iterdir()) == []


def test_bad_contract_reports_file_line_col_exits_2_and_writes_nothing(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "contract.yaml"
    bad.write_text(
        MINIMAL_EFFECT.replace("node_type: EFFECT_GENERIC", "node_type: gizmo").replace(
            "description: Manages users\n", "description: Manages users\nversion: 1\n"
        )
    )
    proc = run("generate", str(bad), cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert any(line.startswith(f"{bad}:4:1: error[deprecated-version-key]: ") for line in lines), (
        lines
    )
    assert any(
        line.startswith(f"{bad}:5:12: error[invalid-node-type]: node_type 'gizmo' is not")
        for line in lines
    ), lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contract.yaml"]


def test_unreadable_contract_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    proc = run("generate", str(tmp_path / "missing.yaml"), cwd=tmp_path)
    assert proc.returncode == 2
    assert "cannot read the contract" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_contract_inside_its_node_folder_generates_around_it(tmp_path: Path) -> None:
    folder = tmp_path / "node_user_management_effect"
    folder.mkdir()
    contract = folder / "contract.yaml"
    shutil.copy(ROOT / "examples" / "contracts" / "user_management_effect.yaml", contract)
    original = contract.read_text()
    proc = run("generate", str(contract), cwd=tmp_path / "node_user_management_effect")
    assert proc.returncode == 0, proc.stderr
    assert (folder / "node.py").is_file()
    assert contract.read_text() == original
    assert not (folder / "node_user_management_effect").exists()


def test_learn_parses_in_worker_processes_and_reports_what_it_skips(tmp_path: Path) -> None:
    tree = tmp_path / "code" / "node_shop_reducer" / "handlers"
    tree.mkdir(parents=True)
    for n in range(40):  # enough files for the process pool
        (tree / f"handler_total_{n}.py").write_text(
            f"def handle_total_{n}(request: ModelIn) -> ModelOut:\n"
            f"    if not request.items:\n        raise ValueError('empty')\n"
            f"    return ModelOut(total=sum(request.items) * {n})\n"
        )
    (tree / "broken.py").write_text("def ok():\n    return 1\n\nx = = 2\n")
    (tree / "latin1.py").write_bytes(b"name = '\xe9'\n")
    proc = run(
        "learn", "--yes", str(tmp_path / "code"), "--data-dir", str(tmp_path / "data"),
        "--embedder", "hashing", "--jobs", "2", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("learned 41 new block(s) (80 found) from 40 file(s); 2 skipped")
    assert f"{tree / 'broken.py'}:4:" in proc.stderr
    assert f"{tree / 'latin1.py'}: skipped:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_patterns_stats_has_a_row_per_family(tmp_path: Path) -> None:
    """A root block, its child and grandchild (one family), and a lone block: the family's
    members, the outcomes of any member, the superseded members and whether it is still
    preferred after the grandchild was reverted twice in a row."""
    from onex_lsp.learning.embeddings.hashing import HashingEmbedder
    from onex_lsp.learning.library import PatternLibrary
    from onex_lsp.learning.lineage import Origin
    from tests.unit.test_library import handler, path

    data = tmp_path / "data"
    library = PatternLibrary(data, HashingEmbedder())
    ids = []
    for n in range(4):  # 0 the root, 1 its child, 2 the child's child; 3 alone
        parent = [Origin(0, 10**6, f"learned:{ids[-1]}")] if n in (1, 2) else []
        (made,) = library.learn_source(handler(n), path(n), origins=parent).learned
        ids.append(made.id)
    root, child, grandchild, _ = ids
    family = f"learned:{root}"
    for pattern, outcome in [(child, "kept"), (grandchild, "reverted"), (grandchild, "reverted")]:
        library.journal.record(
            "outcome", None, {"pattern": f"learned:{pattern}", "outcome": outcome,
                              "retention": 1.0, "family": family},
        )  # fmt: skip
    library.journal.record("superseded", None, {"pattern": family, "by": f"learned:{child}"})
    library.close()

    proc = run("patterns", "--data-dir", str(data), "--embedder", "hashing", "stats", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    at = lines.index("families (a learned block and the blocks derived from it):")
    assert lines[at + 1].split() == [
        "FAMILY", "MEMBERS", "KEPT", "MODIFIED", "REVERTED", "SUPERSEDED", "PREFERRED",
    ]  # fmt: skip
    assert lines[at + 2].split() == [
        f"family:{root[:8]}", "3", "1", "0", "2", "1", "no", "(reverted", "twice", "in", "a", "row)",
    ]  # fmt: skip
    assert sum(line.startswith("family:") for line in lines) == 1  # not the lone block
