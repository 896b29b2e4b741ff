// Build the server's wheel into server/ for the .vsix: on first start the extension creates
// a private environment from it (no package index has onex-lsp). Python: $PYTHON, else python3.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const extension = path.dirname(here);
const repository = path.resolve(extension, '..', '..');
const target = path.join(extension, 'server');
const python = process.env.PYTHON || (process.platform === 'win32' ? 'python' : 'python3');

fs.rmSync(target, { recursive: true, force: true });
fs.mkdirSync(target);
execFileSync(python, ['-m', 'pip', 'wheel', '--no-deps', '--quiet', '--disable-pip-version-check', '-w', target, repository], {
    stdio: ['ignore', 'inherit', 'inherit'],
});
const wheels = fs.readdirSync(target).filter((name) => /^onex_lsp-.*\.whl$/.test(name));
if (wheels.length !== 1) {
    throw new Error(`expected one onex_lsp wheel in ${target}, found: ${wheels.join(', ') || 'none'}`);
}
console.log(`server wheel: server/${wheels[0]}`);
