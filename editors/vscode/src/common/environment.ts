// The Python that runs the server: `onex.interpreter` when set, else the private environment
// the extension provisions from its bundled wheel (with progress in a notification).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { traceInfo } from './logging';
import { bundledWheel, provision, pythonCandidates, type ProvisionResult } from './provision';
import type { ResolvedInterpreter } from './python';

/** Serialised: two windows' restarts must not build the same environment at once. */
let pending: Promise<ProvisionResult> | undefined;

export function serverWheel(context: vscode.ExtensionContext): string | undefined {
    return bundledWheel(context.extensionPath);
}

export async function serverPython(
    context: vscode.ExtensionContext,
    interpreter: ResolvedInterpreter,
): Promise<ProvisionResult> {
    if (interpreter.source === 'setting') {
        return { kind: 'ok', python: interpreter.command, created: false };
    }
    const wheel = serverWheel(context);
    const venv = path.join(context.globalStorageUri.fsPath, 'server-venv');
    const preferred = interpreter.source === 'python-extension' ? interpreter.command : undefined;
    const candidates = pythonCandidates(process.platform, preferred);
    if (pending) {
        return pending; // another restart is preparing it already
    }
    const work = Promise.resolve(
        vscode.window.withProgress(
            { location: vscode.ProgressLocation.Window, title: 'ONEX: preparing the server' },
            (windowProgress) =>
                provision({
                    venv,
                    wheel,
                    candidates,
                    log: traceInfo,
                    step: (message) => {
                        traceInfo(`server environment: ${message}`);
                        windowProgress.report({ message });
                        void notifyOnce(message);
                    },
                }),
        ),
    );
    pending = work;
    try {
        return await work;
    } finally {
        closeNotification();
        pending = undefined;
    }
}

// The first-start install takes a minute: a notification with its steps, closed when done.
let notification: { report(message: string): void; close(): void } | undefined;

function notifyOnce(message: string): Promise<void> {
    if (notification) {
        notification.report(message);
        return Promise.resolve();
    }
    return new Promise((resolveOuter) => {
        void vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: 'ONEX: installing the language server (first start)' },
            (progress) =>
                new Promise<void>((done) => {
                    notification = {
                        report: (text) => progress.report({ message: text }),
                        close: () => {
                            notification = undefined;
                            done();
                        },
                    };
                    progress.report({ message });
                    resolveOuter();
                }),
        );
    });
}

function closeNotification(): void {
    notification?.close();
}
