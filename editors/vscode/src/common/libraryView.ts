// The "ONEX Pattern Library" view in the Explorer: a tree over the server's
// `onex/patternLibrary` answer (no command line is run). Refreshed on demand.
import * as vscode from 'vscode';
import { type LanguageClient, State } from 'vscode-languageclient/node';
import { libraryTree, PATTERN_LIBRARY_REQUEST, type PatternLibrary, type TreeNode } from './libraryTree';

export const VIEW_ID = 'onex.patternLibrary';
export const BLOCK_CONTEXT = 'onex.learnedBlock'; // package.json's view/item/context menus
export const SHOW_BLOCK_COMMAND = 'onex.showLearnedBlock';

export class PatternLibraryView implements vscode.TreeDataProvider<TreeNode> {
    private readonly changed = new vscode.EventEmitter<void>();
    readonly onDidChangeTreeData = this.changed.event;
    private roots: TreeNode[] = [];

    constructor(private readonly client: () => LanguageClient | undefined) {}

    async refresh(): Promise<void> {
        const client = this.client();
        if (client?.state !== State.Running) {
            this.roots = [{ label: 'The ONEX language server is not running' }];
        } else {
            const library = await client.sendRequest<PatternLibrary>(PATTERN_LIBRARY_REQUEST, {});
            this.roots = libraryTree(library);
        }
        this.changed.fire();
    }

    getChildren(node?: TreeNode): TreeNode[] {
        return node ? (node.children ?? []) : this.roots;
    }

    getTreeItem(node: TreeNode): vscode.TreeItem {
        const collapsed = node.children?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
        const item = new vscode.TreeItem(node.label, node.label.startsWith('Learned blocks') ? vscode.TreeItemCollapsibleState.Expanded : collapsed);
        item.description = node.description;
        item.tooltip = node.tooltip;
        if (node.origin) {
            item.resourceUri = vscode.Uri.file(node.origin);
        }
        if (node.block) {
            item.contextValue = BLOCK_CONTEXT;
            item.command = { command: SHOW_BLOCK_COMMAND, title: 'Show', arguments: [node] };
        }
        return item;
    }

    dispose(): void {
        this.changed.dispose();
    }
}
