// After generating: the server's typed `onex/generated` notification (the summary, the
// package folder, every file written) becomes the summary message with "Show files",
// which reveals the package in the Explorer and lists its files to open. The client
// announces `experimental.onex.generatedNotification`, so the server sends this instead
// of a plain message (and no text is parsed).
import * as vscode from 'vscode';
import type { ClientCapabilities, FeatureState, StaticFeature } from 'vscode-languageclient/node';
import { fileItems, type Generated } from './generatedFiles';

export type { Generated } from './generatedFiles';

export const GENERATED_NOTIFICATION = 'onex/generated';
export const SHOW_FILES = 'Show files';

export class GeneratedNotificationFeature implements StaticFeature {
    fillClientCapabilities(capabilities: ClientCapabilities): void {
        const experimental = (capabilities.experimental ?? {}) as Record<string, unknown>;
        const onex = (experimental.onex ?? {}) as Record<string, unknown>;
        capabilities.experimental = { ...experimental, onex: { ...onex, generatedNotification: true } };
    }

    initialize(): void {}

    getState(): FeatureState {
        return { kind: 'static' };
    }

    clear(): void {}
}

export async function showGenerated(generated: Generated): Promise<void> {
    const choice = await vscode.window.showInformationMessage(generated.message, SHOW_FILES);
    if (choice !== SHOW_FILES) {
        return;
    }
    const folder = vscode.Uri.parse(generated.folder);
    await vscode.commands.executeCommand('revealInExplorer', folder);
    const items = fileItems(generated).map((item) => ({ label: item.label, uri: item.uri }));
    const picked = await vscode.window.showQuickPick(items, {
        title: `${generated.files.length} files written in ${folder.path.split('/').pop() ?? ''}`,
        placeHolder: 'Open a generated file',
        matchOnDescription: true,
    });
    if (picked) {
        await vscode.window.showTextDocument(vscode.Uri.parse(picked.uri));
    }
}
