// The `onex` settings: VS Code configuration -> the JSON the server reads.
// Pure (no `vscode` import) so it is unit-tested with node's test runner.

/** The part of vscode.WorkspaceConfiguration this module needs. */
export interface ConfigurationLike {
    get<T>(section: string): T | undefined;
}

export const SECTION = 'onex';

/** `onex.embedder` values, as in package.json: MiniLM on ONNX Runtime (the default), the
 * same vectors through sentence-transformers, or the lexical fallback. */
export const EMBEDDERS: readonly string[] = ['minilm', 'sentence-transformers', 'hashing'];

/** Keys the extension owns; the server would report them as unknown. */
export const CLIENT_ONLY_KEYS = ['interpreter', 'trace.server'] as const;

/** Every server setting (dotted, under `onex.`) with its default, as in package.json. */
export const SERVER_DEFAULTS: Readonly<Record<string, unknown>> = {
    threshold: 0.7,
    'actions.generateNode': true,
    'actions.addHandler': true,
    'actions.insertPattern': true,
    learning: true,
    embedder: 'minilm',
    validationInterpreter: '',
    notificationLevel: 'warning',
    diagnosticsDelayMs: 300,
    'store.path': '',
    'store.url': '',
    'store.apiKey': '',
    'store.perWorkspace': false,
    'feedback.checkpoints': [30, 120, 300, 600],
    'feedback.storeCode': true,
    'feedback.tickSeconds': 5,
};

export type ServerSettings = Record<string, unknown>;

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
    const parts = dotted.split('.');
    const leaf = parts.pop() ?? dotted;
    let node = target;
    for (const part of parts) {
        const next = node[part];
        if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
            node = next as Record<string, unknown>;
        } else {
            const created: Record<string, unknown> = {};
            node[part] = created;
            node = created;
        }
    }
    node[leaf] = value;
}

/**
 * The `onex` section as the server wants it: nested camelCase objects, only the keys it
 * knows (never `interpreter`/`trace`), every key present so a cleared setting resets the
 * server's value. Paths get `~` and `${workspaceFolder}` expanded.
 */
export function toServerSettings(
    config: ConfigurationLike,
    expand: (value: string) => string = (value) => value,
): ServerSettings {
    const result: ServerSettings = {};
    for (const [key, fallback] of Object.entries(SERVER_DEFAULTS)) {
        let value = config.get<unknown>(key);
        if (value === undefined || value === null) {
            value = fallback;
        }
        if (typeof value === 'string' && (key === 'store.path' || key === 'validationInterpreter')) {
            value = value.trim() === '' ? '' : expand(value.trim());
        }
        setPath(result, key, value);
    }
    return result;
}

/** `initializationOptions` for the server: `{"onex": {...}}`. */
export function initializationOptions(
    config: ConfigurationLike,
    expand?: (value: string) => string,
): { onex: ServerSettings } {
    return { onex: toServerSettings(config, expand) };
}

/** Which kind of change a configuration event is, for the extension's restart loop. */
export function changeNeedsRestart(affects: (section: string) => boolean): boolean {
    return affects(`${SECTION}.interpreter`);
}
