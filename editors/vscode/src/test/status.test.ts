import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLearningResult, phaseOfProgress, StatusModel, stripLogPrefix } from '../common/status';

test('progress titles map to phases', () => {
    assert.equal(phaseOfProgress('Loading the embedding model (MiniLM)'), 'loadingModel');
    assert.equal(phaseOfProgress('Generating node_user_management_effect'), 'generating');
    assert.equal(phaseOfProgress('Something else'), 'ready');
});

test('starting -> loading model -> ready', () => {
    const model = new StatusModel();
    assert.equal(model.phase, 'stopped');
    model.starting();
    assert.equal(model.phase, 'starting');
    assert.match(model.view.text, /ONEX: starting/);
    model.running();
    model.progressBegin('t1', 'Loading the embedding model (MiniLM)');
    assert.equal(model.phase, 'loadingModel');
    assert.match(model.view.text, /ONEX: loading model/);
    model.progressBegin('t2', 'Generating node_x');
    assert.equal(model.phase, 'loadingModel');
    model.progressEnd('t1');
    assert.equal(model.phase, 'generating');
    model.progressEnd('t2');
    assert.equal(model.phase, 'ready');
    assert.equal(model.view.text, '$(check) ONEX: ready');
});

test('saving a handler shows learning until the server reports', () => {
    const model = new StatusModel();
    model.starting();
    model.running();
    model.saved(1000);
    assert.equal(model.phase, 'learning');
    model.log('[Info  - 10:00:00] learned 2 new block(s) from handler_x.py (3 found; suggestion abc)');
    assert.equal(model.phase, 'ready');
    assert.match(model.view.tooltip, /Last: learned 2 new block/);
    model.saved(2000);
    assert.equal(model.expireLearning(5000), false);
    assert.equal(model.expireLearning(12000), true);
    assert.equal(model.phase, 'ready');
});

test('no learning phase when learning is off', () => {
    const model = new StatusModel();
    model.running();
    model.learningEnabled = false;
    model.saved(0);
    assert.equal(model.phase, 'ready');
    assert.match(model.view.tooltip, /Learning: off/);
});

test('errors stick until the next start', () => {
    const model = new StatusModel();
    model.failed('onex-lsp is not installed');
    model.stopped();
    assert.equal(model.phase, 'error');
    assert.equal(model.view.severity, 'error');
    assert.match(model.view.tooltip, /not installed/);
    model.starting();
    assert.equal(model.phase, 'starting');
});

test('log lines', () => {
    assert.equal(isLearningResult('not learned (the file does not parse): x'), true);
    assert.equal(isLearningResult('[Error - 1:00:00 PM] learning from /a.py failed: boom'), true);
    assert.equal(isLearningResult('pattern library: /x, index y'), false);
    assert.equal(stripLogPrefix('[Info  - 1:02:03 PM] hello'), 'hello');
});
