"""A real VS Code: code-server 4.100.3 (VS Code 1.100.3) in headless Chromium.

The .vsix built from editors/vscode is installed into a fresh profile; Playwright
(tests/editors/vscode_generate.mjs) opens the example contract from the explorer, waits
for the status bar's "ONEX: ready", presses Ctrl+Alt+G (``source.onex.generateNode``),
saves all, and the node package must be on disk exactly as the generator plans it.
A second run points ``onex.interpreter`` at a Python without onex-lsp and expects one
error with the install command. scripts/install_vscode_test_deps.sh installs
code-server, Chromium and playwright-core.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import plan_package
from tests.conftest import ROOT, recorded_files

HERE = Path(__file__).parent
EXAMPLE = ROOT / "examples" / "contracts" / "user_management_effect.yaml"
EXTENSION = ROOT / "editors" / "vscode"
CACHE = Path(os.environ.get("ONEX_VSCODE_CACHE", ROOT / ".cache" / "code-server"))
CODE_SERVER = CACHE / "node_modules" / "code-server" / "out" / "node" / "entry.js"
PLAYWRIGHT = CACHE / "node_modules" / "playwright-core"
SCREENSHOT = EXTENSION / "images" / "code-action.png"
CONTRACT = "contract.yaml"  # the extension activates on contract files only
SUMMARY = "17 files, 5 handlers: 5 CRUD"
QUIET_SETTINGS = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "security.workspace.trust.enabled": False,
    "extensions.ignoreRecommendations": True,
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "files.autoSave": "off",
}


def missing(what: str) -> None:
    hint = f"{what}: run scripts/install_vscode_test_deps.sh"
    if os.environ.get("CI"):
        pytest.fail(hint)
    pytest.skip(hint)


@dataclass(frozen=True)
class Tools:
    node: str
    chromium: str
    vsix: Path


@pytest.fixture(scope="module")
def tools() -> Tools:
    """node, Chromium, code-server and playwright-core, and the freshly packaged .vsix."""
    node = shutil.which("node")
    chromium = os.environ.get("ONEX_CHROMIUM") or shutil.which("chromium")
    if node is None or chromium is None:
        missing("node or chromium is not installed")
    if not CODE_SERVER.is_file() or not PLAYWRIGHT.is_dir():
        missing(f"code-server or playwright-core is not installed in {CACHE}")
    assert node is not None and chromium is not None
    given = os.environ.get("ONEX_VSIX")
    if given:
        return Tools(node, chromium, Path(given))
    if not (EXTENSION / "node_modules").is_dir():
        missing("editors/vscode has no node_modules (npm ci there)")
    built = subprocess.run(
        ["npm", "run", "--silent", "package"],
        cwd=EXTENSION,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return Tools(node, chromium, EXTENSION / "onex-lsp-vscode.vsix")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"code-server exited ({proc.returncode}):\n{log.read_text()}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/healthz", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"code-server was not ready in 60 s:\n{log.read_text()}")


def kill_group(proc: subprocess.Popen[bytes] | None) -> None:
    """Kill a process started with ``start_new_session`` and everything it started."""
    if proc is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    # children that outlive code-server (extension host, the language server)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


SEED_EXAMPLE = ROOT / "examples" / "contracts" / "customer_records_effect.yaml"


def _learn_a_package(tmp_path: Path) -> None:
    """``onex-lsp generate`` a package outside the workspace and ``onex-lsp learn`` it into
    the data directory the editor's server uses (default embedder)."""
    seed = tmp_path / "seed"
    cli = [sys.executable, "-m", "onex_lsp"]
    data = ["--data-dir", str(tmp_path / "onex-data")]
    for command in (
        [*cli, "generate", str(SEED_EXAMPLE), "--out", str(seed)],
        [*cli, "learn", "--yes", *data, str(seed)],
    ):
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr


