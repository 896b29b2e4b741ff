import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { cell, detectedPatternsMarkdown } from '../common/detectedPatterns';
import { fileItems } from '../common/generatedFiles';
import { reportPage } from '../common/reportPage';

const POLICY = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-abcdefgh12'; img-src data:">`;

test('the report page is shown only with the strict policy the server gives it', () => {
    const page = `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">${POLICY}<title>r</title></head><body>x</body></html>`;
    assert.equal(reportPage({ html: page }), page);
    for (const bad of [
        undefined,
        null,
        { html: 42 },
        { html: '<html><body><script>alert(1)</script></body></html>' },
        { html: page.replace("default-src 'none'", 'default-src *') },
    ]) {
        const shown = reportPage(bad);
        assert.match(shown, /sent no usable pattern report/);
        assert.doesNotMatch(shown, /<script/);
    }
});

test('detected patterns read as Markdown tables, contract text kept literal', () => {
    const text = detectedPatternsMarkdown(
        {
            node: 'node_user_management_effect',
            name: 'user_management',
            dialect: 'omnibase',
            kind: 'EFFECT',
            patterns: [{ pattern: 'crud', confidence: 0.95, operations: ['create_user', 'get_user'], reason: 'verbs | nouns' }],
            operations: [{ operation: 'create_user', block: 'crud.create', confidence: 0.95, reason: 'verb create' }],
            learned: { current: true, operations: { create_user: [{ block: 'abcdef0123', origin: '/w/h/handler_create_user.py', similarity: 0.91 }] } },
        },
        'contract.yaml',
    );
    assert.match(text, /^# Detected patterns: node\\_user\\_management\\_effect$/m);
    assert.match(text, /^\| crud \| 95% \| create\\_user, get\\_user \| verbs \\\| nouns \|$/m);
    assert.match(text, /^\| create\\_user \| crud.create \| 95% \| verb create \|$/m);
    assert.match(text, /^\| create\\_user \| abcdef01 \| 0\.91 \| handler\\_create\\_user.py \|$/m);
    assert.doesNotMatch(text, /^\s*[{[]/m); // no JSON
    assert.match(detectedPatternsMarkdown({ error: 'not a valid ONEX contract' }, 'c.yaml'), /c.yaml: not a valid ONEX contract/);
    assert.equal(cell('a\n<b>|`c`'), 'a \\<b\\>\\|\\`c\\`');
});

test('"Show files" lists the package files, node.py first', () => {
    const folder = 'file:///ws/node_x';
    const items = fileItems({
        message: 'Generated node_x: 3 files',
        folder,
        main: `${folder}/node.py`,
        files: [`${folder}/handlers/handler_a.py`, `${folder}/contract.yaml`, `${folder}/node.py`],
    });
    assert.deepEqual(
        items.map((i) => i.label),
        ['node.py', 'contract.yaml', 'handlers/handler_a.py'],
    );
});
