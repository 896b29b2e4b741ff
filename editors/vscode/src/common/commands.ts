// The extension's commands (the server's own commands, e.g. onex.generateNode, are
// registered by the language client under their own ids).
import * as vscode from 'vscode';
import { ExecuteCommandRequest, type LanguageClient, State } from 'vscode-languageclient/node';
import { type DetectedPatterns, detectedPatternsMarkdown } from './detectedPatterns';
import { primaryFolder } from './interpreter';
import { exportBlock, forgetBlock, showBlock } from './libraryActions';
import { traceError, traceInfo } from './logging';
import { type PatternLibraryView, SHOW_BLOCK_COMMAND, VIEW_ID } from './libraryView';
import type { ReadOnlyDocuments } from './readOnlyDocuments';
import type { PatternReportPanel } from './reportView';
import { SECTION } from './settings';

const GENERATE_NODE_KIND = 'source.onex.generateNode';

interface CommandContext {
    client(): LanguageClient | undefined;
    library: PatternLibraryView;
    report: PatternReportPanel;
    documents: ReadOnlyDocuments;
    restart(): Promise<void>;
    channel: vscode.OutputChannel;
}

function runningClient(ctx: CommandContext): LanguageClient | undefined {
    const client = ctx.client();
    if (client?.state === State.Running) {
        return client;
    }
    void vscode.window.showWarningMessage('ONEX: the language server is not running (see the ONEX output).');
    return undefined;
}

function contractUri(uri: unknown): vscode.Uri | undefined {
    if (uri instanceof vscode.Uri) {
        return uri;
    }
    const editor = vscode.window.activeTextEditor;
    return editor?.document.languageId === 'yaml' ? editor.document.uri : undefined;
}

async function generateNode(ctx: CommandContext, uri?: unknown): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const target = contractUri(uri);
    if (!target) {
        void vscode.window.showInformationMessage('ONEX: open an ONEX contract (YAML) to generate its node package.');
        return;
    }
    if (editor && editor.document.uri.toString() === target.toString()) {
        // The code action path: VS Code resolves it and applies its WorkspaceEdit.
        await vscode.commands.executeCommand('editor.action.sourceAction', {
            kind: GENERATE_NODE_KIND,
            apply: 'first',
        });
        return;
    }
    const client = runningClient(ctx);
    if (client) {
        await client.sendRequest(ExecuteCommandRequest.type, {
            command: 'onex.generateNode',
            arguments: [client.code2ProtocolConverter.asUri(target)],
        });
    }
}

async function showDetectedPatterns(ctx: CommandContext, uri?: unknown): Promise<void> {
    const target = contractUri(uri);
    if (!target) {
        void vscode.window.showInformationMessage('ONEX: open an ONEX contract (YAML) first.');
        return;
    }
    const client = runningClient(ctx);
    if (!client) {
        return;
    }
    const found = (await client.sendRequest(ExecuteCommandRequest.type, {
        command: 'onex.showDetectedPatterns',
        arguments: [client.code2ProtocolConverter.asUri(target)],
    })) as DetectedPatterns;
    const name = vscode.workspace.asRelativePath(target);
    await ctx.documents.show(`Detected patterns — ${name}.md`, detectedPatternsMarkdown(found, name));
}

async function forgetFromView(ctx: CommandContext, node: unknown): Promise<void> {
    const client = runningClient(ctx);
    if (client && (await forgetBlock(client, node)) !== undefined) {
        await ctx.library.refresh();
    }
}

/** Runs `body` with the running client (else says the server is not running). */
function withClient(ctx: CommandContext, body: (client: LanguageClient, ...args: unknown[]) => Promise<void>) {
    return async (...args: unknown[]): Promise<void> => {
        const client = runningClient(ctx);
        if (client) {
            await body(client, ...args);
        }
    };
}

async function showPatternLibrary(ctx: CommandContext): Promise<void> {
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    await ctx.library.refresh();
}

async function toggleLearning(): Promise<void> {
    const config = vscode.workspace.getConfiguration(SECTION, primaryFolder()?.uri);
    const inspected = config.inspect<boolean>('learning');
    const target =
        inspected?.workspaceFolderValue !== undefined
            ? vscode.ConfigurationTarget.WorkspaceFolder
            : inspected?.workspaceValue !== undefined
              ? vscode.ConfigurationTarget.Workspace
              : vscode.ConfigurationTarget.Global;
    const enabled = !(config.get<boolean>('learning') ?? true);
    await config.update('learning', enabled, target);
    traceInfo(`learning ${enabled ? 'enabled' : 'disabled'}`);
    void vscode.window.showInformationMessage(`ONEX: learning is ${enabled ? 'on' : 'off'}.`);
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
    const guarded =
        (name: string, body: (...args: unknown[]) => Promise<void>) =>
        async (...args: unknown[]): Promise<void> => {
            try {
                await body(...args);
            } catch (error) {
                traceError(`${name} failed`, error);
                void vscode.window.showErrorMessage(
                    `ONEX: ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
                );
            }
        };
    return [
        vscode.commands.registerCommand(
            'onex.generateNodeFromContract',
            guarded('Generate Node from Contract', (uri) => generateNode(ctx, uri)),
        ),
        vscode.commands.registerCommand(
            'onex.showDetectedPatternsForContract',
            guarded('Show Detected Patterns', (uri) => showDetectedPatterns(ctx, uri)),
        ),
        vscode.commands.registerCommand('onex.showPatternLibrary', guarded('Show Pattern Library', () => showPatternLibrary(ctx))),
        vscode.commands.registerCommand('onex.refreshPatternLibrary', guarded('Refresh Pattern Library', () => ctx.library.refresh())),
        vscode.commands.registerCommand(
            'onex.showPatternReport',
            guarded('Show Pattern Report', withClient(ctx, (client) => ctx.report.show(client))),
        ),
        vscode.commands.registerCommand(
            SHOW_BLOCK_COMMAND,
            guarded('Show Learned Block', withClient(ctx, (client, node) => showBlock(client, ctx.documents, node))),
        ),
        vscode.commands.registerCommand('onex.forgetLearnedBlock', guarded('Forget Learned Block', (node) => forgetFromView(ctx, node))),
        vscode.commands.registerCommand(
            'onex.exportLearnedBlock',
            guarded('Export Learned Block', withClient(ctx, (client, node) => exportBlock(client, node))),
        ),
        vscode.commands.registerCommand('onex.restartServer', guarded('Restart Server', () => ctx.restart())),
        vscode.commands.registerCommand('onex.toggleLearning', guarded('Toggle Learning', toggleLearning)),
        vscode.commands.registerCommand('onex.showOutput', () => {
            ctx.channel.show(true);
        }),
    ];
}
