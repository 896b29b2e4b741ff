import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { patternLibraryArgs } from '../common/patterns';

test('library options go before the action', () => {
    assert.deepEqual(patternLibraryArgs({ embedder: 'hashing', store: { path: '/data', url: '' } }, 'stats'), [
        '-m', 'onex_lsp', 'patterns', '--data-dir', '/data', '--embedder', 'hashing', 'stats',
    ]);
});

test('per-workspace library and a Qdrant URL', () => {
    assert.deepEqual(
        patternLibraryArgs({ embedder: 'minilm', store: { perWorkspace: true, path: '/ignored', url: 'http://q:6333' } }, 'list', '/ws'),
        ['-m', 'onex_lsp', 'patterns', '--data-dir', '/ws/.onex-lsp', '--store-url', 'http://q:6333', '--embedder', 'minilm', 'list'],
    );
});

test('defaults add nothing', () => {
    assert.deepEqual(patternLibraryArgs({}, 'list'), ['-m', 'onex_lsp', 'patterns', 'list']);
});
