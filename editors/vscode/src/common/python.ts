// Which Python runs the server, and is the server package installed there?
// Pure node (no `vscode` import): unit-tested with node's test runner.
import { execFile } from 'node:child_process';
import * as os from 'node:os';

const MIN_SERVER_VERSION = '0.1.0';
const SERVER_MODULE = 'onex_lsp';
export const SERVER_ARGS = ['-m', SERVER_MODULE, 'serve'];

/**
 * Python's arguments, safe for an untrusted workspace when `trusted` is false: `-P` keeps the
 * working directory off `sys.path`, so a workspace's own `onex_lsp` folder cannot stand in
 * for the server (Pythons older than 3.11, which onex-lsp does not support, refuse the flag).
 */
export function pythonArgs(args: readonly string[], trusted: boolean): string[] {
    return trusted ? [...args] : ['-P', ...args];
}

type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface ResolvedInterpreter {
    command: string;
    source: InterpreterSource;
}

export interface Variables {
    workspaceFolder?: string;
    userHome?: string;
    env?: Record<string, string | undefined>;
}

/** `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~`. */
export function expandVariables(value: string, vars: Variables = {}): string {
    const home = vars.userHome ?? os.homedir();
    const env = vars.env ?? process.env;
    let out = value.replace(/\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (whole, name: string, envName?: string) => {
        if (envName !== undefined) {
            return env[envName] ?? '';
        }
        if (name === 'userHome') {
            return home;
        }
        return vars.workspaceFolder ?? whole;
    });
    if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) {
        out = home + out.slice(1);
    }
    return out;
}

/** Order: the `onex.interpreter` setting, the Python extension's environment, `python3`. */
export function resolveInterpreter(input: {
    setting?: string;
    pythonExtension?: string;
    platform?: NodeJS.Platform;
    vars?: Variables;
}): ResolvedInterpreter {
    const setting = input.setting?.trim();
    if (setting) {
        return { command: expandVariables(setting, input.vars), source: 'setting' };
    }
    const fromExtension = input.pythonExtension?.trim();
    if (fromExtension) {
        return { command: fromExtension, source: 'python-extension' };
    }
    const platform = input.platform ?? process.platform;
    return { command: platform === 'win32' ? 'python' : 'python3', source: 'default' };
}

/** -1, 0 or 1 comparing dotted numeric versions (`0.1.0`, `0.10.2rc1` reads as 0.10.2). */
export function compareVersions(a: string, b: string): number {
    const parse = (v: string): number[] => v.split('.').map((part) => Number.parseInt(part, 10) || 0);
    const left = parse(a);
    const right = parse(b);
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
        const diff = (left[i] ?? 0) - (right[i] ?? 0);
        if (diff !== 0) {
            return diff < 0 ? -1 : 1;
        }
    }
    return 0;
}

type ProbeResult =
    | { kind: 'ok'; version: string }
    | { kind: 'no-interpreter'; detail: string }
    | { kind: 'no-package'; detail: string }
    | { kind: 'too-old'; version: string }
    | { kind: 'failed'; detail: string };

/** Classify the outcome of `python -c "import onex_lsp; print(onex_lsp.__version__)"`. */
export function classifyProbe(outcome: {
    errorCode?: string | number | null;
    exitCode?: number | null;
    stdout: string;
    stderr: string;
}): ProbeResult {
    if (outcome.errorCode === 'ENOENT' || outcome.errorCode === 'EACCES') {
        return { kind: 'no-interpreter', detail: String(outcome.errorCode) };
    }
    if (outcome.exitCode !== 0) {
        const stderr = outcome.stderr.trim();
        if (/ModuleNotFoundError|No module named/.test(stderr)) {
            return { kind: 'no-package', detail: lastLine(stderr) };
        }
        return { kind: 'failed', detail: lastLine(stderr) || `exit code ${String(outcome.exitCode)}` };
    }
    const version = outcome.stdout.trim().split(/\s+/).pop() ?? '';
    if (!/^\d+(\.\d+)*/.test(version)) {
        return { kind: 'failed', detail: `unexpected version output: ${outcome.stdout.trim()}` };
    }
    if (compareVersions(version, MIN_SERVER_VERSION) < 0) {
        return { kind: 'too-old', version };
    }
    return { kind: 'ok', version };
}

function lastLine(text: string): string {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    return lines[lines.length - 1] ?? '';
}

/** Run the version probe (15 s limit); see `pythonArgs` for `trusted`. */
export function probeServer(python: string, timeoutMs = 15000, trusted = true): Promise<ProbeResult> {
    return new Promise((resolve) => {
        execFile(
            python,
            pythonArgs(['-c', `import ${SERVER_MODULE}; print(${SERVER_MODULE}.__version__)`], trusted),
            { timeout: timeoutMs, windowsHide: true },
            (error, stdout, stderr) => {
                const err = error as (NodeJS.ErrnoException & { code?: string | number }) | null;
                resolve(
                    classifyProbe({
                        errorCode: err && typeof err.code === 'string' ? err.code : null,
                        exitCode: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
                        stdout: String(stdout),
                        stderr: String(stderr),
                    }),
                );
            },
        );
    });
}

function quote(path: string): string {
    return /[\s"'$`\\]/.test(path) ? `"${path.replace(/(["\\$`])/g, '\\$1')}"` : path;
}

/** The exact command that installs (or upgrades) the server for this interpreter: from the
 * wheel bundled in the extension (no package index has onex-lsp), else from a checkout. */
export function installCommand(python: string, wheel?: string): string {
    return `${quote(python)} -m pip install --upgrade ${wheel ? quote(wheel) : '<onex-lsp source folder>'}`;
}

/** One message saying what is wrong and the exact fix; `undefined` when all is well. */
export function problemMessage(python: string, probe: ProbeResult, wheel?: string): string | undefined {
    const install = installCommand(python, wheel);
    // The default MiniLM embedder runs on ONNX Runtime: no torch to install first.
    const note = 'it includes the MiniLM embedder; no torch needed';
    switch (probe.kind) {
        case 'ok':
            return undefined;
        case 'no-interpreter':
            return `ONEX: the Python interpreter "${python}" was not found. Set "onex.interpreter" to a Python >= 3.11 and install the server there: ${install}`;
        case 'no-package':
            return `ONEX: the onex-lsp server is not installed for ${python}. Install it with: ${install}  (${note})`;
        case 'too-old':
            return `ONEX: onex-lsp ${probe.version} in ${python} is too old (>= ${MIN_SERVER_VERSION} needed). Upgrade it with: ${install}  (${note})`;
        case 'failed':
            return `ONEX: ${python} could not import onex_lsp (${probe.detail}). Reinstall it with: ${install}`;
    }
}
