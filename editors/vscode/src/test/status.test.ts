import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusModel } from '../common/status';

const ready = { state: 'ready', model: 'minilm-l6-v2-384', store: '/data, qdrant-edge', learning: true };

test('starting -> the server says loading model -> generating -> ready', () => {
    const model = new StatusModel();
    assert.equal(model.phase, 'stopped');
    model.starting();
    assert.equal(model.phase, 'starting');
    assert.match(model.view.text, /ONEX: starting/);
    model.running();
    assert.equal(model.phase, 'starting'); // until the server says more
    model.serverStatus({ ...ready, state: 'loadingModel', model: 'hashing-v1-384' });
    assert.equal(model.phase, 'loadingModel');
    assert.match(model.view.text, /ONEX: loading model/);
    model.serverStatus({ ...ready, state: 'generating' });
    assert.equal(model.phase, 'generating');
    model.serverStatus(ready);
    assert.equal(model.view.text, '$(check) ONEX: ready');
    assert.match(model.view.tooltip, /Embedder: minilm-l6-v2-384/);
    assert.match(model.view.tooltip, /Pattern library: \/data, qdrant-edge/);
    assert.match(model.view.tooltip, /Learning: on/);
});

test('learning is what the server says', () => {
    const model = new StatusModel();
    model.running();
    model.serverStatus({ ...ready, state: 'learning' });
    assert.equal(model.phase, 'learning');
    model.serverStatus({ ...ready, learning: false });
    assert.equal(model.phase, 'ready');
    assert.match(model.view.tooltip, /Learning: off/);
});

test('malformed notifications change nothing', () => {
    const model = new StatusModel();
    model.running();
    model.serverStatus(ready);
    model.serverStatus({ state: 'exploded' });
    model.serverStatus(null);
    model.serverStatus('ready');
    assert.equal(model.phase, 'ready');
});

test('errors stick until the next start, and the tooltip claims nothing about a server', () => {
    const model = new StatusModel();
    model.running();
    model.serverStatus(ready);
    model.detail = 'onex-lsp 0.1.0 on /usr/bin/python3';
    model.failed('onex-lsp is not installed');
    model.stopped();
    assert.equal(model.phase, 'error');
    assert.equal(model.view.severity, 'error');
    assert.match(model.view.tooltip, /not installed/);
    assert.doesNotMatch(model.view.tooltip, /Learning|Embedder|onex-lsp 0\.1\.0/);
    model.starting();
    assert.equal(model.phase, 'starting');
});

test('a stopped server shows no stale facts', () => {
    const model = new StatusModel();
    model.running();
    model.serverStatus(ready);
    model.stopped();
    assert.equal(model.phase, 'stopped');
    assert.doesNotMatch(model.view.tooltip, /Learning/);
});
