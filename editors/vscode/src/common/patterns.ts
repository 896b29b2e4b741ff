// `python -m onex_lsp patterns ...` arguments for "ONEX: Show Pattern Library". Pure.
import * as path from 'node:path';
import type { ServerSettings } from './settings';

function section(settings: ServerSettings, name: string): Record<string, unknown> {
    const value = settings[name];
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** The library options the server would use, as CLI flags (before the action). */
export function patternLibraryArgs(
    settings: ServerSettings,
    action: 'list' | 'stats',
    workspaceFolder?: string,
): string[] {
    const args = ['-m', 'onex_lsp', 'patterns'];
    const store = section(settings, 'store');
    if (store.perWorkspace === true && workspaceFolder) {
        args.push('--data-dir', path.join(workspaceFolder, '.onex-lsp'));
    } else if (typeof store.path === 'string' && store.path !== '') {
        args.push('--data-dir', store.path);
    }
    if (typeof store.url === 'string' && store.url !== '') {
        args.push('--store-url', store.url);
    }
    // Any value goes to the CLI, which knows the embedders (and names a wrong one).
    if (typeof settings.embedder === 'string' && settings.embedder !== '') {
        args.push('--embedder', settings.embedder);
    }
    args.push(action);
    return args;
}
