import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { changeNeedsRestart, initializationOptions, SERVER_DEFAULTS, toServerSettings } from '../common/settings';

function config(values: Record<string, unknown>) {
    return { get: <T>(key: string) => values[key] as T | undefined };
}

test('defaults become the nested onex section, without client-only keys', () => {
    const settings = toServerSettings(config({ interpreter: '/usr/bin/python3', 'trace.server': 'verbose' }));
    assert.deepEqual(settings, {
        threshold: 0.7,
        actions: { generateNode: true, addHandler: true, insertPattern: true },
        learning: true,
        embedder: 'minilm',
        validationInterpreter: '',
        notificationLevel: 'warning',
        diagnosticsDelayMs: 300,
        store: { path: '', url: '', apiKey: '', perWorkspace: false },
        feedback: { checkpoints: [30, 120, 300, 600], storeCode: true, tickSeconds: 5 },
    });
    assert.equal('interpreter' in settings, false);
    assert.equal('trace' in settings, false);
});

test('user values win and paths are expanded', () => {
    const settings = toServerSettings(
        config({
            threshold: 0.4,
            embedder: 'hashing',
            'actions.insertPattern': false,
            'store.path': ' ${workspaceFolder}/.lib ',
            'feedback.checkpoints': [10],
        }),
        (value) => value.replace('${workspaceFolder}', '/ws'),
    );
    assert.equal(settings.threshold, 0.4);
    assert.equal(settings.embedder, 'hashing');
    assert.deepEqual(settings.actions, { generateNode: true, addHandler: true, insertPattern: false });
    assert.deepEqual(settings.store, { path: '/ws/.lib', url: '', apiKey: '', perWorkspace: false });
    assert.deepEqual(settings.feedback, { checkpoints: [10], storeCode: true, tickSeconds: 5 });
});

test('initializationOptions wraps the section under "onex"', () => {
    const options = initializationOptions(config({ learning: false }));
    assert.deepEqual(Object.keys(options), ['onex']);
    assert.equal(options.onex.learning, false);
});

test('every server default matches package.json', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
        contributes: { configuration: { properties: Record<string, { default: unknown }> } };
    };
    const properties = manifest.contributes.configuration.properties;
    for (const [key, value] of Object.entries(SERVER_DEFAULTS)) {
        assert.deepEqual(properties[`onex.${key}`]?.default, value, key);
    }
});

test('only an interpreter change restarts the server', () => {
    assert.equal(changeNeedsRestart((s) => s === 'onex.interpreter'), true);
    assert.equal(changeNeedsRestart((s) => s === 'onex.threshold'), false);
});