def run_vscode(
    tools: Tools,
    tmp_path: Path,
    settings: dict[str, Any],
    env: dict[str, str],
    files: dict[str, str] | None = None,
    timeout: float = 150,
    seed: bool = False,
) -> tuple[dict[str, Any], str, Path]:
    """Install the .vsix in a fresh profile, start code-server on a workspace holding
    ``files`` (default: the example contract as ``contract.yaml``), run the Playwright
    driver; (its result, a report, the workspace)."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    for name, text in (files or {CONTRACT: EXAMPLE.read_text()}).items():
        (workspace / name).write_text(text)
    if seed:  # a learned store: the pattern library view shows real data
        _learn_a_package(tmp_path)
    user_data, extensions = tmp_path / "user-data", tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    (user_data / "User" / "settings.json").write_text(json.dumps({**QUIET_SETTINGS, **settings}))
    config = tmp_path / "code-server.yaml"
    config.write_text("")
    base = [tools.node, str(CODE_SERVER), "--config", str(config)]
    base += ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    env = {**os.environ, "ONEX_LSP_DATA_DIR": str(tmp_path / "onex-data"), **env}
    installed = subprocess.run(
        [*base, "--install-extension", str(tools.vsix)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert any(p.name.startswith("onex.onex-lsp-vscode-") for p in extensions.iterdir())

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "code-server.log"
    server: subprocess.Popen[bytes] | None = None
    driver: subprocess.Popen[bytes] | None = None
    out = err = b""
    with log.open("wb") as log_file:
        try:
            server = subprocess.Popen(
                [
                    *base,
                    *("--auth", "none", "--bind-addr", f"127.0.0.1:{port}"),
                    *("--disable-telemetry", "--disable-update-check", "--disable-workspace-trust"),
                    str(workspace),
                ],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
            wait_healthy(url, server, log)
            driver = subprocess.Popen(
                [tools.node, str(HERE / "vscode_generate.mjs")],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                env={
                    **env,
                    "ONEX_VSCODE_URL": url,
                    "ONEX_WORKSPACE": str(workspace),
                    "ONEX_CHROMIUM": tools.chromium,
                    "ONEX_PLAYWRIGHT": str(PLAYWRIGHT),
                    "ONEX_CONTRACT": next(iter(files)) if files else CONTRACT,
                    "ONEX_FAILURE_SCREENSHOT": str(tmp_path / "failure.png"),
                },
                start_new_session=True,
            )
            try:
                out, err = driver.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                kill_group(driver)
                out, err = driver.communicate()
        finally:
            kill_group(driver)
            kill_group(server)
    lines = out.decode().strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1]) if lines else {"ok": False}
    report = (
        f"{json.dumps(result, indent=2)}\n--- driver ---\n{err.decode()}"
        f"\n--- code-server ---\n{log.read_text()}"
    )
    return result, report, workspace


def _expected_files() -> tuple[str, dict[str, str], list[str]]:
    contract = load_contract(EXAMPLE.read_text(), str(EXAMPLE)).contract
    assert contract is not None
    generated = plan_package(contract, Location(Path("/w") / CONTRACT, Path("/w")))
    name = generated.plan.package.name
    expected = [f"{name}/node.py", f"{name}/handlers/handler_create_user.py"]
    return name, recorded_files(generated), expected


def _check_generated(
    result: dict[str, Any], report: str, workspace: Path, learned: bool = False
) -> None:
    """The package on disk is the planned one; with a learned store (``learned``) its
    handlers may be learned blocks, so only its files are compared, not their text."""
    name, planned, expected = _expected_files()
    assert result["ok"], report
    assert any("Generate" in line for line in result.get("menu", [])), report
    assert result["lens"] == "Generate node", report
    assert any("Generate EFFECT node" in line for line in result["ctrlDot"]), report
    assert any(SUMMARY in line for line in result["summary"]), report
    assert result["openedNode"], report
    assert result["statusItems"] == 1, report
    package = workspace / name
    written = {
        p.relative_to(package).as_posix(): p.read_text() for p in package.rglob("*") if p.is_file()
    }
    if learned:
        assert written.keys() == planned.keys(), report
    else:
        assert written == planned, report
    for rel in expected:
        assert (workspace / rel).read_text().strip(), rel


@pytest.mark.editor
def test_vscode_generates_the_node_package(tools: Tools, tmp_path: Path) -> None:
    """With the default embedder; the lens and the Ctrl+. menu offer generate."""
    _, _, expected = _expected_files()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    result, report, workspace = run_vscode(
        tools,
        tmp_path,
        {"onex.interpreter": sys.executable},
        {
            "ONEX_EXPECT": ",".join(expected),
            "ONEX_SCREENSHOT": str(SCREENSHOT),
            "ONEX_SHOTS_DIR": str(SCREENSHOT.parent),
            "ONEX_LIBRARY": "1",
        },
        seed=True,
    )
    _check_generated(result, report, workspace, learned=True)
    # the pattern library view, from the server's onex/patternLibrary: the learned store
    assert result["library"].startswith("Learned blocks ("), report
    assert any("_customer" in row for row in result["libraryRows"]), report


def _system_python_path(tmp_path: Path) -> str:
    """A PATH whose only Python is the system's (no pyenv, no venv with onex-lsp)."""
    system = Path("/usr/bin/python3")
    if not system.exists():
        pytest.skip("no system Python at /usr/bin/python3")
    version = subprocess.run(
        [str(system), "-c", "import sys, venv; print(sys.version_info >= (3, 11))"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if version.stdout.strip() != "True":
        pytest.skip("the system Python is not 3.11+ with venv")
    probe = subprocess.run([str(system), "-c", "import onex_lsp"], capture_output=True, timeout=30)
    assert probe.returncode != 0, "the system Python must not have onex-lsp for this test"
    return "/usr/bin:/bin"


@pytest.mark.editor
def test_vscode_provisions_the_server_with_only_a_system_python(
    tools: Tools, tmp_path: Path
) -> None:
    """No onex.interpreter, no Python extension: the extension makes its own environment
    from the wheel in the .vsix, then generates as usual (default embedder)."""
    _, _, expected = _expected_files()
    result, report, workspace = run_vscode(
        tools,
        tmp_path,
        {},
        {
            "PATH": _system_python_path(tmp_path),
            "ONEX_EXPECT": ",".join(expected),
            "ONEX_READY_TIMEOUT_MS": "600000",
        },
        timeout=900,
    )
    _check_generated(result, report, workspace)
    storage = tmp_path / "user-data" / "User" / "globalStorage" / "onex.onex-lsp-vscode"
    assert (storage / "server-venv" / "bin" / "python").exists(), report
    # with the fp32 extra and weights: the default embedder's fp32 model, not the int8 one
    model = subprocess.run(
        [
            str(storage / "server-venv" / "bin" / "python"),
            "-c",
            "from onex_lsp.learning.embeddings.minilm import installed_model_id; "
            "print(installed_model_id())",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert model.stdout.strip() == "minilm-l6-v2-384", model.stdout + model.stderr


@pytest.mark.editor
def test_vscode_stays_inactive_without_contracts(tools: Tools, tmp_path: Path) -> None:
    result, report, _ = run_vscode(
        tools,
        tmp_path,
        {"onex.interpreter": sys.executable},
        {"ONEX_MODE": "inactive"},
        files={"config.yaml": "services:\n  web: {image: nginx}\n"},
    )
    assert result["ok"], report
    assert result["statusItems"] == 0, report


@pytest.mark.editor
def test_vscode_reports_a_missing_server_once(tools: Tools, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True, timeout=120
    )
    python = bare / "bin" / "python"
    result, report, _ = run_vscode(
        tools, tmp_path, {"onex.interpreter": str(python)}, {"ONEX_MODE": "missing-server"}
    )
    assert result["ok"], report
    assert "ONEX: error" in result["status"], report
    errors = [n for n in result["notifications"] if "onex-lsp" in n]
    assert len(errors) == 1, report
    # the exact command: the wheel the .vsix carries (no package index has onex-lsp)
    wheel = next((tmp_path / "extensions").glob("onex.onex-lsp-vscode-*/server/onex_lsp-*.whl"))
    assert f"{python} -m pip install --upgrade {wheel}" in errors[0], report
    assert "torch==" not in errors[0], report  # the default MiniLM embedder needs no torch


REPORT_SHOT = EXTENSION / "images" / "pattern-report.png"
QUICK_FIX_SHOT = EXTENSION / "images" / "quick-fix.png"


def _live_blocks(data: Path) -> int:
    listed = subprocess.run(
        [sys.executable, "-m", "onex_lsp", "patterns", "--data-dir", str(data), "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    return len(listed.stdout.splitlines()) - 1  # a header line


@pytest.mark.editor
def test_vscode_pattern_report_forget_and_show_files(tools: Tools, tmp_path: Path) -> None:
    """Over a learned store, default embedder: after generating, "Show files" lists the
    package; "Show Detected Patterns" is a read-only Markdown document; "Show Pattern
    Report" is a webview with the server's charts; "Forget…" in the pattern library view's
    context menu asks, forgets one block in the journal and refreshes the view."""
    _, _, expected = _expected_files()
    settings = {
        "onex.interpreter": sys.executable,
        "onex.feedback.checkpoints": [1, 2],  # outcomes within seconds, for the report
        "onex.feedback.tickSeconds": 0.5,
    }
    result, report, workspace = run_vscode(
        tools,
        tmp_path,
        settings,
        {
            "ONEX_MODE": "report",
            "ONEX_EXPECT": ",".join(expected),
            "ONEX_REPORT_SHOT": str(REPORT_SHOT),
        },
        seed=True,
        timeout=300,
    )
    _check_generated(result, report, workspace, learned=True)
    assert result["shownFiles"][0].startswith("node.py"), report
    assert any("handlers/handler_create_user.py" in row for row in result["shownFiles"]), report
    assert "17 files written in node_user_management_effect" in result["filesTitle"], report

    assert result["detectedTab"].startswith("Detected patterns"), report
    assert not result["detectedDirty"] and result["untitledTabs"] == 0, report
    detected = result["detectedText"].replace("\xa0", " ")
    assert "| crud | 95% |" in detected and "{" not in detected, report

    totals = {text.split(" ", 1)[1]: int(text.split(" ", 1)[0]) for text in result["reportTotals"]}
    assert totals["applied"] >= 5, report  # the five handlers just generated
    assert totals["learned blocks"] == result["blocksBefore"], report
    assert result["reportCharts"] >= 2 and result["reportScripts"] == 0, report
    assert "builtin:crud.create" in result["reportPatterns"] or "learned" in result["reportPatterns"]

    assert "Forget the learned block" in result["forgetDialog"], report
    assert result["blocksAfter"] == result["blocksBefore"] - 1, report
    assert _live_blocks(tmp_path / "onex-data") == result["blocksAfter"], report


@pytest.mark.editor
def test_vscode_quick_fix_under_ctrl_dot(tools: Tools, tmp_path: Path) -> None:
    """Ctrl+. on an invalid handler name offers the server's quick fix; choosing it fixes
    the contract (default embedder)."""
    broken = EXAMPLE.read_text().replace("name: handle_create_user", "name: handle create user")
    assert broken != EXAMPLE.read_text()
    result, report, workspace = run_vscode(
        tools,
        tmp_path,
        {"onex.interpreter": sys.executable},
        {"ONEX_MODE": "quickfix", "ONEX_QUICKFIX_SHOT": str(QUICK_FIX_SHOT)},
        files={CONTRACT: broken},
    )
    assert result["ok"], report
    assert any("Replace with 'handle_create_user'" in row for row in result["quickFixMenu"]), report
    assert (workspace / CONTRACT).read_text() == EXAMPLE.read_text(), report
