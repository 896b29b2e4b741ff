#!/usr/bin/env bash
# Installs what tests/editors/test_vscode.py needs to drive a real VS Code headless:
#   - Debian packages: chromium, ripgrep, libkrb5-dev (+ build tools for the native modules),
#     and neovim (Debian's 0.7.2, for the plugin's "too old" test)
#   - code-server 4.100.3 (VS Code 1.100.3) and playwright-core into $ONEX_VSCODE_CACHE
#     (default: <repo>/.cache/code-server)
# Idempotent: each step is skipped when its result is already present.
# Usage: scripts/install_vscode_test_deps.sh        (as root for the apt step)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${ONEX_VSCODE_CACHE:-$ROOT/.cache/code-server}"
CODE_SERVER_VERSION="4.100.3"
PLAYWRIGHT_VERSION="1.65.1"
CS="$CACHE/node_modules/code-server"
STAMP="$CACHE/.installed-$CODE_SERVER_VERSION"

log() { printf '[install_vscode_test_deps] %s\n' "$*"; }

# 1. apt packages
missing=()
for pkg in chromium ripgrep libkrb5-dev build-essential python3 neovim; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]]; then
        log "apt-get install ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        log "sudo apt-get install ${missing[*]}"
        sudo apt-get update -qq
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        log "missing Debian packages (run as root): ${missing[*]}" >&2
        exit 1
    fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
    log "Node >= 20 is required (found $(node --version))" >&2
    exit 1
fi

mkdir -p "$CACHE"
cd "$CACHE"
[[ -f package.json ]] || echo '{"name": "onex-vscode-test-cache", "private": true}' >package.json

# 2. code-server (the recipe in /work/shared/ENVIRONMENT.md: a plain install fails)
if [[ ! -f "$STAMP" ]]; then
    log "installing code-server@$CODE_SERVER_VERSION into $CACHE"
    npm_config_unsafe_perm=true npm install --no-audit --no-fund --ignore-scripts \
        "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"
    (
        cd "$CS/lib/vscode"
        npm install --no-audit --no-fund --omit=dev --ignore-scripts
        mkdir -p node_modules/@vscode/ripgrep/bin
        cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
        # node-pty's post-install may exit 1 after building; the .node files are what matter
        npm rebuild kerberos node-pty native-watchdog @vscode/spdlog @vscode/deviceid || true
        ls node_modules/node-pty/build/Release/pty.node >/dev/null
        ln -sfn node_modules node_modules.asar
        ln -sf code-linux.sh bin/remote-cli/code-server
        ln -sf browser-linux.sh bin/helpers/browser.sh
    )
    # argon2 is hoisted next to code-server when installed as a dependency
    if [[ -d "$CS/node_modules/argon2" ]]; then (cd "$CS" && npm rebuild argon2); else npm rebuild argon2; fi
    touch "$STAMP"
else
    log "code-server@$CODE_SERVER_VERSION already installed in $CACHE"
fi

# 3. playwright-core (drives Debian's chromium; no browser download)
if [[ ! -d "$CACHE/node_modules/playwright-core" ]]; then
    npm install --no-audit --no-fund --ignore-scripts "playwright-core@$PLAYWRIGHT_VERSION"
fi

touch "$CACHE/config.yaml"  # an empty config: do not write ~/.config/code-server
version=$(node "$CS/out/node/entry.js" --config "$CACHE/config.yaml" --version) || { log "code-server does not start; delete $CACHE and retry" >&2; exit 1; }
log "ok: code-server $version in $CS"
