// Activation and the restart loop (the shape of Microsoft's vscode-python-tools-extension-template).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './common/commands';
import { currentInterpreter, onPythonInterpreterChanged } from './common/interpreter';
import { serverPython, serverWheel } from './common/environment';
import { PatternLibraryView, VIEW_ID } from './common/libraryView';
import { ReadOnlyDocuments, SCHEME } from './common/readOnlyDocuments';
import { PatternReportPanel } from './common/reportView';
import { createOutputChannel, traceError, traceInfo } from './common/logging';
import { installCommand, problemMessage, probeServer } from './common/python';
import { sendSettings, startServer, stopServer } from './common/server';
import { changeNeedsRestart, SECTION } from './common/settings';
import { StatusBar } from './common/statusBar';

let client: LanguageClient | undefined;
let queue: Promise<void> = Promise.resolve();
let lastProblem: string | undefined;

async function runServer(
    context: vscode.ExtensionContext,
    channel: vscode.OutputChannel,
    status: StatusBar,
): Promise<void> {
    const previous = client;
    client = undefined;
    await stopServer(previous);
    status.update((model) => model.starting());
    const interpreter = await currentInterpreter();
    const environment = await serverPython(context, interpreter);
    if (environment.kind !== 'ok') {
        failOnce(environment.message, status, () => void showProblem(environment.message, undefined, channel));
        return;
    }
    const python = environment.python;
    const origin = interpreter.source === 'setting' ? 'onex.interpreter' : 'the extension\'s environment';
    traceInfo(`interpreter: ${python} (${origin})`);
    const probe = await probeServer(python, undefined, vscode.workspace.isTrusted);
    const wheel = serverWheel(context);
    const problem = problemMessage(python, probe, wheel);
    if (problem !== undefined) {
        failOnce(problem, status, () => void showProblem(problem, installCommand(python, wheel), channel));
        return;
    }
    lastProblem = undefined;
    const version = probe.kind === 'ok' ? probe.version : '?';
    status.update((model) => {
        model.detail = `onex-lsp ${version} on ${python}`;
    });
    try {
        client = await startServer({ python, channel, status });
        traceInfo(`server started: onex-lsp ${version}`);
    } catch (error) {
        traceError('the server failed to start', error);
        const reason = error instanceof Error ? error.message : JSON.stringify(error);
        status.update((model) => {
            model.failed(`The server failed to start: ${reason}`);
        });
    }
}

/** A problem is logged and shown in the status item every time, popped up once. */
function failOnce(problem: string, status: StatusBar, show: () => void): void {
    traceError(problem);
    status.update((model) => model.failed(problem));
    if (problem !== lastProblem) {
        lastProblem = problem;
        show();
    }
}

async function showProblem(problem: string, install: string | undefined, channel: vscode.OutputChannel): Promise<void> {
    const copy = 'Copy Install Command';
    const settings = 'Choose Interpreter';
    const actions = install ? [copy, settings, 'Show Log'] : [settings, 'Show Log'];
    const choice = await vscode.window.showErrorMessage(problem, ...actions);
    if (choice === copy && install) {
        await vscode.env.clipboard.writeText(install);
    } else if (choice === settings) {
        await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.interpreter`);
    } else if (choice === 'Show Log') {
        channel.show();
    }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const channel = createOutputChannel();
    const status = new StatusBar();
    context.subscriptions.push(channel, status);
    const manifest = context.extension.packageJSON as { version?: string };
    traceInfo(`activating ${context.extension.id} ${manifest.version ?? ''}`);

    const restart = (): Promise<void> => {
        queue = queue.then(() => runServer(context, channel, status)).catch((error: unknown) => {
            traceError('restart failed', error);
        });
        return queue;
    };

    // The pattern library view shows in workspaces where the extension is active only.
    await vscode.commands.executeCommand('setContext', 'onex.active', true);
    const library = new PatternLibraryView(() => client);
    const report = new PatternReportPanel();
    const documents = new ReadOnlyDocuments();
    context.subscriptions.push(
        library,
        report,
        documents,
        vscode.window.registerTreeDataProvider(VIEW_ID, library),
        vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
        ...registerCommands({ client: () => client, library, report, documents, restart, channel }),
        // Restricted settings (onex.interpreter, onex.store.*...) now take the workspace's values.
        vscode.workspace.onDidGrantWorkspaceTrust(() => void restart()),
        vscode.workspace.onDidChangeConfiguration(async (event) => {
            if (!event.affectsConfiguration(SECTION)) {
                return;
            }
            if (changeNeedsRestart((section) => event.affectsConfiguration(section))) {
                await restart();
                return;
            }
            if (client) {
                await sendSettings(client).catch((error: unknown) => {
                    traceError('sending settings failed', error);
                });
            }
        }),
    );
    const pythonChanged = await onPythonInterpreterChanged(() => {
        const setting = vscode.workspace.getConfiguration(SECTION).get<string>('interpreter');
        if (!setting?.trim()) {
            void restart();
        }
    });
    if (pythonChanged) {
        context.subscriptions.push(pythonChanged);
    }
    await restart();
}

export async function deactivate(): Promise<void> {
    const current = client;
    client = undefined;
    await stopServer(current);
}
