// The pattern report webview's page. Pure: the server renders the page (the same one
// `onex-lsp patterns report --html` writes), so the charts are drawn once and tested once;
// the webview runs no script at all, and the page is shown only if it carries the strict
// Content-Security-Policy the server gives it (nothing loads, only its own style element).

export const PATTERN_REPORT_REQUEST = 'onex/patternReport';

export interface PatternReportAnswer {
    report?: { totals?: Record<string, number> };
    html?: unknown;
}

const STRICT_POLICY = /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-[A-Za-z0-9_-]{8,64}'; img-src data:">/;

function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function messagePage(message: string): string {
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">' +
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">' +
        `</head><body><p>${escapeHtml(message)}</p></body></html>`
    );
}

/** The server's page, or a message when the answer is not a page with the strict policy. */
export function reportPage(answer: PatternReportAnswer | null | undefined): string {
    const html = answer?.html;
    if (typeof html !== 'string' || !STRICT_POLICY.test(html.slice(0, 1024))) {
        return messagePage('The ONEX language server sent no usable pattern report (see the ONEX output).');
    }
    return html;
}
