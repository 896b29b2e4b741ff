// The status bar item: StatusModel's view, refreshed on every event.
import * as vscode from 'vscode';
import { StatusModel } from './status';

export class StatusBar implements vscode.Disposable {
    readonly model = new StatusModel();
    private readonly item: vscode.StatusBarItem;

    constructor() {
        this.item = vscode.window.createStatusBarItem('onex.status', vscode.StatusBarAlignment.Left, 0);
        this.item.name = 'ONEX Language Server';
        this.item.command = 'onex.showOutput';
        this.refresh();
        this.item.show();
    }

    /** Apply a change to the model and redraw. */
    update(change: (model: StatusModel) => void): void {
        change(this.model);
        this.refresh();
    }

    refresh(): void {
        const view = this.model.view;
        this.item.text = view.text;
        this.item.tooltip = view.tooltip;
        this.item.accessibilityInformation = { label: `ONEX: ${view.phase}`, role: 'button' };
        this.item.backgroundColor =
            view.severity === 'error'
                ? new vscode.ThemeColor('statusBarItem.errorBackground')
                : view.severity === 'warning'
                  ? new vscode.ThemeColor('statusBarItem.warningBackground')
                  : undefined;
    }

    dispose(): void {
        this.item.dispose();
    }
}
