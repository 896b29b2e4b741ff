// Drives a running code-server (VS Code 1.100) with Playwright. Started by
// tests/editors/test_vscode.py, which owns (and kills) code-server.
//   ONEX_MODE=generate (default): open the example contract from the explorer, wait for
//     "ONEX: ready", show the Source Action menu (screenshot), apply "Generate" with
//     Ctrl+Alt+G, save all, wait for the files on disk.
//     Before that: the CodeLens "Generate node" on the first line and Ctrl+. listing the
//     generate action (screenshots); after: the summary notification and node.py open.
//   ONEX_MODE=missing-server: the interpreter lacks onex-lsp; expect "ONEX: error" and one
//     notification with the install command.
//   ONEX_MODE=inactive: a workspace without contracts; the extension must not activate
//     (no ONEX status item after opening a YAML file).
//   ONEX_MODE=report: generate as above, then "Show files" on the summary, "ONEX: Show
//     Detected Patterns" (a read-only Markdown document), "ONEX: Show Pattern Report" (the
//     webview; screenshot at ONEX_REPORT_SHOT) and "Forget…" on a learned block in the
//     pattern library view's context menu.
//   ONEX_MODE=quickfix: Ctrl+. on the line of an invalid handler name, apply the quick fix
//     (screenshot at ONEX_QUICKFIX_SHOT), save.
// Env: ONEX_VSCODE_URL, ONEX_WORKSPACE, ONEX_CHROMIUM, ONEX_PLAYWRIGHT, ONEX_SCREENSHOT,
//      ONEX_CONTRACT (file name), ONEX_EXPECT (comma-separated paths relative to the
//      workspace), ONEX_FAILURE_SCREENSHOT, ONEX_DEBUG_DIR (a screenshot per step).
// Prints one JSON line: {ok, steps, status, menu?, notifications?, error?}.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.ONEX_PLAYWRIGHT);

const url = process.env.ONEX_VSCODE_URL;
const workspace = process.env.ONEX_WORKSPACE;
const screenshot = process.env.ONEX_SCREENSHOT;
const contract = process.env.ONEX_CONTRACT;
const expected = (process.env.ONEX_EXPECT ?? '').split(',').filter(Boolean);
const debugDir = process.env.ONEX_DEBUG_DIR;
const readyTimeout = Number(process.env.ONEX_READY_TIMEOUT_MS ?? 60000);
const shotsDir = process.env.ONEX_SHOTS_DIR; // codelens.png, ctrl-dot.png
const started = Date.now();
const result = { ok: false, steps: [], status: '' };
let page;
let shots = 0;

async function step(name) {
    const line = `[${((Date.now() - started) / 1000).toFixed(1)}s] ${name}`;
    result.steps.push(line);
    console.error(line);
    if (debugDir && page) {
        shots += 1;
        await page.screenshot({ path: path.join(debugDir, `step-${shots}.png`) }).catch(() => undefined);
    }
}

function filesReady() {
    return expected.every((rel) => {
        try {
            return fs.statSync(path.join(workspace, rel)).size > 0;
        } catch {
            return false;
        }
    });
}

