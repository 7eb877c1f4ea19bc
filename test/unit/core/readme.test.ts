import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { exitCodeSection } from '../../../scripts/readme.js';

describe('README', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

  it('documents exactly the exit codes the tool uses (npm run readme regenerates the table)', () => {
    assert.ok(readme.includes(`<!-- exit-codes -->\n${exitCodeSection()}\n<!-- exit-codes-end -->`));
  });

  it('has a reference section for every command', () => {
    for (const cmd of ['plan', 'show', 'apply', 'lock', 'unlock', 'status', 'verify', 'export', 'version']) {
      assert.match(readme, new RegExp(`^## \`calico-migrate ${cmd}( [A-Z]+)?\`$`, 'm'), cmd);
    }
  });
});
