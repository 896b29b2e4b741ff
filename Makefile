# Two commands a newcomer needs:  make demo   and   make test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT := out

.PHONY: demo test venv framework-venv editor-deps vscode-ext lint clean

PIP := $(BIN)/pip install --quiet --disable-pip-version-check

# torch first, so that sentence-transformers does not pull a multi-GB CUDA build. Where pip
# is not configured with a CPU wheel of it, name PyTorch's CPU wheel index (see README):
#   make venv TORCH_INDEX="--index-url <PyTorch's CPU wheel index>"
TORCH_INDEX ?=
$(BIN)/onex-lsp: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "onex-lsp needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) torch==2.13.0 $(TORCH_INDEX)
	$(PIP) -e '.[dev,sentence-transformers]'
	@touch $@

venv: $(BIN)/onex-lsp

framework-venv: venv
	$(BIN)/python scripts/framework_venv.py

# 1. Generate a node package from every bundled example contract and run each
#    package's own tests against the real omnibase-core in a Python 3.12 venv.
# 2. The learning loop through a real LSP session: generate, edit a handler, save
#    (the server learns it), generate a second contract with the learned block,
#    print the pattern library's stats. Its data stays in out/loop/.
demo: framework-venv
	rm -rf $(OUT) && mkdir -p $(OUT)
	for contract in examples/contracts/*.yaml; do \
		$(BIN)/onex-lsp generate "$$contract" --out $(OUT) || exit 1; echo; \
	done
	cd $(OUT) && ../.venv312/bin/python -m pytest -q -p no:cacheprovider node_*
	$(BIN)/python scripts/demo_loop.py $(OUT)

# Debian packages (chromium, ripgrep, neovim...) and code-server for the real-editor tests.
# Outside CI a failure here (no root) only means those tests are skipped, with a reason.
editor-deps:
	scripts/install_vscode_test_deps.sh || [ -z "$$CI" ]

# The VS Code extension: lint, unit tests, and the .vsix the real-editor test installs.
vscode-ext:
	cd editors/vscode && npm ci --no-audit --no-fund && npm run lint && npm test && npm run package

test: venv framework-venv editor-deps vscode-ext
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check server tests scripts bench
	$(BIN)/ruff format --check server tests scripts bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .venv312 $(OUT) build *.egg-info
