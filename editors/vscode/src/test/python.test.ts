import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import {
    classifyProbe,
    compareVersions,
    expandVariables,
    installCommand,
    problemMessage,
    probeServer,
    pythonArgs,
    resolveInterpreter,
    SERVER_ARGS,
} from '../common/python';

test('the onex.interpreter setting comes first', () => {
    assert.deepEqual(resolveInterpreter({ setting: ' /opt/py/bin/python ', pythonExtension: '/venv/bin/python' }), {
        command: '/opt/py/bin/python',
        source: 'setting',
    });
});

test("then the Python extension's active environment", () => {
    assert.deepEqual(resolveInterpreter({ setting: '', pythonExtension: '/venv/bin/python' }), {
        command: '/venv/bin/python',
        source: 'python-extension',
    });
});

test('else python3 (python on Windows)', () => {
    assert.deepEqual(resolveInterpreter({ platform: 'linux' }), { command: 'python3', source: 'default' });
    assert.deepEqual(resolveInterpreter({ platform: 'win32', setting: '  ' }), { command: 'python', source: 'default' });
});

test('variables in the setting are expanded', () => {
    const vars = { workspaceFolder: '/ws', userHome: '/home/u', env: { VENV: '/v' } };
    assert.equal(expandVariables('${workspaceFolder}/.venv/bin/python', vars), '/ws/.venv/bin/python');
    assert.equal(expandVariables('~/py/bin/python', vars), '/home/u/py/bin/python');
    assert.equal(expandVariables('${env:VENV}/bin/python', vars), '/v/bin/python');
    assert.equal(expandVariables('${userHome}/x', vars), '/home/u/x');
    assert.equal(
        resolveInterpreter({ setting: '${workspaceFolder}/.venv/bin/python', vars }).command,
        '/ws/.venv/bin/python',
    );
});

test('versions compare numerically', () => {
    assert.equal(compareVersions('0.1.0', '0.1.0'), 0);
    assert.equal(compareVersions('0.0.9', '0.1.0'), -1);
    assert.equal(compareVersions('0.10.0', '0.9.9'), 1);
    assert.equal(compareVersions('1', '0.1.0'), 1);
});

test('probe outcomes are classified', () => {
    assert.deepEqual(classifyProbe({ errorCode: 'ENOENT', stdout: '', stderr: '' }).kind, 'no-interpreter');
    assert.equal(
        classifyProbe({ exitCode: 1, stdout: '', stderr: "ModuleNotFoundError: No module named 'onex_lsp'" }).kind,
        'no-package',
    );
    assert.deepEqual(classifyProbe({ exitCode: 0, stdout: '0.0.5\n', stderr: '' }), { kind: 'too-old', version: '0.0.5' });
    assert.deepEqual(classifyProbe({ exitCode: 0, stdout: '0.1.0\n', stderr: '' }), { kind: 'ok', version: '0.1.0' });
    assert.equal(classifyProbe({ exitCode: 0, stdout: 'garbage', stderr: '' }).kind, 'failed');
});

test('one message with the exact install command (the bundled wheel), and no torch step', () => {
    const wheel = '/ext/server/onex_lsp-0.1.0-py3-none-any.whl';
    const message = problemMessage('/usr/bin/python3', { kind: 'no-package', detail: '' }, wheel) ?? '';
    assert.match(message, /\/usr\/bin\/python3 -m pip install --upgrade \/ext\/server\/onex_lsp-0\.1\.0-py3-none-any\.whl/);
    assert.doesNotMatch(message, /install --upgrade onex-lsp/); // no package index has it
    assert.doesNotMatch(message, /torch==/);
    assert.equal(problemMessage('/p', { kind: 'ok', version: '0.1.0' }), undefined);
    assert.match(problemMessage('/p', { kind: 'too-old', version: '0.0.1' }) ?? '', /0\.0\.1.*too old/);
    assert.equal(installCommand('/my env/python', '/w.whl'), '"/my env/python" -m pip install --upgrade /w.whl');
});

test('probing a missing interpreter reports it', async () => {
    assert.equal((await probeServer('/nonexistent/python3')).kind, 'no-interpreter');
});

test('probing a Python without the package reports it', { skip: !process.env.PATH }, async () => {
    const result = await probeServer('python3');
    assert.ok(['ok', 'no-package', 'no-interpreter'].includes(result.kind), result.kind);
});

test('an untrusted workspace gets -P: its own onex_lsp folder cannot stand in for the server', () => {
    assert.deepEqual(pythonArgs(SERVER_ARGS, true), ['-m', 'onex_lsp', 'serve']);
    assert.deepEqual(pythonArgs(SERVER_ARGS, false), ['-P', '-m', 'onex_lsp', 'serve']);
});
