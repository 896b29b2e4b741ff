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
