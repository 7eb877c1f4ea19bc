import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { completionScript } from '../../../src/workflow/completion.js';

const COMMANDS = [
  { id: 'plan', flags: ['out', 'detailed-exitcode', 'server-dry-run', 'no-server-dry-run'] },
  { id: 'show', flags: ['format'] },
];

/** What bash completes for the words typed (the last one being completed). */
function complete(script: string, words: string[]): string[] {
  const setup = `${script}\nCOMP_WORDS=(${['calico-migrate', ...words].map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _calico_migrate; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', setup], { encoding: 'utf8', cwd: '/' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  const bash = completionScript('bash', 'calico-migrate', COMMANDS);

  it('completes command names, then the flags of the command typed', () => {
    assert.deepEqual(complete(bash, ['p']), ['plan']);
    assert.deepEqual(complete(bash, ['plan', '--d']), ['--detailed-exitcode']);
    assert.deepEqual(complete(bash, ['plan', '--no-']), ['--no-server-dry-run']);
    assert.deepEqual(complete(bash, ['show', '--']), ['--format', '--help']);
  });

  it('zsh loads the same function through bashcompinit', () => {
    const zsh = completionScript('zsh', 'calico-migrate', COMMANDS);
    assert.ok(zsh.includes('bashcompinit'));
    assert.ok(zsh.includes(bash.split('\n').slice(1).join('\n')));
  });
});
