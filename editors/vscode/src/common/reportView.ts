// "ONEX: Show Pattern Report": a webview with the server's report page (onex/patternReport;
// no command line is run). One panel, refreshed each time the command runs.
import * as vscode from 'vscode';
import { type LanguageClient } from 'vscode-languageclient/node';
import { messagePage, PATTERN_REPORT_REQUEST, type PatternReportAnswer, reportPage } from './reportPage';

const VIEW_TYPE = 'onex.patternReport';

export class PatternReportPanel implements vscode.Disposable {
    private panel: vscode.WebviewPanel | undefined;

    async show(client: LanguageClient): Promise<void> {
        if (!this.panel) {
            this.panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'ONEX Pattern Report', vscode.ViewColumn.Active, {
                enableScripts: false,
                enableForms: false,
                localResourceRoots: [],
            });
            this.panel.onDidDispose(() => {
                this.panel = undefined;
            });
        } else {
            this.panel.reveal();
        }
        const panel = this.panel;
        panel.webview.html = messagePage('Reading the pattern library…');
        const answer = await client.sendRequest<PatternReportAnswer>(PATTERN_REPORT_REQUEST, {});
        panel.webview.html = reportPage(answer);
    }

    dispose(): void {
        this.panel?.dispose();
    }
}
