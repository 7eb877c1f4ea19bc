import assert from 'node:assert/strict';
import { EXIT_CODES, EXIT_CODE_TABLE, MigrateError } from '../../../src/errors.js';

describe('errors and exit codes', () => {
  it('documents every exit code exactly once, with unique numbers', () => {
    const names = Object.keys(EXIT_CODES).sort();
    assert.deepEqual(EXIT_CODE_TABLE.map((r) => r.name).sort(), names);
    const codes = EXIT_CODE_TABLE.map((r) => r.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const row of EXIT_CODE_TABLE) assert.equal(EXIT_CODES[row.name], row.code);
  });

  it('carries its exit code, hint and details into JSON', () => {
    const e = new MigrateError('STALE', 'source key /calico/x changed', { hint: 'make a new plan', details: { key: '/calico/x' } });
    assert.equal(e.exitCode, 11);
    assert.deepEqual(e.toJSON(), { error: 'STALE', exit_code: 11, message: 'source key /calico/x changed', hint: 'make a new plan', details: { key: '/calico/x' } });
  });
});
