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

test('the embedder value reaches the CLI as it is (the CLI checks it); an empty one is left out', () => {
    for (const embedder of ['minilm', 'sentence-transformers', 'hashing', 'gpt']) {
        assert.deepEqual(patternLibraryArgs({ embedder }, 'stats').slice(-3), ['--embedder', embedder, 'stats']);
    }
    assert.deepEqual(patternLibraryArgs({ embedder: '' }, 'stats'), ['-m', 'onex_lsp', 'patterns', 'stats']);
});

test('defaults add nothing', () => {
    assert.deepEqual(patternLibraryArgs({}, 'list'), ['-m', 'onex_lsp', 'patterns', 'list']);
});
