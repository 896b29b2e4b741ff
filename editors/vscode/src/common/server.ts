// Start and stop the onex-lsp language server (`<python> -m onex_lsp serve`, stdio).
import * as vscode from 'vscode';
import {
    type ClientCapabilities,
    DidChangeConfigurationNotification,
    type FeatureState,
    LanguageClient,
    type LanguageClientOptions,
    RevealOutputChannelOn,
    type ServerOptions,
    State,
    type StaticFeature,
} from 'vscode-languageclient/node';
import { GENERATED_NOTIFICATION, type Generated, GeneratedNotificationFeature, showGenerated } from './generated';
import { variables } from './interpreter';
import { expandVariables, pythonArgs, SERVER_ARGS } from './python';
import { SECTION, toServerSettings } from './settings';
import { STATUS_NOTIFICATION } from './status';
import type { StatusBar } from './statusBar';

const CLIENT_ID = 'onex';
/** Commands VS Code runs itself that the server may put in an action (the "More patterns
 * (other verbs)…" entry opens the code-action menu for one kind), announced the way
 * rust-analyzer's clients do: `experimental.commands.commands`. */
const CLIENT_COMMANDS = ['editor.action.codeAction'];

class ClientCommands implements StaticFeature {
    fillClientCapabilities(capabilities: ClientCapabilities): void {
        const experimental = (capabilities.experimental ?? {}) as Record<string, unknown>;
        capabilities.experimental = { ...experimental, commands: { commands: CLIENT_COMMANDS } };
    }
    initialize(): void {}
    getState(): FeatureState {
        return { kind: 'static' };
    }
    clear(): void {}
}
const CLIENT_NAME = 'ONEX Language Server';

/** Contracts (as package.json's activation events and menus name them) and the handler
 * modules of node packages: the server never sees other YAML files. */
export const DOCUMENT_SELECTOR = [
    { scheme: 'file', language: 'yaml', pattern: '**/contract.{yaml,yml}' },
    { scheme: 'file', language: 'yaml', pattern: '**/contracts/*.{yaml,yml}' },
    { scheme: 'file', language: 'python', pattern: '**/node_*/**/*.py' },
];

/** The `onex` section for a scope, as the server reads it. */
export function serverSettings(scope?: vscode.Uri): Record<string, unknown> {
    const folder = scope ? vscode.workspace.getWorkspaceFolder(scope) : vscode.workspace.workspaceFolders?.[0];
    const vars = variables(folder);
    return toServerSettings(vscode.workspace.getConfiguration(SECTION, scope ?? folder?.uri), (value) =>
        expandVariables(value, vars),
    );
}

export async function startServer(options: {
    python: string;
    channel: vscode.OutputChannel;
    status: StatusBar;
}): Promise<LanguageClient> {
    const { python, channel, status } = options;
    const folder = vscode.workspace.workspaceFolders?.[0];
    const serverOptions: ServerOptions = {
        command: python,
        args: pythonArgs(SERVER_ARGS, vscode.workspace.isTrusted),
        options: {
            cwd: folder?.uri.fsPath,
            env: { ...process.env, PYTHONUTF8: '1', PYTHONUNBUFFERED: '1' },
        },
    };
    const clientOptions: LanguageClientOptions = {
        documentSelector: DOCUMENT_SELECTOR,
        outputChannel: channel,
        traceOutputChannel: channel,
        revealOutputChannelOn: RevealOutputChannelOn.Never,
        initializationOptions: { [SECTION]: serverSettings(folder?.uri) },
        middleware: {
            workspace: {
                // The server asks for the `onex` section: answer with the keys it knows.
                configuration: async (params, token, next) => {
                    const answer = await next(params, token);
                    if (!Array.isArray(answer)) {
                        return answer;
                    }
                    return answer.map((value: unknown, index) => {
                        const item = params.items[index];
                        if (item?.section !== SECTION) {
                            return value;
                        }
                        return serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined);
                    });
                },
            },
            // The status item shows the server's long work (onex/status): no second item
            // from VS Code's own progress display.
            handleWorkDoneProgress: () => undefined,
        },
    };
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    client.registerFeature(new ClientCommands());
    client.registerFeature(new GeneratedNotificationFeature());
    client.onNotification(GENERATED_NOTIFICATION, (params: Generated) => {
        void showGenerated(params);
    });
    client.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
        status.update((model) => model.serverStatus(params));
    });
    client.onDidChangeState((event) => {
        if (event.newState === State.Running) {
            status.update((model) => model.running());
        } else if (event.newState === State.Starting) {
            status.update((model) => model.starting());
        } else {
            status.update((model) => model.stopped());
        }
    });
    await client.start();
    return client;
}

/** Push changed settings (the server overlays them on its initial ones). */
export async function sendSettings(client: LanguageClient): Promise<void> {
    if (client.state !== State.Running) {
        return;
    }
    await client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { [SECTION]: serverSettings() },
    });
}

export async function stopServer(client: LanguageClient | undefined): Promise<void> {
    if (!client) {
        return;
    }
    await client.dispose(3000).catch(() => undefined);
}
