import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { libraryTree } from '../common/libraryTree';

const stats = { key: 'learned:abc', shown: 3, applied: 2, kept: 1, modified: 1, reverted: 0, keepRate: 0.81, retention: 0.9, state: 'candidate', lastUsed: 1700000000 };

test('learned blocks grouped by block type, with origin and feedback; then the patterns', () => {
    const tree = libraryTree({
        store: '/data, qdrant-edge',
        embedder: 'minilm-l6-v2-384',
        blocks: [
            { id: 'abc', kind: 'handler', block: 'crud.create', nodeKind: 'effect', operation: 'create_user', origin: '/ws/node_x/handlers/handler_create_user.py', originRange: [3, 0, 9, 0], learnedAt: 1700000000, stats },
            { id: 'def', kind: 'error_handling', block: null, nodeKind: null, operation: null, origin: '/ws/a.py', learnedAt: 1700000000, stats: null },
        ],
        patterns: [{ ...stats, key: 'builtin:crud.create', retention: null }],
    });
    const [learned, patterns] = tree;
    assert.equal(learned?.label, 'Learned blocks (2)');
    assert.deepEqual(learned?.children?.map((g) => g.label), ['crud.create', 'error_handling']);
    const block = learned?.children?.[0]?.children?.[0];
    assert.equal(block?.label, 'create_user');
    assert.equal(block?.origin, '/ws/node_x/handlers/handler_create_user.py');
    // what the context menu (show, forget, export) acts on
    assert.deepEqual(block?.block, { id: 'abc', label: 'create_user (abc)', origin: '/ws/node_x/handlers/handler_create_user.py', originRange: [3, 0, 9, 0] });
    assert.equal(learned?.children?.[0]?.block, undefined); // a group is not a block
    assert.match(block?.description ?? '', /keep 0\.81 · kept 1 of 2 · candidate · handler_create_user\.py/);
    assert.match(block?.tooltip ?? '', /learned from \/ws\/node_x\/handlers\/handler_create_user\.py/);
    assert.match(learned?.children?.[1]?.children?.[0]?.description ?? '', /not offered yet/);
    assert.equal(patterns?.label, 'Patterns with feedback (1)');
    assert.equal(patterns?.children?.[0]?.label, 'builtin:crud.create');
});
