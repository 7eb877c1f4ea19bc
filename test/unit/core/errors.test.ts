import assert from 'node:assert/strict';
import { EXIT_CODES_HELP } from '../../../src/cli/exit-help.js';
import { EXIT_CODES, EXIT_CODE_TABLE, exitCodeOf, MigrateError } from '../../../src/errors.js';

describe('errors and exit codes', () => {
  it('documents every exit code exactly once, with unique numbers', () => {
    const names = Object.keys(EXIT_CODES).sort();
    assert.deepEqual(EXIT_CODE_TABLE.map((r) => r.name).sort(), names);
    const codes = EXIT_CODE_TABLE.map((r) => r.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const row of EXIT_CODE_TABLE) assert.equal(EXIT_CODES[row.name], row.code);
    assert.equal(new Set(EXIT_CODE_TABLE.map((r) => r.name)).size, EXIT_CODE_TABLE.length, 'each name once');
  });

  it('keeps the documented numbers (CI scripts branch on them) and cannot be changed at run time', () => {
    assert.deepEqual(Object.entries(EXIT_CODES), [
      ['OK', 0],
      ['ERROR', 1],
      ['CHANGES', 2],
      ['CHECK_FAILED', 3],
      ['GATE_REFUSED', 4],
      ['SOURCE_INVALID', 5],
      ['CONNECTION', 6],
      ['PLAN_INVALID', 7],
      ['WRONG_CLUSTER', 8],
      ['NOT_LOCKED', 9],
      ['LEASE_HELD', 10],
      ['STALE', 11],
      ['PARTIAL', 12],
      ['ABORTED', 13],
      ['VERIFY_FAILED', 14],
      ['TARGET_INVALID', 15],
      ['TARGET_LIVE', 16],
      ['DRIFT', 17],
      ['USAGE', 64],
      ['INTERRUPTED', 130],
      ['TERMINATED', 143],
    ]);
    assert.ok(Object.isFrozen(EXIT_CODES));
    assert.equal(exitCodeOf('PARTIAL'), 12);
    assert.equal(exitCodeOf(2), 2);
  });

  it('renders --help from the same table, one line per code', () => {
    const lines = EXIT_CODES_HELP.split('\n');
    assert.equal(lines[0], 'EXIT CODES');
    assert.equal(lines.length, EXIT_CODE_TABLE.length + 1);
    assert.equal(lines[lines.length - 1], `  143  TERMINATED      ${EXIT_CODE_TABLE.at(-1)?.meaning}`);
  });

  it('carries its exit code, hint and details into JSON', () => {
    const e = new MigrateError('STALE', 'source key /calico/x changed', { hint: 'make a new plan', details: { key: '/calico/x' } });
    assert.equal(e.exitCode, 11);
    assert.deepEqual(e.toJSON(), { error: 'STALE', exit_code: 11, message: 'source key /calico/x changed', hint: 'make a new plan', details: { key: '/calico/x' } });
  });
});
