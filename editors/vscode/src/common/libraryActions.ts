// The pattern library view's context menu on a learned block: show it (its origin file at
// the block's lines, else its learned text), forget it (or its family, after asking), export
// it (or its family) in the `onex-lsp patterns export` format to a file the user picks.
import * as vscode from 'vscode';
import { ExecuteCommandRequest, type LanguageClient } from 'vscode-languageclient/node';
import type { BlockRef, TreeNode } from './libraryTree';
import type { ReadOnlyDocuments } from './readOnlyDocuments';

export const EXPORT_PATTERNS_REQUEST = 'onex/exportPatterns';
export const FORGET_BLOCK = 'Forget Block';
export const FORGET_FAMILY = 'Forget Whole Family';

interface ExportAnswer {
    text: string;
    blocks: { id: string; source: string; origin_file: string }[];
    problem: string | null;
}

function blockOf(node: unknown): BlockRef | undefined {
    return (node as TreeNode | undefined)?.block;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
    try {
        await vscode.workspace.fs.stat(uri);
        return true;
    } catch {
        return false;
    }
}

export async function showBlock(client: LanguageClient, documents: ReadOnlyDocuments, node: unknown): Promise<void> {
    const block = blockOf(node);
    if (!block) {
        return;
    }
    const origin = vscode.Uri.file(block.origin);
    if (await exists(origin)) {
        const [first, , last] = block.originRange ?? [1, 0, 1, 0];
        const range = new vscode.Range(Math.max(first - 1, 0), 0, Math.max(last - 1, 0), 0);
        await vscode.window.showTextDocument(origin, { selection: range, preview: true });
        return;
    }
    const answer = await client.sendRequest<ExportAnswer>(EXPORT_PATTERNS_REQUEST, { id: block.id, family: false });
    const found = answer.blocks[0];
    if (answer.problem || !found) {
        void vscode.window.showWarningMessage(`ONEX: ${answer.problem ?? 'the block is gone'}.`);
        return;
    }
    const header = `# learned from ${block.origin} (the file is gone); block ${block.id}\n`;
    await documents.show(`learned ${block.label}.py`, header + found.source + '\n');
}

export async function forgetBlock(client: LanguageClient, node: unknown): Promise<number | undefined> {
    const block = blockOf(node);
    if (!block) {
        return undefined;
    }
    const choice = await vscode.window.showWarningMessage(
        `Forget the learned block ${block.label}?`,
        {
            modal: true,
            detail: 'It will not be offered again; the journal keeps it. Its whole family: the blocks it came from and those derived from them.',
        },
        FORGET_BLOCK,
        FORGET_FAMILY,
    );
    if (choice !== FORGET_BLOCK && choice !== FORGET_FAMILY) {
        return undefined;
    }
    const answer = await client.sendRequest<{ forgotten?: string[] }>(ExecuteCommandRequest.type.method, {
        command: 'onex.forgetPattern',
        arguments: [`learned:${block.id}`, choice === FORGET_FAMILY],
    });
    const count = answer?.forgotten?.length ?? 0;
    void vscode.window.showInformationMessage(`ONEX: forgot ${count} learned block(s).`);
    return count;
}

export async function exportBlock(client: LanguageClient, node: unknown): Promise<void> {
    const block = blockOf(node);
    if (!block) {
        return;
    }
    const scope = await vscode.window.showQuickPick(
        [
            { label: 'This block', family: false },
            { label: 'Its whole family', description: 'the blocks it came from and those derived from them', family: true },
        ],
        { title: `Export ${block.label}` },
    );
    if (!scope) {
        return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `onex-patterns-${block.id.slice(0, 8)}${scope.family ? '-family' : ''}.jsonl`;
    const target = await vscode.window.showSaveDialog({
        defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
        filters: { 'JSON lines (onex-lsp patterns import)': ['jsonl'] },
        title: 'Export learned blocks',
    });
    if (!target) {
        return;
    }
    const answer = await client.sendRequest<ExportAnswer>(EXPORT_PATTERNS_REQUEST, { id: block.id, family: scope.family });
    if (answer.problem) {
        void vscode.window.showWarningMessage(`ONEX: ${answer.problem}.`);
        return;
    }
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(answer.text));
    void vscode.window.showInformationMessage(`ONEX: exported ${answer.blocks.length} block(s) to ${target.fsPath}.`);
}
