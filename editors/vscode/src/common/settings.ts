// The `onex` settings: VS Code configuration -> the JSON the server reads.
// Pure (no `vscode` import) so it is unit-tested with node's test runner.
//
// The server's settings, their defaults and bounds live in one place, the server's table
// (server/onex_lsp/settings.py), from which package.json's `onex.*` entries are generated
// (scripts/editor_settings.py). So this module knows no server setting's default: it
// forwards the section as VS Code resolves it (package.json defaults filled in), less the
// keys the extension owns, with the paths in it expanded.

export const SECTION = 'onex';

/** Keys the extension owns (the server would report them as unknown). */
const CLIENT_ONLY_KEYS = ['interpreter', 'trace'];

/** Dotted keys that name a path or an executable: `~` and `${workspaceFolder}` are expanded. */
const PATH_KEYS = ['validationInterpreter', 'store.path'];

/** The `onex` section as read: `vscode.WorkspaceConfiguration` is such a dictionary. */
export type SectionLike = Readonly<Record<string, unknown>>;

export type ServerSettings = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of the JSON data in `value`: functions (a configuration's `get`, `update`...)
 * and unset (`null`) values are left out, so the server keeps its default for them. */
function jsonCopy(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(jsonCopy);
    }
    if (!isObject(value)) {
        return value;
    }
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
        if (item !== null && item !== undefined && typeof item !== 'function') {
            copy[key] = jsonCopy(item);
        }
    }
    return copy;
}

/** Replace the string at a dotted key, when there is one. */
function mapString(target: Record<string, unknown>, dotted: string, change: (value: string) => string): void {
    const parts = dotted.split('.');
    const leaf = parts.pop() ?? dotted;
    let node = target;
    for (const part of parts) {
        const next = node[part];
        if (!isObject(next)) {
            return;
        }
        node = next;
    }
    const value = node[leaf];
    if (typeof value === 'string') {
        node[leaf] = change(value);
    }
}

/**
 * The `onex` section as the server wants it: nested camelCase objects, every setting VS Code
 * knows (a cleared one comes back as its package.json default, which resets the server's
 * value), never `interpreter`/`trace`. Paths get `~` and `${workspaceFolder}` expanded.
 */
export function toServerSettings(
    section: SectionLike,
    expand: (value: string) => string = (value) => value,
): ServerSettings {
    const copy = jsonCopy(section);
    const result: ServerSettings = isObject(copy) ? copy : {};
    for (const key of CLIENT_ONLY_KEYS) {
        delete result[key];
    }
    for (const key of PATH_KEYS) {
        mapString(result, key, (value) => (value.trim() === '' ? '' : expand(value.trim())));
    }
    return result;
}

/** Which kind of change a configuration event is, for the extension's restart loop. */
export function changeNeedsRestart(affects: (section: string) => boolean): boolean {
    return affects(`${SECTION}.interpreter`);
}
