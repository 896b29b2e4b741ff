// The "ONEX" output channel: the server's log (window/logMessage), the LSP trace, and
// the extension's own lines.
import * as vscode from 'vscode';

const CHANNEL_NAME = 'ONEX';

let channel: vscode.OutputChannel | undefined;

export function createOutputChannel(): vscode.OutputChannel {
    channel ??= vscode.window.createOutputChannel(CHANNEL_NAME);
    return channel;
}

function stamp(level: string, message: string): string {
    return `[${level.padEnd(5)} - ${new Date().toLocaleTimeString()}] ${message}`;
}

export function traceInfo(message: string): void {
    channel?.appendLine(stamp('Ext', message));
}

export function traceError(message: string, error?: unknown): void {
    const detail =
        error instanceof Error ? `: ${error.message}` : error !== undefined ? `: ${JSON.stringify(error)}` : '';
    channel?.appendLine(stamp('Error', message + detail));
}

/**
 * The channel as the language client sees it: every line still goes to the real channel,
 * and each line is also handed to `observe` (the status bar watches the server's log).
 */
export function observedChannel(
    target: vscode.OutputChannel,
    observe: (line: string) => void,
): vscode.OutputChannel {
    return new Proxy(target, {
        get(object, property, receiver) {
            const value: unknown = Reflect.get(object, property, receiver);
            if (typeof value !== 'function') {
                return value;
            }
            const method = value as (...args: unknown[]) => unknown;
            if (property === 'appendLine' || property === 'append') {
                return (text: string) => {
                    try {
                        observe(text);
                    } catch {
                        // the status bar must never break logging
                    }
                    return method.call(object, text);
                };
            }
            return method.bind(object);
        },
    });
}