async function until(predicate, timeoutMs, what) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await predicate()) {
            return;
        }
        await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}`);
}

const statusItem = () => page.locator('.statusbar-item', { hasText: /ONEX:/ }).first();
const editor = () => page.locator('.editor-instance .monaco-editor').first();

async function openContract() {
    await step('open VS Code');
    await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    await step('open the contract from the explorer');
    const row = page.getByRole('treeitem', { name: new RegExp(contract.replace(/\./g, '\\.')) }).first();
    await row.waitFor({ timeout: 60000 });
    await row.click();
    await editor().waitFor({ timeout: 30000 });
    await page.locator('.tab', { hasText: contract }).first().waitFor({ timeout: 30000 });
    if (process.env.ONEX_MODE !== 'inactive') {
        await statusItem().waitFor({ timeout: 60000 });
    }
}

async function inactive() {
    await step('no ONEX status item in a workspace without contracts');
    await page.waitForTimeout(8000);
    result.statusItems = await page.locator('.statusbar-item', { hasText: /ONEX/ }).count();
}

async function lensAndCtrlDot() {
    await step('the CodeLens on the first line');
    const lens = page.locator('.codelens-decoration', { hasText: /Generate node/ }).first();
    await lens.waitFor({ state: 'visible', timeout: 30000 });
    result.lens = ((await lens.textContent()) ?? '').trim();
    if (shotsDir) {
        await page.screenshot({ path: path.join(shotsDir, 'codelens.png') });
    }
    await step('Ctrl+. on the contract');
    await editor().locator('.view-lines').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Control+.');
    const menu = page.locator('.action-widget', { hasText: /Generate/ }).first();
    await menu.waitFor({ state: 'visible', timeout: 15000 });
    await page.waitForTimeout(300);
    result.ctrlDot = (await menu.innerText()).split('\n').filter(Boolean);
    if (shotsDir) {
        await page.screenshot({ path: path.join(shotsDir, 'ctrl-dot.png') });
    }
    await page.keyboard.press('Escape');
}

async function missingServer() {
    await step('wait for the install error');
    await page.locator('.statusbar-item', { hasText: /ONEX: error/ }).first().waitFor({ timeout: 60000 });
    result.status = ((await statusItem().textContent()) ?? '').trim();
    await page.locator('.notification-toast', { hasText: /pip install/ }).first().waitFor({ timeout: 30000 });
    await page.waitForTimeout(2000); // a second error would show up by now
    result.notifications = await page.locator('.notification-toast').allInnerTexts();
}

async function generate() {
    await step('wait for the ONEX server');
    await until(
        async () => {
            result.status = ((await statusItem().textContent()) ?? '').trim();
            if (/ONEX: error/.test(result.status)) {
                throw new Error(`ONEX status: ${result.status}`);
            }
            return /ONEX: ready/.test(result.status);
        },
        readyTimeout,
        'the status "ONEX: ready"',
    );
    // one status item: VS Code's own progress display is not shown beside it
    result.statusItems = await page.locator('.statusbar-item', { hasText: /ONEX|embedding model/ }).count();
    result.tooltip = (await statusItem().getAttribute('aria-label')) ?? '';
    await lensAndCtrlDot();

    await step('the Source Action menu');
    await editor().locator('.view-lines').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 10000 });
    await page.keyboard.type('Source Action');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Source Action' }).first().waitFor({ timeout: 10000 });
    await page.keyboard.press('Enter');
    const menu = page.locator('.action-widget', { hasText: /Generate/ }).first();
    try {
        await menu.waitFor({ state: 'visible', timeout: 15000 });
        await page.waitForTimeout(300);
        result.menu = (await menu.innerText()).split('\n').filter(Boolean);
        if (screenshot) {
            await page.screenshot({ path: screenshot });
        }
    } catch (error) {
        result.menuError = String(error);
    }
    await page.keyboard.press('Escape');

    await step('generate (Ctrl+Alt+G)');
    await page.keyboard.press('Control+Alt+G');
    // VS Code applies the WorkspaceEdit (CreateFile + TextDocumentEdit); depending on
    // files.refactoring.autoSave the new files are saved or left dirty.
    await until(async () => filesReady() || (await page.locator('.tab.dirty').count()) > 0, 60000, 'the generated files');
    await step('save all (Ctrl+K S)');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('S');
    try {
        await until(async () => filesReady() && (await page.locator('.tab.dirty').count()) === 0, 10000, 'the saved files');
    } catch {
        await step('save all (command palette)');
        await page.keyboard.press('F1');
        await page.keyboard.type('File: Save All');
        await page.waitForTimeout(500);
        await page.keyboard.press('Enter');
        await until(filesReady, 30000, `the files on disk: ${expected.join(', ')}`);
    }
    await step('files written');
    const summary = page.locator('.notification-toast', { hasText: /Generated node_/ }).first();
    await summary.waitFor({ timeout: 30000 });
    result.summary = ((await summary.innerText()) ?? '').split('\n').filter(Boolean);
    await page.locator('.tab', { hasText: 'node.py' }).first().waitFor({ timeout: 30000 });
    result.openedNode = true;
    if (process.env.ONEX_LIBRARY === '1') {
        await patternLibrary();
    }
}

// "ONEX: Show Pattern Library": the tree fed by onex/patternLibrary, over a learned store.
async function patternLibrary() {
    await step('the pattern library view');
    const learned = page.locator('.monaco-list-row', { hasText: /Learned blocks \((\d+)\)/ }).first();
    await until(
        async () => {
            await page.keyboard.press('F1');
            await page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 10000 });
            await page.keyboard.type('ONEX: Show Pattern Library');
            await page.waitForTimeout(500);
            await page.keyboard.press('Enter');
            await page.waitForTimeout(1500);
            const text = (await learned.count()) ? ((await learned.innerText()) ?? '') : '';
            result.library = text;
            return /Learned blocks \([1-9]/.test(text);
        },
        90000,
        'learned blocks in the pattern library view',
    );
    const group = page.locator('.monaco-list-row', { hasText: /^crud\./ }).first();
    await group.click().catch(() => undefined);
    await page.waitForTimeout(500);
    result.libraryRows = await page.locator('.pane-body .monaco-list-row').allInnerTexts();
    if (shotsDir) {
        await page.screenshot({ path: path.join(shotsDir, 'pattern-library.png') });
    }
}

async function runCommand(title) {
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 10000 });
    await page.keyboard.type(title);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title.replace(/^ONEX: /, '') }).first().waitFor({ timeout: 10000 });
    await page.keyboard.press('Enter');
}

// "Show files" on the summary: the Explorer reveals the package, a quick pick lists its files.
async function showFiles() {
    await step('"Show files" on the summary');
    let button = page.locator('.notification-toast .monaco-button', { hasText: 'Show files' }).first();
    if (!(await button.isVisible())) {
        await runCommand('Notifications: Show Notifications');
        button = page.locator('.notifications-center .monaco-button', { hasText: 'Show files' }).first();
    }
    await button.click();
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 15000 });
    await page.waitForTimeout(300);
    result.shownFiles = (await rows.allInnerTexts()).map((t) => t.trim());
    result.filesTitle = ((await page.locator('.quick-input-title').first().innerText()) ?? '').trim();
    await page.keyboard.press('Escape');
}

async function detectedPatterns() {
    await step('ONEX: Show Detected Patterns');
    await page.locator('.tab', { hasText: contract }).first().click();
    await runCommand('ONEX: Show Detected Patterns');
    const tab = page.locator('.tab', { hasText: 'Detected patterns' }).first();
    await tab.waitFor({ timeout: 30000 });
    await page.waitForTimeout(500);
    result.detectedTab = ((await tab.innerText()) ?? '').trim();
    result.detectedDirty = await tab.evaluate((el) => el.classList.contains('dirty'));
    result.detectedText = await page.locator('.editor-group-container.active .view-lines').first().innerText();
    result.untitledTabs = await page.locator('.tab', { hasText: /Untitled/ }).count();
}

// The report webview: the server's page in VS Code's webview iframes.
async function patternReport() {
    await step('ONEX: Show Pattern Report');
    await runCommand('View: Close All Editors');
    await runCommand('ONEX: Show Pattern Report');
    const frame = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
    await frame.locator('h2', { hasText: 'Patterns' }).waitFor({ timeout: 30000 });
    result.reportTotals = (await frame.locator('.totals span').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    result.reportCharts = await frame.locator('svg').count();
    result.reportPatterns = await frame.locator('table').first().innerText();
    result.reportScripts = await frame.locator('script').count();
    const shot = process.env.ONEX_REPORT_SHOT;
    if (shot) {
        await page.waitForTimeout(500);
        await page.screenshot({ path: shot });
    }
}

// "Forget…" on a learned block in the pattern library view: asks, forgets, refreshes.
async function forgetFromLibrary() {
    await step('forget a learned block from the pattern library view');
    const learned = page.locator('.monaco-list-row', { hasText: /Learned blocks \((\d+)\)/ }).first();
    const count = async () => Number((/Learned blocks \((\d+)\)/.exec((await learned.count()) ? await learned.innerText() : '') ?? [])[1] ?? 0);
    await until(
        async () => {
            await runCommand('ONEX: Show Pattern Library');
            await page.waitForTimeout(1500);
            return (await count()) > 0;
        },
        90000,
        'learned blocks in the pattern library view',
    );
    result.blocksBefore = await count();
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'ONEX Pattern Library' }) });
    const group = pane.locator('.monaco-list-row', { hasText: /^crud\./ }).first();
    await group.click();
    const block = pane.locator('.monaco-list-row', { hasText: /\.py/ }).first();
    await block.waitFor({ timeout: 10000 });
    result.forgotRow = ((await block.innerText()) ?? '').trim();
    await block.click({ button: 'right' });
    const item = page.locator('.context-view .action-item', { hasText: 'Forget' }).first();
    await item.hover();
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter'); // the menu item under the pointer has the focus
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 10000 });
    result.forgetDialog = ((await dialog.innerText()) ?? '').trim();
    await dialog.locator('.monaco-button', { hasText: 'Forget Block' }).first().click();
    await until(async () => (await count()) === result.blocksBefore - 1, 30000, 'one learned block fewer in the view');
    result.blocksAfter = await count();
    result.forgetNotification = (await page.locator('.notification-toast', { hasText: /forgot/ }).allInnerTexts()).join(' ');
}

async function report() {
    await generate();
    await showFiles();
    await detectedPatterns();
    await step('let the feedback checkpoints pass');
    await page.waitForTimeout(6000);
    await patternReport();
    await forgetFromLibrary();
}

// Ctrl+. on an invalid handler name offers the server's quick fix; applying it fixes the line.
async function quickFix() {
    await step('wait for the ONEX server');
    await until(async () => /ONEX: ready/.test(((await statusItem().textContent()) ?? '').trim()), readyTimeout, 'ONEX: ready');
    const line = page.locator('.view-line', { hasText: 'handle create user' }).first();
    await line.waitFor({ timeout: 30000 });
    await until(async () => (await page.locator('.squiggly-error, .squiggly-warning').count()) > 0, 30000, 'the diagnostic');
    await step('Ctrl+. on the invalid name');
    await line.click();
    await page.keyboard.press('End');
    await page.keyboard.press('Control+.');
    const menu = page.locator('.action-widget', { hasText: /Replace with/ }).first();
    await menu.waitFor({ state: 'visible', timeout: 15000 });
    await page.waitForTimeout(300);
    result.quickFixMenu = (await menu.innerText()).split('\n').filter(Boolean);
    const shot = process.env.ONEX_QUICKFIX_SHOT;
    if (shot) {
        await page.screenshot({ path: shot });
    }
    // the keyboard, as a user at Ctrl+. does: down to the fix, Enter
    const fix = "Replace with 'handle_create_user'";
    for (let i = 0; i < 10; i++) {
        const focused = menu.locator('.monaco-list-row.focused').first();
        if (((await focused.count()) ? await focused.innerText() : '').includes(fix)) {
            break;
        }
        await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await until(async () => (await editor().locator('.view-lines').innerText()).includes('handle_create_user'), 15000, 'the fixed name');
    await page.keyboard.press('Control+S');
    await until(async () => (await page.locator('.tab.dirty').count()) === 0, 15000, 'the saved contract');
}

const browser = await chromium.launch({
    executablePath: process.env.ONEX_CHROMIUM,
    headless: true,
    args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
    ],
});
try {
    page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    await openContract();
    if (process.env.ONEX_MODE === 'missing-server') {
        await missingServer();
    } else if (process.env.ONEX_MODE === 'inactive') {
        await inactive();
    } else if (process.env.ONEX_MODE === 'report') {
        await report();
    } else if (process.env.ONEX_MODE === 'quickfix') {
        await quickFix();
    } else {
        await generate();
    }
    result.ok = true;
    await step('done');
} catch (error) {
    result.error = String(error?.stack ?? error);
    const failure = process.env.ONEX_FAILURE_SCREENSHOT;
    if (failure && page) {
        await page.screenshot({ path: failure }).catch(() => undefined);
        result.failureScreenshot = failure;
    }
} finally {
    await browser.close().catch(() => undefined);
}
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(result.ok ? 0 : 1);
