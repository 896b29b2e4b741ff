import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { changeNeedsRestart, toServerSettings } from '../common/settings';

interface Manifest {
    contributes: { configuration: { properties: Record<string, { default: unknown }> } };
}

const properties = (
    JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as Manifest
).contributes.configuration.properties;

/** The `onex` section the way VS Code resolves it: package.json defaults, then `values`
 * (dotted keys), nested, plus a WorkspaceConfiguration's methods. */
function section(values: Record<string, unknown> = {}): Record<string, unknown> {
    const result: Record<string, unknown> = {
        get: () => undefined,
        has: () => false,
    };
    const defaults = Object.entries(properties).map(([key, p]) => [key.slice('onex.'.length), p.default] as const);
    for (const [dotted, value] of [...defaults, ...Object.entries(values)]) {
        const parts = dotted.split('.');
        const leaf = parts.pop() ?? dotted;
        let node = result;
        for (const part of parts) {
            node[part] ??= {};
            node = node[part] as Record<string, unknown>;
        }
        node[leaf] = value;
    }
    return result;
}

function dottedKeys(value: Record<string, unknown>, prefix = ''): string[] {
    return Object.entries(value).flatMap(([key, item]) =>
        typeof item === 'object' && item !== null && !Array.isArray(item)
            ? dottedKeys(item as Record<string, unknown>, `${prefix}${key}.`)
            : [`${prefix}${key}`],
    );
}

test("every package.json setting but the extension's own reaches the server, with its default", () => {
    const settings = toServerSettings(section({ interpreter: '/usr/bin/python3', 'trace.server': 'verbose' }));
    const expected = Object.keys(properties)
        .map((key) => key.slice('onex.'.length))
        .filter((key) => key !== 'interpreter' && key !== 'trace.server');
    assert.deepEqual(dottedKeys(settings).sort(), expected.sort());
    assert.equal('interpreter' in settings, false);
    assert.equal('trace' in settings, false);
    const store = settings.store as Record<string, unknown>;
    assert.deepEqual(store.perWorkspace, properties['onex.store.perWorkspace']?.default);
});

test('user values win and paths are expanded', () => {
    const settings = toServerSettings(
        section({
            threshold: 0.4,
            embedder: 'hashing',
            'actions.insertPattern': false,
            'store.path': ' ${workspaceFolder}/.lib ',
            validationInterpreter: '~/venv/bin/python',
            'feedback.checkpoints': [10],
        }),
        (value) => value.replace('${workspaceFolder}', '/ws').replace('~', '/home/u'),
    );
    assert.equal(settings.threshold, 0.4);
    assert.equal(settings.embedder, 'hashing');
    assert.equal((settings.actions as Record<string, unknown>).insertPattern, false);
    assert.equal((settings.store as Record<string, unknown>).path, '/ws/.lib');
    assert.equal(settings.validationInterpreter, '/home/u/venv/bin/python');
    assert.deepEqual((settings.feedback as Record<string, unknown>).checkpoints, [10]);
});

test('blank paths stay blank; methods and unset values are left out', () => {
    const settings = toServerSettings(
        { get: () => 1, threshold: null, store: { path: '   ', url: null }, validationInterpreter: '' },
        () => 'expanded',
    );
    assert.deepEqual(settings, { store: { path: '' }, validationInterpreter: '' });
});

test('the result is a copy: changing it leaves the configuration alone', () => {
    const original = section();
    const settings = toServerSettings(original);
    (settings.store as Record<string, unknown>).path = '/elsewhere';
    assert.equal((original.store as Record<string, unknown>).path, '');
});

test('only an interpreter change restarts the server', () => {
    assert.equal(changeNeedsRestart((s) => s === 'onex.interpreter'), true);
    assert.equal(changeNeedsRestart((s) => s === 'onex.threshold'), false);
});
