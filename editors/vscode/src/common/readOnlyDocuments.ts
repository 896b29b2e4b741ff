// Read-only documents the extension shows (detected patterns, a learned block's text):
// never an Untitled editor that asks to be saved. A content provider for one scheme.
import * as vscode from 'vscode';

export const SCHEME = 'onex-view';

export class ReadOnlyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
    private readonly texts = new Map<string, string>();
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;

    provideTextDocumentContent(uri: vscode.Uri): string {
        return this.texts.get(uri.toString()) ?? '';
    }

    /** Show `text` as the read-only document `name` (its extension picks the language). */
    async show(name: string, text: string): Promise<vscode.TextEditor> {
        const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${name.replace(/[\\/]/g, '_')}` });
        this.texts.set(uri.toString(), text);
        this.changed.fire(uri);
        const document = await vscode.workspace.openTextDocument(uri);
        return vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }

    dispose(): void {
        this.changed.dispose();
    }
}
